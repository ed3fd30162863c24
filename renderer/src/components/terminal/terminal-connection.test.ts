import { describe, expect, it } from 'vitest';
import type { EventName, EventPayloads, MethodName } from '../../../../main/api/contract';
import { english, type Message } from '../../i18n';
import type { Transport } from '../../transport/transport';
import { AckBatcher } from './ack-batcher';
import { TerminalConnection, type TerminalScreen } from './terminal-connection';

/** A back end in memory: records calls, lets the test answer `terminal.open` and push events. */
function fakeTransport() {
  const calls: { method: MethodName; params: unknown }[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let answerOpen: ((id: string) => void) | undefined;
  let failOpen: ((error: Error) => void) | undefined;
  const transport: Transport = {
    kind: 'websocket',
    call: ((method: MethodName, params: unknown) => {
      calls.push({ method, params });
      if (method === 'terminal.open') {
        return new Promise<unknown>((resolve, reject) => {
          answerOpen = (id) => resolve({ id });
          failOpen = reject;
        });
      }
      return Promise.resolve({});
    }) as Transport['call'],
    on: ((event: EventName, listener: (payload: unknown) => void) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    }) as Transport['on'],
  };
  return {
    transport,
    calls,
    of: (method: MethodName) => calls.filter((c) => c.method === method).map((c) => c.params),
    emit: <E extends EventName>(event: E, payload: EventPayloads[E]) => listeners.get(event)?.forEach((l) => l(payload)),
    listening: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
    open: (id: string) => answerOpen?.(id),
    fail: (message: string) => failOpen?.(new Error(message)),
  };
}

/** A screen that draws at once (like xterm's write callback, synchronously) and keeps what it drew. */
function fakeScreen(): TerminalScreen & { text: string; notices: string[]; later: (() => void)[]; endings: number } {
  const screen = {
    text: '',
    endings: 0,
    ended() {
      screen.endings++;
    },
    notices: [] as string[],
    later: [] as (() => void)[],
    write(data: string, drawn: () => void) {
      screen.text += data;
      screen.later.push(drawn);
    },
    notice(message: Message) {
      screen.notices.push(english(message.key, message.params));
    },
  };
  return screen;
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const target = { session: 's1', node: 'compute1', namespace: 'vm1' };

/** A connection to `target` being opened: the back end has not answered yet. */
function startOpening() {
  const backend = fakeTransport();
  const screen = fakeScreen();
  const connection = new TerminalConnection(backend.transport, screen);
  return { backend, screen, connection, opened: connection.open(target, { cols: 80, rows: 24 }) };
}

/** A connection to `target` whose terminal the back end has opened as t1. */
async function opened() {
  const { opened, ...parts } = startOpening();
  parts.backend.open('t1');
  await opened;
  return parts;
}

describe('TerminalConnection', () => {
  it('opens with the fitted size, and keeps output that arrives before the open reply', async () => {
    const backend = fakeTransport();
    const screen = fakeScreen();
    const connection = new TerminalConnection(backend.transport, screen);
    const opening = connection.open(target, { cols: 120, rows: 40 });
    expect(backend.of('terminal.open')).toEqual([{ session: 's1', node: 'compute1', namespace: 'vm1', cols: 120, rows: 40 }]);
    backend.emit('terminal.data', { id: 't1', data: 'root@vm1:~# ' });
    backend.emit('terminal.data', { id: 'other', data: 'not ours' });
    backend.open('t1');
    await opening;
    backend.emit('terminal.data', { id: 't1', data: 'ls\r\n' });
    expect(screen.text).toBe('root@vm1:~# ls\r\n');
  });

  it('leaves the namespace out for the node itself', async () => {
    const backend = fakeTransport();
    const connection = new TerminalConnection(backend.transport, fakeScreen());
    void connection.open({ session: 's1', node: 'network' }, { cols: 80, rows: 24 });
    expect(backend.of('terminal.open')).toEqual([{ session: 's1', node: 'network', cols: 80, rows: 24 }]);
  });

  it('acknowledges exactly what was drawn, only after it was drawn', async () => {
    const backend = fakeTransport();
    const screen = fakeScreen();
    const sent: number[] = [];
    const connection = new TerminalConnection(
      backend.transport,
      screen,
      (send) => new AckBatcher((n) => (sent.push(n), send(n)), 10, 1000),
    );
    const opening = connection.open(target, { cols: 80, rows: 24 });
    backend.open('t1');
    await opening;
    backend.emit('terminal.data', { id: 't1', data: 'abcdef' });
    backend.emit('terminal.data', { id: 't1', data: 'ghijkl' });
    expect(backend.of('terminal.ack')).toEqual([]); // nothing drawn yet
    screen.later.splice(0).forEach((drawn) => drawn());
    expect(backend.of('terminal.ack')).toEqual([{ id: 't1', chars: 12 }]);
    connection.close();
  });

  it("says how much of a watched terminal's output its view fell behind on, and draws what comes after", async () => {
    const { backend, screen, connection } = await opened();
    backend.emit('terminal.data', { id: 't1', data: '', skipped: 120_000 });
    backend.emit('terminal.data', { id: 't1', data: 'tail\r\n' });
    expect(screen.notices).toEqual(['[… 120000 characters of output not shown: this view fell behind]']);
    expect(screen.text).toBe('tail\r\n');
    connection.close();
  });

  it('sends input typed while opening once the terminal exists, then live', async () => {
    const { backend, connection, opened } = startOpening();
    connection.write('ip a\r');
    expect(backend.of('terminal.write')).toEqual([]);
    backend.open('t1');
    await opened;
    connection.write('x');
    expect(backend.of('terminal.write')).toEqual([
      { id: 't1', data: 'ip a\r' },
      { id: 't1', data: 'x' },
    ]);
  });

  it('resizes only when the size changes, including a resize asked for while opening', async () => {
    const { backend, connection, opened } = startOpening();
    connection.resize({ cols: 100, rows: 30 });
    backend.open('t1');
    await opened;
    connection.resize({ cols: 100, rows: 30 });
    connection.resize({ cols: 90, rows: 30 });
    expect(backend.of('terminal.resize')).toEqual([
      { id: 't1', cols: 100, rows: 30 },
      { id: 't1', cols: 90, rows: 30 },
    ]);
  });

  it('shows the exit status and stops listening and sending', async () => {
    const { backend, screen, connection } = await opened();
    backend.emit('terminal.exit', { id: 'other', code: 1 });
    expect(screen.notices).toEqual([]);
    expect(screen.endings).toBe(0);
    backend.emit('terminal.exit', { id: 't1', code: 130 });
    expect(screen.notices).toEqual(['[exited with 130]']);
    expect(screen.endings).toBe(1); // the pane offers Reconnect and Close
    expect(backend.listening()).toBe(0);
    connection.write('ignored');
    connection.close();
    expect(backend.of('terminal.write')).toEqual([]);
    expect(backend.of('terminal.close')).toEqual([]); // the back end already forgot it
  });

  it('replays an exit that came before the open reply', async () => {
    const { backend, screen, opened } = startOpening();
    backend.emit('terminal.data', { id: 't1', data: 'bye' });
    backend.emit('terminal.exit', { id: 't1', code: 0 });
    backend.open('t1');
    await opened;
    expect(screen.text).toBe('bye');
    expect(screen.notices).toEqual(['[exited with 0]']);
  });

  it('closes on close, and closes a terminal whose open reply comes after close', async () => {
    const { backend, connection, opened } = startOpening();
    connection.close();
    backend.open('late');
    await opened;
    await flush();
    expect(backend.of('terminal.close')).toEqual([{ id: 'late' }]);
    expect(backend.listening()).toBe(0);

    const other = fakeTransport();
    const open = new TerminalConnection(other.transport, fakeScreen());
    const openingOther = open.open(target, { cols: 80, rows: 24 });
    other.open('t2');
    await openingOther;
    open.close();
    expect(other.of('terminal.close')).toEqual([{ id: 't2' }]);
  });

  it('says why it could not open', async () => {
    const { backend, screen, connection, opened } = startOpening();
    backend.fail('No lab session s1 is up.');
    await opened;
    expect(screen.notices).toEqual(['Could not open a terminal on compute1 in vm1: No lab session s1 is up.']);
    expect(connection.status).toBe('exited');
    expect(screen.endings).toBe(1);
  });
});
