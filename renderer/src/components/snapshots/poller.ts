import type { Timers } from '../terminal/ack-batcher';

/**
 * Refreshes on a timer while a view is active. The next refresh is scheduled only when the
 * previous one has finished, so a slow node never gets a pile of overlapping snapshots; and a
 * refresh asked for while one runs joins it instead of starting another.
 */
export class Poller {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly active: () => boolean = () => true,
    private readonly timers: Timers = { set: (f, ms) => setTimeout(f, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) },
  ) {}

  /** Refreshes now, then every interval while active. */
  start(): Promise<void> {
    this.stopped = false;
    return this.now();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  /** Refreshes at once (joining one in progress); the timer restarts from when it ends. */
  now(): Promise<void> {
    if (this.running) return this.running;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    const run = (async () => {
      try {
        await this.task();
      } finally {
        this.running = undefined;
        this.schedule();
      }
    })();
    this.running = run;
    return run;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      if (this.active()) void this.now().catch(() => undefined);
      else this.schedule();
    }, this.intervalMs);
  }
}
