import { randomBytes } from 'node:crypto';
import { AppError } from '../core/errors';
import { HIGH_WATER, LOW_WATER, type TerminalSink } from '../core/terminal/terminals';
import type { TerminalInfo } from './contract';

/**
 * The terminals open on a server, so the instructor can watch one live (read-only) and take it
 * over. A terminal stays its opener's (their connection runs it, with its flow control); a
 * watcher gets a copy of its output under an id of their own, the last SCROLLBACK_CHARS first,
 * and, taking over, types into it beside its owner. A watcher never slows the terminal: when
 * more than HIGH_WATER of its copy is unacknowledged (a slow connection, a busy browser), the copy
 * stops, the output it misses is counted, and once it has caught up below LOW_WATER it is told
 * how much it missed (`skipped`) and the copy goes on. So a flood in a student's terminal costs
 * the server at most HIGH_WATER per watcher, and the instructor's view says what it left out.
 */

/** What a watcher sees first: the end of what the terminal printed so far. */
export const SCROLLBACK_CHARS = 64 * 1024;

interface Shared {
  info: TerminalInfo;
  /** Writes what a watcher who took over types. */
  write: (data: string) => void;
  scrollback: string;
  /** By watch id: where the copy goes (under the watch id), and whether they took over. */
  watchers: Map<string, Watcher>;
}

interface Watcher {
  watcher: TerminalSink;
  control: boolean;
  /** Characters sent and not yet acknowledged. */
  unacked: number;
  /** Characters of output left out since the copy stopped (0: it runs). */
  skipped: number;
}

export class SharedTerminals {
  private readonly terminals = new Map<string, Shared>();
  /** watch id → terminal id */
  private readonly watches = new Map<string, string>();

  /** A terminal was opened: it can be listed and watched until it ends. */
  opened(info: TerminalInfo, write: (data: string) => void): void {
    this.terminals.set(info.id, { info, write, scrollback: '', watchers: new Map() });
  }

  /** Its output: kept (the tail) and copied to every watcher. */
  output(id: string, data: string): void {
    const shared = this.terminals.get(id);
    if (!shared) return;
    // Trimmed only past twice the limit: a busy terminal's every chunk must not copy 64 KiB.
    shared.scrollback += data;
    if (shared.scrollback.length > 2 * SCROLLBACK_CHARS) shared.scrollback = shared.scrollback.slice(-SCROLLBACK_CHARS);
    for (const [watchId, watching] of shared.watchers) {
      if (watching.skipped > 0 || watching.unacked > HIGH_WATER) watching.skipped += data.length;
      else {
        watching.unacked += data.length;
        watching.watcher.data(watchId, data);
      }
    }
  }

  /** A watcher drew `chars` of its copy: once caught up, it is told what it missed, and the copy goes on. */
  ack(watchId: string, chars: number): void {
    const watching = this.terminals.get(this.watches.get(watchId) ?? '')?.watchers.get(watchId);
    if (!watching) return; // acks may trail a watch that just ended
    watching.unacked = Math.max(0, watching.unacked - chars);
    if (watching.skipped > 0 && watching.unacked < LOW_WATER) {
      const skipped = watching.skipped;
      watching.skipped = 0;
      watching.watcher.data(watchId, '', skipped);
    }
  }

  /** It exited or was closed: every watcher is told. */
  ended(id: string, code: number | null): void {
    const shared = this.terminals.get(id);
    if (!shared) return;
    this.terminals.delete(id);
    for (const [watchId, { watcher }] of shared.watchers) {
      this.watches.delete(watchId);
      watcher.exit(watchId, code);
    }
  }

  /** The terminals open in a session, oldest first. */
  inSession(session: string): TerminalInfo[] {
    return [...this.terminals.values()].filter((s) => s.info.session === session).map((s) => s.info);
  }

  /** The session a terminal is in (the access rule for watching asks it). */
  sessionOf(id: string): string | undefined {
    return this.terminals.get(id)?.info.session;
  }

  /** Starts watching: a watch id of the watcher's own, and what the terminal printed so far. */
  watch(id: string, watcher: TerminalSink, control: boolean): { watchId: string; scrollback: string; info: TerminalInfo } {
    const shared = this.terminals.get(id);
    if (!shared) throw new AppError('state', 'That terminal is closed.');
    const watchId = `w${randomBytes(8).toString('hex')}`;
    shared.watchers.set(watchId, { watcher, control, unacked: 0, skipped: 0 });
    this.watches.set(watchId, id);
    return { watchId, scrollback: shared.scrollback.slice(-SCROLLBACK_CHARS), info: shared.info };
  }

  isWatch(watchId: string): boolean {
    return this.watches.has(watchId);
  }

  /** What a watcher types: only one who took the terminal over may. */
  write(watchId: string, data: string): void {
    const shared = this.terminals.get(this.watches.get(watchId) ?? '');
    const watching = shared?.watchers.get(watchId);
    if (!shared || !watching) throw new AppError('state', 'That terminal is closed.');
    if (!watching.control) throw new AppError('forbidden', 'You are watching this terminal: take it over to type in it.');
    shared.write(data);
  }

  unwatch(watchId: string): void {
    const id = this.watches.get(watchId);
    this.watches.delete(watchId);
    if (id) this.terminals.get(id)?.watchers.delete(watchId);
  }
}
