import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiService } from '../api/service';
import { Workshop } from '../core/workshop/workshop';
import { startWebServer, type RunningServer } from './web-server';

/**
 * A workshop's server over real HTTP and WebSocket: the join page, the seat cookie, and who
 * gets in. (What each identity may then do with labs is test/integration/workshop.test.ts.)
 * The calls used here need no Docker engine.
 */

let dir: string;
let staticDir: string;
let workshop: Workshop;
let server: RunningServer;
let base: string;
/** Ada's seat cookie, from the join test. */
let adaSeat = '';

async function serve(): Promise<void> {
  server = await startWebServer({
    host: '127.0.0.1',
    port: 0,
    staticDir,
    service: new ApiService({ workshop: { workshop, dir } }),
    workshop,
  });
  base = `http://127.0.0.1:${new URL(server.url).port}`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nl-workshop-server-'));
  staticDir = mkdtempSync(join(tmpdir(), 'nl-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
  workshop = await Workshop.create(dir, { title: 'Class <b>7</b>', labs: ['gre-tenant'], seats: 2 });
  await serve();
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(staticDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(path: string, options: { method?: string; form?: Record<string, string>; cookie?: string } = {}): Promise<Answer> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method: options.method ?? (body ? 'POST' : 'GET'),
        headers: {
          ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
          ...(options.cookie ? { Cookie: options.cookie } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const join_ = (name: string, code = workshop.joinCode) => http('/join', { form: { code, name } });
const seatOf = (answer: Answer) => String(answer.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';

/** Opens the API as a browser would (same origin), and makes one call; or says how the upgrade was refused. */
function call(
  query: string,
  cookie: string | undefined,
  method: string,
  params: object = {},
): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } } | string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api${query}`, {
      headers: { Origin: base, ...(cookie ? { Cookie: cookie } : {}) },
    });
    ws.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, method, params })));
    ws.once('message', (data: Buffer) => {
      resolve((JSON.parse(data.toString()) as { reply: { ok: boolean } }).reply);
      ws.close();
    });
  });
}

describe('a workshop server', () => {
  it('sends a browser without a seat to the join page, which shows the workshop with its title escaped', async () => {
    const home = await http('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/join');
    const page = await http(`/join?code=${workshop.joinCode}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Class &lt;b&gt;7&lt;/b&gt;');
    expect(page.body).toContain(`value="${workshop.joinCode}"`);
    expect(page.body).toContain('0 of 2 seats taken');
  });

  it('seats a student with an HttpOnly cookie; a wrong code, a taken name and a full room are refused with nothing about the others', async () => {
    const wrong = await join_('Ada', 'NOPE99');
    expect(wrong.status).toBe(403);
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const ada = await join_('Ada');
    expect(ada.status).toBe(303);
    expect(ada.headers['set-cookie']?.[0]).toMatch(/^nl-seat=[\w-]{32}; HttpOnly; SameSite=Strict; Path=\//);
    adaSeat = seatOf(ada);
    // With the seat, the app itself is served.
    expect((await http('/', { cookie: seatOf(ada) })).body).toContain('<title>app</title>');

    const taken = await join_('ada');
    expect(taken.status).toBe(400);
    expect(taken.body).toContain('The name &quot;ada&quot; is taken');
    await join_('Grace');
    const full = await join_('<script>alert(1)</script>');
    expect(full.body).toContain('The workshop is full: 2 of 2 seats.');
    expect(full.body).toContain('&lt;script&gt;');
    expect(full.body).not.toContain('<script>');
    for (const answer of [wrong, taken, full]) expect(answer.body).not.toMatch(/Grace|s0\d/);
  });

  it('lets in the API only the instructor (by token) and seated students (by cookie)', async () => {
    expect(await call('', undefined, 'labs.list', { language: 'en' })).toBe('refused 401');
    expect(await call('?token=guess', undefined, 'labs.list', { language: 'en' })).toBe('refused 401');
    expect(await call('', 'nl-seat=guess', 'labs.list', { language: 'en' })).toBe('refused 401');
    expect(await call(`?token=${workshop.instructorToken}`, undefined, 'environment.status')).toMatchObject({ ok: true });
    // Seated: the workshop's labs only, and none of the server's own business.
    const labs = (await call('', adaSeat, 'labs.list', { language: 'en' })) as {
      ok: true;
      result: { labs: { id: string }[]; broken: unknown[] };
    };
    expect(labs.result.labs.map((l) => l.id)).toEqual(['gre-tenant']);
    expect(await call('', adaSeat, 'labfile.read', { lab: 'gre-tenant' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('', adaSeat, 'image.build', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call('', adaSeat, 'labs.get', { lab: 'dhcp-router', language: 'en' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('keeps every seat across a restart of the server', async () => {
    const seat = seatOf(await http('/join', { form: { code: workshop.joinCode, name: 'Nobody' } }));
    expect(seat).toBe(''); // full: no seat given
    await server.close();
    workshop = (await Workshop.open(dir)) as Workshop;
    await serve();
    expect(workshop.students.map((s) => s.name)).toEqual(['Ada', 'Grace']);
    expect((await http('/join')).body).toContain('2 of 2 seats taken');
    // Ada's browser is still Ada: the page and the API know her seat.
    expect((await http('/join', { cookie: adaSeat })).headers.location).toBe('/');
    expect(await call('', adaSeat, 'labs.list', { language: 'en' })).toMatchObject({ ok: true });
  });

  it('moves a seat to another browser with a rejoin code: the new browser is the student, the old one is let go', async () => {
    // Ada's old browser holds a connection open while she asks for a code in it.
    const old = new WebSocket(`${base.replace('http', 'ws')}/api`, { headers: { Origin: base, Cookie: adaSeat } });
    const closed = new Promise<number>((resolve) => old.once('close', (code) => resolve(code)));
    await new Promise((resolve) => old.once('open', resolve));
    const asked = (await call('', adaSeat, 'workshop.rejoinCode', {})) as { ok: true; result: { code: string; name: string } };
    expect(asked).toMatchObject({ ok: true, result: { student: 's01', name: 'Ada' } });

    const wrong = await http('/join', { form: { rejoin: 'AAAA-AAAA' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toContain('That rejoin code is wrong, used or expired.');
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const moved = await http('/join', { form: { rejoin: asked.result.code } });
    expect(moved.status).toBe(303);
    const newSeat = seatOf(moved);
    expect(newSeat).toMatch(/^nl-seat=[\w-]{32}$/);
    expect(await call('', newSeat, 'environment.status')).toMatchObject({ ok: true, result: { caller: { role: 'student', seat: 's01' } } });
    expect(await closed).toBe(4001);
    expect(await call('', adaSeat, 'labs.list', { language: 'en' })).toBe('refused 401');
    expect((await http('/join', { form: { rejoin: asked.result.code } })).status).toBe(403);
    adaSeat = newSeat;
  });
});
