import { availableParallelism } from 'node:os';

/**
 * Labs a server boots at once. Thirty students pressing Start in the same second would start
 * sixty nodes together on a 2-core server: each then takes so long that some miss their ready
 * deadline, and all are late. In a queue, a few boot at a time, each at full speed, and the
 * rest wait their turn (their nodes show "waiting").
 */
export const BOOTS_AT_ONCE = Math.max(2, Math.min(8, availableParallelism() + 1));

export class BootQueue {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly slots = BOOTS_AT_ONCE) {}

  /** Runs `boot` once a slot is free; the slot is given back however it ends. */
  async run<T>(boot: () => Promise<T>): Promise<T> {
    if (this.active >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await boot();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Boots waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}
