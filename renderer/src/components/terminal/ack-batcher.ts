/**
 * Flow control, the client's half. The back end pauses a terminal's output once 256k characters
 * are unacknowledged (main/core/terminal/terminals.ts), so every character xterm has drawn must
 * be acknowledged — but one `terminal.ack` call per chunk would cost as much as the output itself.
 * Acks are therefore batched: sent as soon as BATCH characters are owed (well below the high
 * water mark, so a fast stream never stalls) and otherwise after a short idle pause, so the
 * tail of a burst is never left owing.
 */

export const ACK_BATCH = 16 * 1024;
export const ACK_IDLE_MS = 50;

/** The timer functions, injectable so tests run without real time. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class AckBatcher {
  private owed = 0;
  private timer: unknown;
  private stopped = false;

  constructor(
    private readonly send: (chars: number) => void,
    private readonly batch = ACK_BATCH,
    private readonly idleMs = ACK_IDLE_MS,
    private readonly timers: Timers = realTimers,
  ) {}

  /** xterm has drawn `chars` more characters (called from its write callback). */
  drawn(chars: number): void {
    if (this.stopped || chars <= 0) return;
    this.owed += chars;
    if (this.owed >= this.batch) this.flush();
    else if (this.timer === undefined) {
      this.timer = this.timers.set(() => {
        this.timer = undefined;
        this.flush();
      }, this.idleMs);
    }
  }

  /** Sends what is owed now. */
  flush(): void {
    this.cancelTimer();
    if (this.stopped || this.owed === 0) return;
    const chars = this.owed;
    this.owed = 0;
    this.send(chars);
  }

  /** The terminal is gone: nothing more is sent. */
  stop(): void {
    this.cancelTimer();
    this.stopped = true;
    this.owed = 0;
  }

  get pending(): number {
    return this.owed;
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
