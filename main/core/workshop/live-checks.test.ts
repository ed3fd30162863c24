import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveChecks, MAX_WAIT_MS, ROUND_INTERVAL_MS, SETTLE_MS } from './live-checks';

/** When the background checks run, and what they tell the class view; the checks themselves are the integration tests'. */

const report = (passed: Record<string, boolean>) => ({ objectives: Object.entries(passed).map(([id, p]) => ({ id, passed: p })) });

describe('live checks', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("says a lab changed only when an objective's outcome did", () => {
    const changed: string[] = [];
    const live = new LiveChecks((session) => changed.push(session));
    live.record('s01-lab', report({ a: false, b: false }));
    live.record('s01-lab', report({ a: false }));
    live.record('s01-lab', report({ a: true }));
    live.record('s02-lab', report({ a: false }));
    expect(changed).toEqual(['s01-lab', 's01-lab', 's02-lab']);
    expect(live.of({ name: 's01-lab', createdAt: '2000-01-01T00:00:00Z' })?.objectives).toEqual({ a: true, b: false });
    // A lab booted again under the name shows nothing older than its boot.
    expect(live.of({ name: 's01-lab', createdAt: '2999-01-01T00:00:00Z' })).toBeUndefined();
  });

  it('checks a lab acted in once it is quiet (or busy for long), and every lab each interval, a batch per tick', async () => {
    const checks: string[][] = [];
    const live = new LiveChecks();
    let actedDuringRound = false;
    live.start({
      check: async (only) => {
        checks.push([...only]);
        if (only.length === 2 && !actedDuringRound) {
          // A student acts while the full round has just begun.
          actedDuringRound = true;
          live.touch('s05-lab', Date.now() - SETTLE_MS);
        }
        return [];
      },
      running: async () => ['s01-lab', 's02-lab', 's03-lab', 's04-lab', 's05-lab'],
    });
    live.touch('s01-lab');
    await vi.advanceTimersByTimeAsync(SETTLE_MS / 2);
    live.touch('s01-lab'); // still typing
    await vi.advanceTimersByTimeAsync(SETTLE_MS / 2 + 100);
    expect(checks).toEqual([]);
    await vi.advanceTimersByTimeAsync(SETTLE_MS);
    expect(checks).toEqual([['s01-lab']]);
    // Checked: nothing more until the next action or the full round.
    await vi.advanceTimersByTimeAsync(5 * SETTLE_MS);
    expect(checks).toEqual([['s01-lab']]);
    checks.length = 0;
    // The full round: two labs per tick; a lab acted in meanwhile goes first, and not again in this round.
    await vi.advanceTimersByTimeAsync(ROUND_INTERVAL_MS);
    expect(checks).toEqual([['s01-lab', 's02-lab'], ['s05-lab'], ['s03-lab', 's04-lab']]);
    checks.length = 0;
    // Never quiet (a ping printing every half second): checked MAX_WAIT_MS after the first action.
    for (let t = 0; t < MAX_WAIT_MS + SETTLE_MS; t += SETTLE_MS / 2) {
      live.touch('s03-lab');
      await vi.advanceTimersByTimeAsync(SETTLE_MS / 2);
    }
    expect(checks).toEqual([['s03-lab']]);
    await live.stop();
    checks.length = 0;
    live.touch('s02-lab');
    await vi.advanceTimersByTimeAsync(ROUND_INTERVAL_MS * 2);
    expect(checks).toEqual([]);
  });

  it('takes labs acted in a batch at a time, those waiting longest first', async () => {
    const checks: string[][] = [];
    const live = new LiveChecks();
    const started = Date.now();
    for (const [i, name] of ['s03-lab', 's01-lab', 's05-lab', 's02-lab', 's04-lab'].entries()) live.touch(name, started - SETTLE_MS + i);
    live.start({
      check: async (only) => {
        checks.push([...only]);
        return [];
      },
      running: async () => [],
    });
    await vi.advanceTimersByTimeAsync(SETTLE_MS + 1_000);
    await live.stop();
    expect(checks).toEqual([['s03-lab', 's01-lab'], ['s05-lab', 's02-lab'], ['s04-lab']]);
  });
});
