import { describe, expect, it } from 'vitest';
import { AckBatcher, type Timers } from './ack-batcher';

/** Timers run by hand. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 1;
  const timers: Timers = {
    set: (callback) => {
      pending.set(next, callback);
      return next++;
    },
    clear: (handle) => pending.delete(handle as number),
  };
  const fire = () => {
    const callbacks = [...pending.values()];
    pending.clear();
    callbacks.forEach((callback) => callback());
  };
  return {
    timers,
    fire,
    get armed() {
      return pending.size;
    },
  };
}

describe('AckBatcher', () => {
  it('acknowledges in batches once BATCH characters are owed', () => {
    const sent: number[] = [];
    const { timers } = manualTimers();
    const acks = new AckBatcher((chars) => sent.push(chars), 100, 50, timers);
    acks.drawn(60);
    expect(sent).toEqual([]);
    acks.drawn(60);
    expect(sent).toEqual([120]);
    expect(acks.pending).toBe(0);
  });

  it('sends the tail of a burst when output goes idle', () => {
    const sent: number[] = [];
    const clock = manualTimers();
    const acks = new AckBatcher((chars) => sent.push(chars), 100, 50, clock.timers);
    acks.drawn(10);
    acks.drawn(5);
    expect(clock.armed).toBe(1); // one timer, however many writes
    clock.fire();
    expect(sent).toEqual([15]);
    clock.fire();
    expect(sent).toEqual([15]);
  });

  it("never lets the owed count reach the back end's 256k pause, however the output is chunked", () => {
    const sent: number[] = [];
    const clock = manualTimers();
    const acks = new AckBatcher((chars) => sent.push(chars), undefined, undefined, clock.timers);
    let drawn = 0;
    let owedMax = 0;
    for (let i = 0; i < 1000; i++) {
      const chunk = ((i * 7919) % 9000) + 1;
      drawn += chunk;
      acks.drawn(chunk);
      owedMax = Math.max(owedMax, acks.pending);
    }
    clock.fire();
    expect(sent.reduce((a, b) => a + b, 0)).toBe(drawn);
    expect(owedMax).toBeLessThan(16 * 1024);
  });

  it('sends nothing after stop', () => {
    const sent: number[] = [];
    const clock = manualTimers();
    const acks = new AckBatcher((chars) => sent.push(chars), 100, 50, clock.timers);
    acks.drawn(10);
    acks.stop();
    clock.fire();
    acks.drawn(500);
    acks.flush();
    expect(sent).toEqual([]);
  });
});
