import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import { openTty, type TtySession } from '../docker/exec';
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
  data(id: string, text: string): void;
  exit(id: string, code: number | null): void;
}

interface Terminal {
  tty: TtySession;
  unacked: number;
  paused: boolean;
}

export class TerminalHost {
  private readonly terminals = new Map<string, Terminal>();

  constructor(private readonly sink: TerminalSink) {}

  async open(container: Docker.Container, argv: readonly string[], size: { cols: number; rows: number }): Promise<string> {
    const tty = await openTty(container, argv, size);
    const id = randomBytes(8).toString('hex');
    const terminal: Terminal = { tty, unacked: 0, paused: false };
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

  close(id: string): void {
    const terminal = this.terminals.get(id);
    if (!terminal) return;
    this.terminals.delete(id);
    terminal.tty.stream.destroy();
  }

  closeAll(): void {
    for (const id of [...this.terminals.keys()]) this.close(id);
  }

  get size(): number {
    return this.terminals.size;
  }

  private finish(id: string, code: number | null): void {
    if (!this.terminals.delete(id)) return;
    this.sink.exit(id, code);
  }

  private get(id: string): Terminal {
    const terminal = this.terminals.get(id);
    if (!terminal) throw new AppError('state', 'That terminal is closed.');
    return terminal;
  }
}
