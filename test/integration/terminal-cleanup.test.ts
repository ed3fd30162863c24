import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiService } from '../../main/api/service';
import { execArgv } from '../../main/core/docker/exec';
import { resolveLab } from '../../main/core/lab/catalog';
import { up } from '../../main/core/session/boot';
import { requireNode } from '../../main/core/session/sessions';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { startWebServer, type RunningServer } from '../../main/server/web-server';
import { testEngine, uniqueName, waitFor } from './helpers';

/**
 * Terminals end with their client: a tab that goes away, a terminal closed, a server stopped.
 * Counted where it matters, in the node: its `bash` processes and a job left running in one.
 */

const session = uniqueName('term');
let node: Docker.Container;
let server: RunningServer;
let staticDir: string;
let baseline: number;

/** Processes in the node whose name is exactly `name` (or, with `full`, whose command line is). */
async function count(name: string, full = false): Promise<number> {
  const { stdout } = await execArgv(node, ['pgrep', '-c', ...(full ? ['-f', '-x'] : ['-x']), name]);
  return Number(stdout.trim() || '0');
}

async function connect(): Promise<{ ws: WebSocket; call: (method: string, params: object) => Promise<{ id?: string }> }> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}api`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let next = 0;
  const pending = new Map<number, (reply: { ok: boolean; result?: object; error?: { message: string } }) => void>();
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { id?: number; reply?: { ok: boolean; result?: object } };
    if (typeof message.id === 'number' && message.reply) pending.get(message.id)?.(message.reply);
  });
  const call = (method: string, params: object) =>
    new Promise<{ id?: string }>((resolve, reject) => {
      const id = next++;
      pending.set(id, (reply) =>
        reply.ok ? resolve(reply.result as { id?: string }) : reject(new Error(`${method}: ${reply.error?.message}`)),
      );
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { ws, call };
}

const openTerminal = (call: Awaited<ReturnType<typeof connect>>['call']) =>
  call('terminal.open', { session, node: 'compute1', cols: 80, rows: 24 }).then((r) => r.id as string);

beforeAll(async () => {
  const engine = await testEngine();
  await up(engine, await resolveLab('ovs-basics'), { name: session });
  node = await requireNode(engine, session, 'compute1');
  staticDir = mkdtempSync(join(tmpdir(), 'nl-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>test</title>');
  server = await startWebServer({ host: '127.0.0.1', port: 0, staticDir, service: new ApiService() });
  baseline = await count('bash');
}, 180_000);

afterAll(async () => {
  await server?.close();
  await removeSessionsNamed(await testEngine(), session);
  rmSync(staticDir, { recursive: true, force: true });
});

describe('terminals end with their client', () => {
  it('a tab that disconnects leaves no shell and no job behind', async () => {
    const { ws, call } = await connect();
    const ids = await Promise.all([1, 2, 3, 4, 5].map(() => openTerminal(call)));
    await waitFor(async () => (await count('bash')) === baseline + 5, 30_000, 200);
    // A foreground job in one of them: bash gives it its own process group.
    await call('terminal.write', { id: ids[0], data: 'sleep 7777\r' });
    await waitFor(async () => (await count('sleep 7777', true)) === 1, 30_000, 200);

    ws.close();
    await waitFor(async () => (await count('bash')) === baseline && (await count('sleep 7777', true)) === 0, 30_000, 200);
  }, 90_000);

  it('terminal.close ends that terminal only', async () => {
    const { ws, call } = await connect();
    const [first, second] = await Promise.all([openTerminal(call), openTerminal(call)]);
    await waitFor(async () => (await count('bash')) === baseline + 2, 30_000, 200);
    await call('terminal.close', { id: first });
    // terminal.close answers once the processes are gone.
    expect(await count('bash')).toBe(baseline + 1);
    await call('terminal.write', { id: second, data: 'echo still-here\r' });
    ws.close();
    await waitFor(async () => (await count('bash')) === baseline, 30_000, 200);
  }, 90_000);

  it('stopping the server ends every terminal before it returns', async () => {
    const { call } = await connect();
    await Promise.all([1, 2, 3].map(() => openTerminal(call)));
    await waitFor(async () => (await count('bash')) === baseline + 3, 30_000, 200);
    await server.close();
    expect(await count('bash')).toBe(baseline);
  }, 90_000);
});
