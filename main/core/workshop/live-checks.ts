import type { Engine } from '../docker/engine';
import { probesOf } from '../check/evaluate';
import type { LoadedLab } from '../lab/load';
import { checkLab } from '../run/check';
import type { ObjectiveResult } from '../run/results';
import type { SessionStatus } from '../session/sessions';
import type { LiveCheck } from './records';

/**
 * What the instructor's grid knows of each running student lab between the students' own
 * checks: the server checks their labs in the background, state only (no probe traffic, which
 * would show in the students' captures and counters), a few at a time, and keeps the latest
 * outcome per objective in memory. The students' own checks land here too.
 *
 * When to check: a lab the student just acted in (a command entered in one of its terminals or
 * its output, a solve, a reset, an easyOVS action) is checked once it has been quiet for
 * SETTLE_MS (or, busy, MAX_WAIT_MS after the first action), so a change reaches the class view in
 * about two seconds; every lab is also checked each ROUND_INTERVAL_MS, for what changed another
 * way. Checking every lab all the time would keep a 2-core server busy.
 *
 * Nothing here is written to a student's progress: their record (met, when, hints) is what they
 * did; this is what their lab shows now.
 */

/** Between the end of one full round and the start of the next. */
export const ROUND_INTERVAL_MS = 30_000;
/** A lab acted in is checked once this long has passed since the last action (typing pauses). */
export const SETTLE_MS = 1_000;
/** …or this long after the first, when it never goes quiet (a ping running in its terminal). */
export const MAX_WAIT_MS = 5_000;
/** How often the scheduler looks for labs due. */
const TICK_MS = 250;
/** Labs checked at once in a round: the rest of a 2-core server stays for the students. */
const ROUND_CONCURRENCY = 2;

/** What the scheduler needs of the server: checking some labs, and which labs run. */
export interface CheckSource {
  /** Checks these sessions (state only); each checked lab's milliseconds. */
  check(sessions: readonly string[]): Promise<number[]>;
  /** The running student labs, by session name. */
  running(): Promise<string[]>;
}

export class LiveChecks {
  /** By session name; a session booted again under the name shows only checks since its boot. */
  private readonly latest = new Map<string, LiveCheck>();
  /** Sessions acted in since their last check, with when first and last (ms). */
  private readonly touched = new Map<string, { first: number; last: number }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  /** `onChange(session)`: what a check found there differs from before (the class view reads again). */
  constructor(private readonly onChange: (session: string) => void = () => undefined) {}

  /** Keeps what a check found (a student's, the instructor's or the round's), newer objectives over older. */
  record(session: string, report: { objectives: readonly Pick<ObjectiveResult, 'id' | 'passed'>[] }, at = new Date()): void {
    const previous = this.latest.get(session)?.objectives ?? {};
    const objectives = { ...previous };
    for (const o of report.objectives) objectives[o.id] = o.passed;
    this.latest.set(session, { checkedAt: at.toISOString(), objectives });
    if (Object.entries(objectives).some(([id, passed]) => previous[id] !== passed)) this.onChange(session);
  }

  /** The student acted in this lab: check it once they pause. */
  touch(session: string, now = Date.now()): void {
    this.touched.set(session, { first: this.touched.get(session)?.first ?? now, last: now });
  }

  /** The latest checks of this session (none made before it booted). */
  of(session: Pick<SessionStatus, 'name' | 'createdAt'>): LiveCheck | undefined {
    const live = this.latest.get(session.name);
    return live && live.checkedAt >= session.createdAt ? live : undefined;
  }

  /**
   * One round: the running student labs (those of `only`, when given), state-only objectives. A
   * lab that fails to check (it went down meanwhile) is skipped; the next round tries again.
   * Returns how long each checked lab took, in milliseconds (the benchmark's figures).
   */
  async round(engine: Engine, sessions: readonly SessionStatus[], labs: readonly LoadedLab[], only?: readonly string[]): Promise<number[]> {
    const due = sessions.filter((s) => s.student !== undefined && s.state === 'running' && (!only || only.includes(s.name)));
    if (!only) this.forgetAllBut(sessions.map((s) => s.name));
    const took: number[] = [];
    const queue = [...due];
    const worker = async () => {
      for (let session = queue.shift(); session; session = queue.shift()) {
        const loaded = labs.find((l) => l.lab.id === session.lab);
        if (!loaded) continue;
        const stateOnly = loaded.lab.steps.flatMap((s) => s.objectives).filter((o) => probesOf(o.check).length === 0);
        if (stateOnly.length === 0) continue;
        const started = performance.now();
        try {
          this.record(session.name, await checkLab(engine, session.name, { only: stateOnly.map((o) => o.id) }));
          took.push(performance.now() - started);
        } catch {
          // gone or broken meanwhile: its state shows that
        }
      }
    };
    await Promise.all(Array.from({ length: ROUND_CONCURRENCY }, worker));
    return took;
  }

  /** Drops what is known of labs no longer up. */
  private forgetAllBut(names: readonly string[]): void {
    for (const name of this.latest.keys()) if (!names.includes(name)) this.latest.delete(name);
  }

  /**
   * Until stopped: the labs acted in, once settled, and every lab each `intervalMs` after the
   * last full round ended. The full round goes a few labs per tick, so a lab acted in meanwhile
   * waits for one batch, not for the whole class. One check at a time.
   */
  start(source: CheckSource, intervalMs = ROUND_INTERVAL_MS): void {
    let lastFull = Date.now();
    let pending: string[] = [];
    const tick = async () => {
      const now = Date.now();
      // A batch at a time, those waiting longest first: thirty labs started together are not one long check.
      const settled = [...this.touched]
        .filter(([, at]) => now - at.last >= SETTLE_MS || now - at.first >= MAX_WAIT_MS)
        .sort(([, a], [, b]) => a.first - b.first)
        .slice(0, ROUND_CONCURRENCY)
        .map(([name]) => name);
      if (settled.length > 0) {
        for (const name of settled) this.touched.delete(name);
        pending = pending.filter((name) => !settled.includes(name));
        await source.check(settled);
        return;
      }
      if (pending.length === 0) {
        if (now - lastFull < intervalMs) return;
        pending = await source.running();
        this.forgetAllBut(pending);
      }
      await source.check(pending.splice(0, ROUND_CONCURRENCY));
      if (pending.length === 0) lastFull = Date.now();
    };
    const next = () => {
      this.timer = setTimeout(() => {
        this.running = tick()
          .catch(() => undefined)
          .then(() => {
            if (this.timer) next();
          });
      }, TICK_MS);
      this.timer.unref();
    };
    next();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
