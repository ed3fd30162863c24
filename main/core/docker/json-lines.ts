import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { ENGINE_CALL_TIMEOUT_MS } from './deadline';
import { demux } from './demux';

/**
 * A program in a node that speaks JSON on its standard input and output, one object per line —
 * the command server (exec-channel.ts), the sandbox's API relay (run/explore-api.ts): started by
 * `docker exec` with its input kept open, its `{"ready": true}` awaited within the engine's call
 * bound, then every object it writes handed on. What it writes to standard error is kept (the
 * last 2,000 characters) to say why it ended.
 */

export interface JsonLines {
  stream: Duplex;
  /** The end of what it wrote to standard error. */
  stderr(): string;
}

/** It ended (or was given up on) before it said it was ready; `said` is what it wrote meanwhile. */
export class NotReady extends Error {
  constructor(readonly said: string) {
    super(`not ready${said.trim() ? `: ${said.trim().split('\n').pop()}` : ''}`);
  }
}

export interface JsonLinesOptions {
  /** A line longer than this ends it: for a program in a node the learner controls. */
  maxLine?: number;
}

export async function openJsonLines(
  container: Docker.Container,
  cmd: string[],
  onMessage: (message: Record<string, unknown>, stream: Duplex) => void,
  options: JsonLinesOptions = {},
): Promise<JsonLines> {
  const exec = await container.exec({ Cmd: cmd, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  let said = '';
  let buffered = '';
  let ready = false;
  return new Promise<JsonLines>((resolve, reject) => {
    // An engine that never starts the program fails this opening, not every call after it.
    const opening = setTimeout(() => stream.destroy(), ENGINE_CALL_TIMEOUT_MS);
    const ended = () => {
      clearTimeout(opening);
      if (!ready) reject(new NotReady(said + buffered));
    };
    stream.once('end', ended);
    stream.once('close', ended);
    stream.once('error', ended);
    demux(
      stream,
      (bytes) => {
        buffered += bytes.toString('utf8');
        if (!bytes.includes(10)) {
          // Most of a long line: no end in it yet.
          if (options.maxLine !== undefined && buffered.length > options.maxLine) stream.destroy();
          return;
        }
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          let message: Record<string, unknown>;
          try {
            message = JSON.parse(line) as Record<string, unknown>;
          } catch {
            said += `\na line that is not JSON: ${line.slice(0, 200)}`;
            stream.destroy();
            return;
          }
          if (!ready && message.ready === true) {
            ready = true;
            clearTimeout(opening);
            resolve({ stream, stderr: () => said });
          } else onMessage(message, stream);
        }
      },
      (bytes) => (said = (said + bytes.toString('utf8')).slice(-2000)),
    );
  });
}
