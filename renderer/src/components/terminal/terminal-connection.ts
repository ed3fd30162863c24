import type { EventPayloads, MethodParams } from '../../../../main/api/contract';
import type { Message } from '../../i18n';
import { errorText } from '../../stores/errors';
import type { Transport } from '../../transport/transport';
import { AckBatcher } from './ack-batcher';

/**
 * One terminal's conversation with the back end, apart from xterm so it can be tested:
 * open, input, resize, output with flow-control acks, exit, close.
 *
 * The back end starts streaming the moment the terminal exists, so `terminal.data` events can
 * arrive before the `terminal.open` reply that names their id; events seen while opening are
 * kept and replayed once the id is known. Input and resizes asked for while opening are kept too,
 * so a caller may type into a terminal that is still opening.
 */

export interface TerminalScreen {
  /** Draws output; calls `drawn` once it is on the screen (xterm's write callback). */
  write(data: string, drawn: () => void): void;
  /** A line of the app's own (exit status, errors), worded by the screen; not output, so not acknowledged. */
  notice(message: Message): void;
  /** The shell has gone (it exited, or never opened): the screen offers Reconnect and Close. */
  ended?(): void;
}

export interface TerminalTarget {
  session: string;
  node: string;
  namespace?: string;
  /** Another's terminal to watch (the instructor's view of a student's), typing into it with `control`. */
  watch?: { id: string; control: boolean };
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

type State = 'new' | 'opening' | 'open' | 'exited' | 'closed';
type Early = { kind: 'data'; id: string; data: string } | { kind: 'exit'; id: string; code: number | null };

export class TerminalConnection {
  private id: string | undefined;
  private state: State = 'new';
  private early: Early[] = [];
  private input: string[] = [];
  private size: TerminalSize | undefined;
  private sentSize: TerminalSize | undefined;
  private readonly acks: AckBatcher;
  private readonly stopListening: (() => void)[] = [];

  constructor(
    private readonly transport: Transport,
    private readonly screen: TerminalScreen,
    acks?: (send: (chars: number) => void) => AckBatcher,
  ) {
    const send = (chars: number) => this.send('terminal.ack', { id: this.id as string, chars });
    this.acks = acks ? acks(send) : new AckBatcher(send);
  }

  get terminalId(): string | undefined {
    return this.id;
  }

  get status(): State {
    return this.state;
  }

  async open(target: TerminalTarget, size: TerminalSize): Promise<void> {
    if (this.state !== 'new') throw new Error('a TerminalConnection opens once');
    this.state = 'opening';
    this.size = size;
    this.stopListening.push(
      this.transport.on('terminal.data', (event) => this.onData(event)),
      this.transport.on('terminal.exit', (event) => this.onExit(event)),
    );
    let id: string;
    let scrollback = '';
    try {
      if (target.watch) ({ id, scrollback } = await this.transport.call('terminal.watch', target.watch));
      else
        ({ id } = await this.transport.call('terminal.open', {
          session: target.session,
          node: target.node,
          ...(target.namespace ? { namespace: target.namespace } : {}),
          cols: size.cols,
          rows: size.rows,
        }));
    } catch (error) {
      if (this.status === 'opening') {
        this.finish('exited');
        const message = errorText(error);
        this.screen.notice(
          target.namespace
            ? { key: 'terminal.openFailedIn', params: { node: target.node, namespace: target.namespace, message } }
            : { key: 'terminal.openFailed', params: { node: target.node, message } },
        );
      }
      return;
    }
    // (`status`, not `state`: TypeScript would keep its narrowing to 'opening' across the await.)
    if (this.status === 'closed') {
      // Unmounted while opening: the terminal exists now, so close it.
      this.transport.call('terminal.close', { id }).catch(() => undefined);
      return;
    }
    this.id = id;
    this.state = 'open';
    this.sentSize = size;
    // A watched terminal shows what it printed before first (not acknowledged: the back end does not count it).
    if (scrollback) this.screen.write(scrollback, () => undefined);
    const early = this.early;
    this.early = [];
    for (const event of early) {
      if (event.id !== id) continue;
      if (event.kind === 'data') this.onData(event);
      else this.onExit(event);
    }
    if (this.status !== 'open') return;
    for (const data of this.input.splice(0)) this.send('terminal.write', { id, data });
    if (this.size) this.resize(this.size);
  }

  /** Keystrokes (or typed text) for the program in the terminal. */
  write(data: string): void {
    if (data === '') return;
    if (this.state === 'opening') this.input.push(data);
    else if (this.state === 'open') this.send('terminal.write', { id: this.id as string, data });
  }

  resize(size: TerminalSize): void {
    this.size = size;
    if (this.state !== 'open') return;
    if (this.sentSize && this.sentSize.cols === size.cols && this.sentSize.rows === size.rows) return;
    this.sentSize = size;
    this.send('terminal.resize', { id: this.id as string, cols: size.cols, rows: size.rows });
  }

  close(): void {
    const wasOpen = this.state === 'open';
    this.finish('closed');
    if (wasOpen && this.id) this.transport.call('terminal.close', { id: this.id }).catch(() => undefined);
  }

  private onData(event: EventPayloads['terminal.data']): void {
    if (this.state === 'opening') this.early.push({ kind: 'data', ...event });
    else if (this.state === 'open' && event.id === this.id) {
      // A watched terminal's copy that fell behind: what it left out is said, not hidden.
      if (event.skipped) this.screen.notice({ key: 'terminal.skipped', params: { chars: event.skipped } });
      if (event.data) this.screen.write(event.data, () => this.acks.drawn(event.data.length));
    }
  }

  private onExit(event: EventPayloads['terminal.exit']): void {
    if (this.state === 'opening') this.early.push({ kind: 'exit', ...event });
    else if (this.state === 'open' && event.id === this.id) {
      this.finish('exited');
      this.screen.notice(event.code === null ? { key: 'terminal.exited' } : { key: 'terminal.exitedWith', params: { code: event.code } });
    }
  }

  private finish(state: 'exited' | 'closed'): void {
    this.state = state;
    this.acks.stop();
    this.early = [];
    this.input = [];
    for (const stop of this.stopListening.splice(0)) stop();
    if (state === 'exited') this.screen.ended?.();
  }

  /** Fire and forget: a failed write or ack is reported on the screen unless the terminal has gone. */
  private send<M extends 'terminal.write' | 'terminal.resize' | 'terminal.ack'>(method: M, params: MethodParams<M>): void {
    this.transport.call(method, params).catch((error: unknown) => {
      if (this.state === 'open' && method === 'terminal.write')
        this.screen.notice({ key: 'terminal.sendFailed', params: { message: errorText(error) } });
    });
  }
}
