import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import { execArgv, openTty, type TtySession } from '../docker/exec';
import { AppError } from '../errors';

/**
 * The app's terminals: TTY execs in nodes, their output pushed to one client as text.
 *
 * Flow control, as VS Code and Tabby do it: the client acknowledges what it has drawn; when
 * more than HIGH_WATER characters are unacknowledged, the node's stream is paused (the program
 * blocks on its terminal, nothing is dropped) until the client catches up below LOW_WATER.
 * A `cat` of a big file or a busy tcpdump can neither freeze the window nor lose bytes.
 */

export const HIGH_WATER = 256 * 1024;
export const LOW_WATER = 32 * 1024;

export interface TerminalSink {
  /** `skipped`: characters left out before `text` (a watcher's copy that fell behind; ./api/shared-terminals.ts). */
  data(id: string, text: string, skipped?: number): void;
  exit(id: string, code: number | null): void;
}

interface Terminal {
  tty: TtySession;
  container: Docker.Container;
  /** In the node: holds the terminal's session id (its first process's pid). */
  pidFile: string;
  unacked: number;
  paused: boolean;
}

/**
 * The engine never ends an exec when its stream is closed: a terminal whose client went away
 * would keep its shell (and whatever runs in it) in the node for good. So each terminal's
 * program starts behind a wrapper that records its pid, the id of the session the TTY exec
 * makes it lead; closing the terminal hangs up that session and kills what ignores the hang-up.
 * Processes the learner detached on purpose (setsid, daemons such as dnsmasq) are in other
 * sessions and stay. The scripts are fixed text; the pid file and argv arrive as arguments.
 */
const RECORD_PID = 'echo "$$" > "$1" && shift && exec "$@"';
const KILL_SESSION = [
  'i=0; while [ ! -s "$1" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
  'sid=$(cat "$1" 2>/dev/null); rm -f "$1"',
  'case "$sid" in ""|0|*[!0-9]*) exit 0;; esac',
  'pkill -HUP -s "$sid"',
  'i=0; while pgrep -s "$sid" >/dev/null && [ "$i" -lt 20 ]; do sleep 0.1; i=$((i+1)); done',
  'pkill -KILL -s "$sid"; exit 0',
].join('\n');

export class TerminalHost {
  private readonly terminals = new Map<string, Terminal>();

  constructor(private readonly sink: TerminalSink) {}

  async open(container: Docker.Container, argv: readonly string[], size: { cols: number; rows: number }): Promise<string> {
    const id = randomBytes(8).toString('hex');
    const pidFile = `/tmp/neutron-lab-terminal-${id}.pid`;
    const tty = await openTty(container, ['sh', '-c', RECORD_PID, 'sh', pidFile, ...argv], size);
    const terminal: Terminal = { tty, container, pidFile, unacked: 0, paused: false };
    this.terminals.set(id, terminal);
    // A multi-byte character split across chunks is kept whole.
    const decoder = new StringDecoder('utf8');
    tty.stream.on('data', (chunk: Buffer) => {
      const text = decoder.write(chunk);
      if (!text) return;
      terminal.unacked += text.length;
      this.sink.data(id, text);
      if (!terminal.paused && terminal.unacked > HIGH_WATER) {
        terminal.paused = true;
        tty.stream.pause();
      }
    });
    tty.exited.then(
      (code) => this.finish(id, code),
      () => this.finish(id, null),
    );
    return id;
  }

  write(id: string, data: string): void {
    this.get(id).tty.stream.write(data);
  }

  async resize(id: string, cols: number, rows: number): Promise<void> {
    await this.get(id).tty.resize(cols, rows);
  }

  /** The client drew `chars` more characters. */
  ack(id: string, chars: number): void {
    const terminal = this.terminals.get(id);
    if (!terminal) return; // acks may trail a terminal that just ended
    terminal.unacked = Math.max(0, terminal.unacked - chars);
    if (terminal.paused && terminal.unacked < LOW_WATER) {
      terminal.paused = false;
      terminal.tty.stream.resume();
    }
  }

  /** Closes the terminal and ends its processes in the node; resolves once they are gone. */
  async close(id: string): Promise<void> {
    const terminal = this.terminals.get(id);
    if (!terminal) return;
    this.terminals.delete(id);
    terminal.tty.stream.destroy();
    await killSession(terminal);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.terminals.keys()].map((id) => this.close(id)));
  }

  get size(): number {
    return this.terminals.size;
  }

  private finish(id: string, code: number | null): void {
    const terminal = this.terminals.get(id);
    if (!terminal) return;
    this.terminals.delete(id);
    this.sink.exit(id, code);
    // The shell exited; a job it left running in its session still goes, with the pid file.
    void killSession(terminal);
  }

  private get(id: string): Terminal {
    const terminal = this.terminals.get(id);
    if (!terminal) throw new AppError('state', 'That terminal is closed.');
    return terminal;
  }
}

/** Ends a terminal's session in its node. Never throws: a node that is gone has nothing left to end. */
async function killSession(terminal: Terminal): Promise<void> {
  await execArgv(terminal.container, ['sh', '-c', KILL_SESSION, 'sh', terminal.pidFile]).catch(() => undefined);
}
