import type { Engine } from '../docker/engine';
import { probesOf } from '../check/evaluate';
import type { LoadedLab } from '../lab/load';
import { checkLab } from '../run/check';
import type { CheckReport } from '../run/results';
import type { SessionStatus } from '../session/sessions';
import type { LiveCheck } from './records';

/**
 * What the instructor's grid knows of each running student lab between the students' own
 * checks: the server checks their labs in the background, state only (no probe traffic, which
 * would show in the students' captures and counters), a few at a time, and keeps the latest
 * outcome per objective in memory. The students' own checks land here too.
 *
 * Nothing here is written to a student's progress: their record (met, when, hints) is what they
 * did; this is what their lab shows now.
 */

/** Between the end of one round and the start of the next. */
export const ROUND_INTERVAL_MS = 15_000;
/** Labs checked at once in a round: the rest of a 2-core server stays for the students. */
const ROUND_CONCURRENCY = 2;

export class LiveChecks {
  /** By session name; a session booted again under the name shows only checks since its boot. */
  private readonly latest = new Map<string, LiveCheck>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  /** Keeps what a check found (a student's, the instructor's or the round's), newer objectives over older. */
  record(session: string, report: Pick<CheckReport, 'objectives'>, at = new Date()): void {
    const previous = this.latest.get(session)?.objectives ?? {};
    const objectives = { ...previous };
    for (const o of report.objectives) objectives[o.id] = o.passed;
    this.latest.set(session, { checkedAt: at.toISOString(), objectives });
  }

  /** The latest checks of this session (none made before it booted). */
  of(session: Pick<SessionStatus, 'name' | 'createdAt'>): LiveCheck | undefined {
    const live = this.latest.get(session.name);
    return live && live.checkedAt >= session.createdAt ? live : undefined;
  }

  /**
   * One round: every running student lab, state-only objectives. A lab that fails to check (it
   * went down meanwhile) is skipped; the next round tries again. Returns how long each checked
   * lab took, in milliseconds (the benchmark's figures).
   */
  async round(engine: Engine, sessions: readonly SessionStatus[], labs: readonly LoadedLab[]): Promise<number[]> {
    const due = sessions.filter((s) => s.student !== undefined && s.state === 'running');
    for (const name of this.latest.keys()) if (!sessions.some((s) => s.name === name)) this.latest.delete(name);
    const took: number[] = [];
    const queue = [...due];
    const worker = async () => {
      for (let session = queue.shift(); session; session = queue.shift()) {
        const loaded = labs.find((l) => l.lab.id === session.lab);
        if (!loaded) continue;
        const only = loaded.lab.steps.flatMap((s) => s.objectives).filter((o) => probesOf(o.check).length === 0);
        if (only.length === 0) continue;
        const started = performance.now();
        try {
          this.record(session.name, await checkLab(engine, session.name, { only: only.map((o) => o.id) }));
          took.push(performance.now() - started);
        } catch {
          // gone or broken meanwhile: its state shows that
        }
      }
    };
    await Promise.all(Array.from({ length: ROUND_CONCURRENCY }, worker));
    return took;
  }

  /** Runs rounds until stopped, each `intervalMs` after the last one ended. */
  start(roundNow: () => Promise<unknown>, intervalMs = ROUND_INTERVAL_MS): void {
    const next = () => {
      this.timer = setTimeout(() => {
        this.running = roundNow()
          .catch(() => undefined)
          .then(() => {
            if (this.timer) next();
          });
      }, intervalMs);
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
