/**
 * Packets passed on in batches: the first at once, then at most one batch per interval with
 * everything that came meanwhile. A flood of thousands of packets a second reaches the window as
 * ten messages a second, each with all of its packets: none is dropped, and none waits longer
 * than the interval.
 */
export class Batcher<T> {
  private queue: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = -Infinity;

  constructor(
    private readonly flush: (items: T[]) => void,
    private readonly intervalMs = 100,
  ) {}

  push(item: T): void {
    this.queue.push(item);
    if (this.timer) return;
    const wait = this.lastFlush + this.intervalMs - performance.now();
    if (wait <= 0) this.drain();
    else this.timer = setTimeout(() => this.drain(), wait);
  }

  /** Passes on what is queued now (the capture ended: its last packets go before its end). */
  drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    this.lastFlush = performance.now();
    this.flush(items);
  }
}
