import { describe, expect, it } from 'vitest';
import { Poller } from './poller';
import type { Timers } from '../terminal/ack-batcher';

function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 1;
  const timers: Timers = {
    set: (callback) => (pending.set(next, callback), next++),
    clear: (handle) => pending.delete(handle as number),
  };
  return {
    timers,
    fire: () => {
      const callbacks = [...pending.values()];
      pending.clear();
      callbacks.forEach((c) => c());
    },
    get armed() {
      return pending.size;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Poller', () => {
  it('runs at once, then on each tick while active, never twice at the same time', async () => {
    const clock = manualTimers();
    let runs = 0;
    let release: (() => void) | undefined;
    let active = true;
    const poller = new Poller(
      () => (runs++, new Promise<void>((r) => (release = r))),
      3000,
      () => active,
      clock.timers,
    );
    const first = poller.start();
    expect(runs).toBe(1);
    expect(poller.now()).toBe(first); // joins the running refresh
    expect(clock.armed).toBe(0); // nothing scheduled while it runs
    release?.();
    await first;
    expect(clock.armed).toBe(1);
    clock.fire();
    expect(runs).toBe(2);
    release?.();
    await settle();
    active = false;
    clock.fire();
    expect(runs).toBe(2); // inactive: skipped, but still ticking
    expect(clock.armed).toBe(1);
    active = true;
    clock.fire();
    expect(runs).toBe(3);
    release?.();
    await settle();
    poller.stop();
    expect(clock.armed).toBe(0);
  });

  it('keeps polling after a failed refresh', async () => {
    const clock = manualTimers();
    let runs = 0;
    const poller = new Poller(
      async () => {
        runs++;
        throw new Error('node is down');
      },
      1000,
      undefined,
      clock.timers,
    );
    await expect(poller.start()).rejects.toThrow('node is down');
    clock.fire();
    await settle();
    expect(runs).toBe(2);
    poller.stop();
  });
});
