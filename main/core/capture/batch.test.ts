import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from './batch';

describe('packets in batches', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes the first at once, then what came in each interval as one batch, dropping none', () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>((items) => batches.push(items), 100);
    batcher.push(1);
    expect(batches).toEqual([[1]]);
    for (let i = 2; i <= 5000; i++) batcher.push(i);
    expect(batches).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(batches).toHaveLength(2);
    expect(batches[1]).toHaveLength(4999);
    expect(batches.flat()).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
  });

  it('passes a packet after a quiet interval at once, and what is queued when drained', () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>((items) => batches.push(items), 100);
    batcher.push('a');
    vi.advanceTimersByTime(150);
    batcher.push('b');
    expect(batches).toEqual([['a'], ['b']]);
    batcher.push('c');
    batcher.drain();
    expect(batches).toEqual([['a'], ['b'], ['c']]);
    // Nothing more comes after a drain: its timer is gone.
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(3);
    batcher.drain();
    expect(batches).toHaveLength(3);
  });
});
