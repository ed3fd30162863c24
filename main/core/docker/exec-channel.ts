import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { AppError } from '../errors';
import { EXEC_SERVER_PY } from './exec-server';
import { NotReady, openJsonLines, type JsonLines } from './json-lines';

/**
 * Commands in a node through one long-lived command server per container (exec-server.ts)
 * instead of one `docker exec` each. A `docker exec` costs four engine calls and a runc start,
 * about a tenth of a CPU second; a check of a lab runs dozens, and a class runs many labs. The
 * server forks each command, so a check costs the node its commands and little more.
 *
 * Every caller in this process shares the container's channel. A channel idle for IDLE_MS
 * closes (its server exits): the server holds about 9 MB of the node's memory, which thirty
 * students' idle labs should not pay between two check rounds. A node whose image has no Python
 * (the server never says it is ready) gets `undefined`: run the command the plain way.
 */

export const IDLE_MS = 5000;

export interface ChannelRequest {
  argv: readonly string[];
  stdin?: string | Buffer;
  env?: Readonly<Record<string, string>>;
  workdir?: string;
}

export interface ChannelResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
}

interface Reply {
  id: number;
  code: number;
  out: string;
  err: string;
}

class Channel {
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private closed: Error | undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly stderr: () => string,
  ) {
    this.idle();
  }

  get open(): boolean {
    return this.closed === undefined;
  }

  run(request: ChannelRequest, signal: AbortSignal): Promise<ChannelResult> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    const message: Record<string, unknown> = { id, argv: request.argv };
    if (request.stdin !== undefined) message.stdin = Buffer.from(request.stdin).toString('base64');
    if (request.env) message.env = request.env;
    if (request.workdir) message.cwd = request.workdir;
    const reply = new Promise<Reply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    // Past the caller's deadline the command and all it started are killed, not left running.
    const cancel = () => this.send({ cancel: id });
    signal.addEventListener('abort', cancel, { once: true });
    this.ref();
    this.send(message);
    return reply
      .then((r) => ({ exitCode: r.code, stdout: Buffer.from(r.out, 'base64'), stderr: Buffer.from(r.err, 'base64') }))
      .finally(() => {
        signal.removeEventListener('abort', cancel);
        this.pending.delete(id);
        if (this.pending.size === 0) this.idle();
      });
  }

  answered(reply: Reply): void {
    this.pending.get(reply.id)?.resolve(reply);
  }

  close(): void {
    if (this.closed) return;
    clearTimeout(this.idleTimer);
    const said = this.stderr().trim().split('\n').pop();
    this.closed = new AppError('failed', `The node's command channel closed${said ? `: ${said}` : ''}.`, {
      hint: 'The node may have stopped: `neutron-lab status` says.',
    });
    for (const { reject } of this.pending.values()) reject(this.closed);
    this.pending.clear();
    this.stream.destroy();
  }

  private send(message: object): void {
    if (!this.closed) this.stream.write(`${JSON.stringify(message)}\n`);
  }

  // An idle channel must not keep a CLI process alive; one with a command in flight must.
  private ref(): void {
    clearTimeout(this.idleTimer);
    (this.stream as Partial<{ ref(): void }>).ref?.();
  }

  private idle(): void {
    (this.stream as Partial<{ unref(): void }>).unref?.();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.retire(), IDLE_MS).unref();
  }

  /** Closed to new commands at once (the next opens another channel); the end of its input tells the server to exit. */
  private retire(): void {
    if (this.closed || this.pending.size > 0) return;
    this.closed = new AppError('failed', "The node's command channel was closed while idle.");
    this.stream.end();
  }
}

const channels = new Map<string, Promise<Channel | undefined>>();

/** The container's channel, opened on first use; undefined where no server can run. */
export async function channelOf(container: Docker.Container): Promise<Channel | undefined> {
  const key = container.id;
  let channel = channels.get(key);
  if (channel) {
    const open = await channel;
    if (!open || open.open) return open;
  }
  channel = openChannel(container);
  channels.set(key, channel);
  // A channel that failed to open is not remembered: the next command tries again.
  channel.catch(() => channels.delete(key));
  return channel;
}

async function openChannel(container: Docker.Container): Promise<Channel | undefined> {
  // Answers come only to commands, which are sent once the channel exists.
  const opened: { channel?: Channel } = {};
  let lines: JsonLines;
  try {
    // The standard library only: no site packages, no PYTHON* variables (and 10 ms less per start).
    lines = await openJsonLines(container, ['python3', '-I', '-S', '-c', EXEC_SERVER_PY], (message) =>
      opened.channel?.answered(message as unknown as Reply),
    );
  } catch (error) {
    if (!(error instanceof NotReady)) throw error;
    // Never ready. No Python in this node: its commands go by docker exec. Anything else (the
    // node stopping): this command fails, and the next opens a channel again.
    if (/python3/.test(error.said) && /not found|no such file/i.test(error.said)) return undefined;
    const said = error.said.trim().split('\n').pop();
    throw new AppError('failed', `The node's command channel did not open${said ? `: ${said}` : ''}.`);
  }
  const channel = new Channel(lines.stream, lines.stderr);
  opened.channel = channel;
  const close = () => channel.close();
  lines.stream.once('end', close);
  lines.stream.once('close', close);
  lines.stream.once('error', close);
  return channel;
}
