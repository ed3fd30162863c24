import { describe, expect, it } from 'vitest';
import { LatestValidator } from './latest-validator';
import type { Timers } from '../terminal/ack-batcher';

function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 1;
  const timers: Timers = { set: (f) => (pending.set(next, f), next++), clear: (h) => pending.delete(h as number) };
  return {
    timers,
    fire: () => {
      const fs = [...pending.values()];
      pending.clear();
      fs.forEach((f) => f());
    },
    get armed() {
      return pending.size;
    },
  };
}

describe('LatestValidator', () => {
  it('validates once typing pauses, with the last text', async () => {
    const clock = manualTimers();
    const asked: string[] = [];
    const applied: string[] = [];
    const v = new LatestValidator(
      async (t: string) => (asked.push(t), t.length),
      (_r, t) => applied.push(t),
      undefined,
      300,
      clock.timers,
    );
    v.schedule('a');
    v.schedule('ab');
    v.schedule('abc');
    expect(clock.armed).toBe(1);
    clock.fire();
    await Promise.resolve();
    await Promise.resolve();
    expect(asked).toEqual(['abc']);
    expect(applied).toEqual(['abc']);
  });

  it('drops a slow answer for older text', async () => {
    const clock = manualTimers();
    const answers = new Map<string, (n: number) => void>();
    const applied: string[] = [];
    const v = new LatestValidator(
      (t: string) => new Promise<number>((r) => answers.set(t, r)),
      (_r, t) => applied.push(t),
      undefined,
      300,
      clock.timers,
    );
    const old = v.now('old');
    v.schedule('new'); // typing goes on while 'old' is being validated
    clock.fire();
    answers.get('new')?.(3);
    answers.get('old')?.(3);
    await old;
    await new Promise((r) => setTimeout(r, 0));
    expect(applied).toEqual(['new']);
  });

  it('reports errors of the newest request only, and nothing after dispose', async () => {
    const clock = manualTimers();
    const errors: unknown[] = [];
    const v = new LatestValidator(
      async () => {
        throw new Error('offline');
      },
      () => undefined,
      (e) => errors.push(e),
      300,
      clock.timers,
    );
    await v.now('x');
    expect(errors).toHaveLength(1);
    v.schedule('y');
    v.dispose();
    expect(clock.armed).toBe(0);
    await v.now('z');
    expect(errors).toHaveLength(1);
  });
});
