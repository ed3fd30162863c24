import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { MethodName, MethodResults, Reply } from '../../main/api/contract';
import { LABEL } from '../../main/core/docker/labels';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { cliUntil, testEngine } from './helpers';

/**
 * Nothing of a workshop is lost to `kill -9` of its server: the student's browser is still them,
 * their progress is there and their running lab is theirs again. A lab that broke (a node
 * killed) shows as broken and starts again in one call, still the student's.
 */

const dir = mkdtempSync(join(tmpdir(), 'nl-workshop-restart-'));
// Under its own name: the other workshop tests seat students s01 too.
const SESSION = 's01-restart';
let server: ChildProcess | undefined;

/** `workshop start` (a new one, or the one kept in dir) on a free port: its origin and join code. */
async function start(newWorkshop: boolean): Promise<{ origin: string; code: string }> {
  const args = ['workshop', 'start', '--port', '0', '--dir', dir, ...(newWorkshop ? ['--labs', 'ovs-basics', '--seats', '2'] : [])];
  const { child, found } = await cliUntil(args, { NEUTRON_LAB_DATA: dir }, (output) => {
    const joinAt = /Students join at: +(\S+)/.exec(output)?.[1];
    const code = /Join code: +(\S+)/.exec(output)?.[1];
    return joinAt && code ? { origin: new URL(joinAt).origin, code } : undefined;
  });
  server = child;
  return found;
}

/** Takes a seat as the join form does; the seat cookie. */
function joinAs(origin: string, name: string, code: string): Promise<string> {
  const body = new URLSearchParams({ code, name }).toString();
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/join`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      resolve(String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '');
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One call over the API, as the student's browser makes it. */
function call<M extends MethodName>(origin: string, cookie: string, method: M, params: object = {}): Promise<Reply<M>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${origin.replace('http', 'ws')}/api`, { headers: { Origin: origin, Cookie: cookie } });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, method, params })));
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number; reply?: Reply<M> };
      if (message.id !== 1 || !message.reply) return; // boot events
      resolve(message.reply);
      ws.close();
    });
  });
}

const result = <M extends MethodName>(reply: Reply<M>): MethodResults[M] => {
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.result;
};

afterAll(async () => {
  server?.kill('SIGKILL');
  await removeSessionsNamed(await testEngine(), SESSION);
  rmSync(dir, { recursive: true, force: true });
});

describe('a workshop server killed with -9', () => {
  it(
    'comes back with every seat, its progress and the running labs; a broken lab starts again, still the student’s',
    { timeout: 300_000 },
    async () => {
      const first = await start(true);
      let origin = first.origin;
      const ada = await joinAs(origin, 'Ada', first.code);
      expect(ada).toMatch(/^nl-seat=/);
      expect(result(await call(origin, ada, 'lab.up', { lab: 'ovs-basics', name: 'restart' }))).toMatchObject({
        name: SESSION,
        state: 'running',
      });
      expect(result(await call(origin, ada, 'lab.solve', { session: SESSION, step: 1 })).built.length).toBeGreaterThan(0);
      const before = result(await call(origin, ada, 'labs.list', { language: 'en' })).labs[0]?.progress;
      expect(before?.solved).toBeGreaterThan(0);

      server!.kill('SIGKILL');
      await new Promise((resolve) => server!.once('close', resolve));
      const second = await start(false);
      expect(second.code).toBe(first.code);
      origin = second.origin;

      // Her browser's cookie is still Ada; her lab and her progress are hers.
      expect(result(await call(origin, ada, 'environment.status'))).toMatchObject({
        caller: { role: 'student', seat: 's01', name: 'Ada' },
      });
      expect(result(await call(origin, ada, 'sessions.list')).sessions).toEqual([
        expect.objectContaining({ name: SESSION, state: 'running' }),
      ]);
      expect(result(await call(origin, ada, 'labs.list', { language: 'en' })).labs[0]?.progress).toEqual(before);

      // A node dies: the lab is broken, and one call boots it again under her seat.
      const { docker } = await testEngine();
      const [node] = await docker.listContainers({ filters: { label: [`${LABEL.session}=${SESSION}`] } });
      await docker.getContainer(node!.Id).kill();
      expect(result(await call(origin, ada, 'sessions.list')).sessions).toEqual([
        expect.objectContaining({ name: SESSION, state: 'broken' }),
      ]);
      expect(result(await call(origin, ada, 'lab.restart', { session: SESSION }))).toMatchObject({ name: SESSION, state: 'running' });
      const [again] = await docker.listContainers({ filters: { label: [`${LABEL.session}=${SESSION}`] } });
      expect(again?.Labels[LABEL.student]).toBe(node?.Labels[LABEL.student]);
      expect(result(await call(origin, ada, 'labs.list', { language: 'en' })).labs[0]?.progress).toEqual(before);
    },
  );
});
