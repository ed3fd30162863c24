import type { Timers } from '../terminal/ack-batcher';

/**
 * Validation while typing: waits until typing pauses (debounce), and applies only the answer
 * to the newest text — a slow reply for older text must not overwrite a newer one's problems.
 */
export class LatestValidator<T> {
  private timer: unknown;
  private asked = 0;
  private disposed = false;

  constructor(
    private readonly validate: (text: string) => Promise<T>,
    private readonly apply: (result: T, text: string) => void,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly delayMs = 300,
    private readonly timers: Timers = { set: (f, ms) => setTimeout(f, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) },
  ) {}

  /** The text changed: validate it once typing pauses. */
  schedule(text: string): void {
    if (this.disposed) return;
    this.asked++; // an answer still on its way is stale from now on
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      void this.now(text);
    }, this.delayMs);
  }

  /** Validates at once. */
  async now(text: string): Promise<void> {
    if (this.disposed) return;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    const ticket = ++this.asked;
    try {
      const result = await this.validate(text);
      if (ticket === this.asked && !this.disposed) this.apply(result, text);
    } catch (error) {
      if (ticket === this.asked && !this.disposed) this.onError(error);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
