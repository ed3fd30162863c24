import { describe, expect, it } from 'vitest';
import { BootQueue } from './boot-queue';

describe('the boot queue', () => {
  it('runs at most its slots at once, in the order asked, and frees a slot however a boot ends', async () => {
    const queue = new BootQueue(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const boot = (n: number, fail = false) =>
      queue.run(async () => {
        running++;
        most = Math.max(most, running);
        order.push(n);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        if (fail) throw new Error(`boot ${n} failed`);
        return n;
      });
    const all = [boot(1), boot(2, true), boot(3), boot(4), boot(5)];
    expect(queue.queued).toBe(3);
    const settled = await Promise.allSettled(all);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(most).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(queue.queued).toBe(0);
    // All slots are free again: two more start at once.
    await Promise.all([boot(6), boot(7)]);
    expect(most).toBe(2);
  });
});
