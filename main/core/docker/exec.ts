import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { AppError } from '../errors';
import { channelOf } from './exec-channel';
import { ENGINE_CALL_TIMEOUT_MS, EXEC_TIMEOUT_MS, withDeadline } from './deadline';
import { demux } from './demux';

/**
 * Running commands inside a node. Commands are always argv arrays handed to the engine
 * as such: no shell ever parses user or lab text.
 */

export interface ExecOptions {
  /**
   * Bytes for the command's standard input; it is closed after them. A promise lets the command
   * start before its input exists (tshark loads its dissectors meanwhile); one that fails closes
   * the input empty.
   */
  stdin?: string | Buffer | Promise<string | Buffer>;
  env?: Readonly<Record<string, string>>;
  workdir?: string;
  /** Run as this user ("uid:gid"), not the container's. */
  user?: string;
  /** Receive output as it arrives (e.g. `neutron-lab exec` streaming to the terminal). */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /**
   * false: standard output goes to onStdout only and the result's is empty — for output that
   * runs for hours or to a hundred megabytes (a streamed tcpdump, tshark's tree of a capture).
   */
  keepStdout?: boolean;
  /** How long the whole command may take (default EXEC_TIMEOUT_MS); past it, a clear error. */
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function assertArgv(argv: readonly string[]): void {
  if (argv.length === 0 || argv.some((arg) => typeof arg !== 'string')) {
    throw new AppError('usage', 'A command must be a non-empty list of strings (argv).');
  }
  if (argv.some((arg) => arg.includes('\0'))) {
    throw new AppError('input', 'A command argument contains a NUL byte, which no program can receive.');
  }
}

const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** argv that runs `argv` inside namespace `netns` (or as is). The name is one argv element, never parsed. */
export function inNamespace(argv: readonly string[], netns: string | undefined): string[] {
  if (netns === undefined || netns === '') return [...argv];
  if (!NETNS_NAME.test(netns)) throw new AppError('input', `"${netns}" is not a network namespace name.`);
  return ['ip', 'netns', 'exec', netns, ...argv];
}

/** Runs `argv` in the container and returns its exit code and demultiplexed output (UTF-8). */
export async function execArgv(container: Docker.Container, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const result = await execArgvBytes(container, argv, options);
  return { exitCode: result.exitCode, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
}

/** As execArgv, with the output as bytes (for framed or binary output). */
export async function execArgvBytes(
  container: Docker.Container,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer }> {
  assertArgv(argv);
  return withDeadline(`\`${argv.join(' ').slice(0, 80)}\` in a node`, options.timeoutMs ?? EXEC_TIMEOUT_MS, (signal) =>
    runExec(container, argv, options, signal),
  );
}

async function runExec(
  container: Docker.Container,
  argv: readonly string[],
  options: ExecOptions,
  signal: AbortSignal,
): Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer }> {
  // Output taken as it comes, another user or input still being made: only `docker exec` does those.
  const plainOnly = options.onStdout || options.onStderr || options.user || options.stdin instanceof Promise;
  const channel = plainOnly ? undefined : await channelOf(container);
  if (channel) {
    const stdin = options.stdin as string | Buffer | undefined;
    return channel.run({ argv, ...(stdin !== undefined ? { stdin } : {}), env: options.env, workdir: options.workdir }, signal);
  }
  const withStdin = options.stdin !== undefined;
  const exec = await container.exec({
    Cmd: [...argv],
    AttachStdin: withStdin,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    ...(options.env ? { Env: envList(options.env) } : {}),
    ...(options.workdir ? { WorkingDir: options.workdir } : {}),
    ...(options.user ? { User: options.user } : {}),
  });
  const stream = (await exec.start({ hijack: true, stdin: withStdin })) as Duplex;
  // Past the deadline the connection goes; the engine stops streaming to nobody.
  if (signal.aborted) stream.destroy();
  signal.addEventListener('abort', () => stream.destroy(), { once: true });

  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const keepStdout = options.keepStdout !== false;
  demux(
    stream,
    (bytes) => {
      if (keepStdout) stdout.push(bytes);
      options.onStdout?.(bytes);
    },
    (bytes) => {
      stderr.push(bytes);
      options.onStderr?.(bytes);
    },
  );

  const ended = streamEnded(stream);
  if (withStdin) {
    Promise.resolve(options.stdin).then(
      (bytes) => stream.end(bytes),
      () => stream.end(),
    );
  }
  await ended;

  return { exitCode: await exitCodeOf(exec), stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) };
}

/** An interactive terminal in a node, for the CLI's `shell` and the app's terminals. */
export interface TtySession {
  /** Raw terminal bytes both ways. */
  stream: Duplex;
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves with the exit code once the program in the terminal exits. */
  exited: Promise<number>;
}

export interface TtyOptions {
  cols: number;
  rows: number;
  env?: Readonly<Record<string, string>>;
}

export async function openTty(container: Docker.Container, argv: readonly string[], options: TtyOptions): Promise<TtySession> {
  assertArgv(argv);
  // Only the opening is bounded: a terminal then lives as long as its user wants.
  return withDeadline('opening a terminal', ENGINE_CALL_TIMEOUT_MS, () => startTty(container, argv, options));
}

async function startTty(container: Docker.Container, argv: readonly string[], options: TtyOptions): Promise<TtySession> {
  const exec = await container.exec({
    Cmd: [...argv],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Env: envList({ TERM: 'xterm-256color', ...options.env }),
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  const resize = async (cols: number, rows: number) => {
    if (cols > 0 && rows > 0) await exec.resize({ w: Math.floor(cols), h: Math.floor(rows) });
  };
  // Older engines cannot take the size at start; set it before the first prompt is drawn.
  await resize(options.cols, options.rows).catch(() => undefined);
  const exited = streamEnded(stream).then(() => exitCodeOf(exec));
  return { stream, resize, exited };
}

function envList(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

function streamEnded(stream: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', (error) => (done ? undefined : reject(error)));
  });
}

/** The engine may report the exit code a moment after the output stream closes. */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const info = await withDeadline('reporting an exit code', ENGINE_CALL_TIMEOUT_MS, () => exec.inspect());
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new AppError('failed', 'The command finished but the Docker engine never reported its exit code.');
}
