import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../main/api/access';
import { methodParams, type MethodName, type Reply, type WorkshopStatus } from '../../main/api/contract';
import { ApiService, type Client } from '../../main/api/service';
import { LABEL } from '../../main/core/docker/labels';
import { drawFault } from '../../main/core/lab/faults';
import { resolveLab } from '../../main/core/lab/catalog';
import { labsDir } from '../../main/core/paths';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { HIGH_WATER } from '../../main/core/terminal/terminals';
import { Workshop } from '../../main/core/workshop/workshop';
import { runCli, testEngine } from './helpers';

/**
 * A workshop's isolation, enforced in the service: every method of the contract, called by the
 * student who owns a lab, by another student and by the instructor, on real labs in the real
 * engine. A method added to the contract without a row here fails the first test.
 * (Who gets a connection at all — no identity, a wrong token — is main/server/workshop-server.test.ts.)
 */

type Role = 'ada' | 'alan' | 'instructor';
/** ok: it ran and succeeded. reached: the gate let it through (what it did next may fail on its own). */
type Outcome = 'ok' | 'reached' | 'forbidden' | 'hidden';
interface Row {
  params: (ctx: Context, role: Role) => object;
  expect: Record<Role, Outcome>;
  /** Only the refusals run in the walk: the allowed call would end what later rows use (the last test makes it). */
  refusalsOnly?: true;
}
interface Context {
  session: string;
  terminal: string;
  capture: string;
}

const everyone = (outcome: Outcome): Record<Role, Outcome> => ({ ada: outcome, alan: outcome, instructor: outcome });
const own: Record<Role, Outcome> = { ada: 'ok', alan: 'hidden', instructor: 'ok' };
// Terminals and captures are per connection: another's id is unknown to everyone else ("That terminal is closed").
const ownConnection: Record<Role, Outcome> = { ada: 'ok', alan: 'hidden', instructor: 'hidden' };

/** Rows in the order they run: a lab's own calls first, taking it down last. */
const MATRIX: Record<MethodName, Row> = {
  'environment.status': { params: () => ({}), expect: everyone('ok') },
  'image.build': { params: () => ({}), expect: { ada: 'forbidden', alan: 'forbidden', instructor: 'ok' } },
  'labs.list': { params: () => ({ language: 'en' }), expect: everyone('ok') },
  'labs.get': { params: () => ({ lab: 'gre-tenant', language: 'en' }), expect: { ada: 'forbidden', alan: 'forbidden', instructor: 'ok' } },
  'sessions.list': { params: () => ({}), expect: everyone('ok') },
  // Already up (a student's name is taken under their seat): the call reaches `up`, which refuses it for its own reason.
  'lab.up': {
    params: (c, role) => (role === 'instructor' ? { lab: 'ovs-basics', name: c.session } : { lab: 'ovs-basics' }),
    expect: everyone('reached'),
  },
  'lab.check': { params: (c) => ({ session: c.session, language: 'en' }), expect: own },
  'lab.hint': { params: (c) => ({ session: c.session, objective: 'br-int', language: 'en' }), expect: own },
  'lab.solve': { params: (c) => ({ session: c.session, step: 1, language: 'zh' }), expect: own },
  'node.snapshot': { params: (c) => ({ session: c.session, node: 'compute1' }), expect: own },
  'node.trace': {
    params: (c) => ({ session: c.session, node: 'compute1', bridge: 'br-int', flow: 'in_port=LOCAL' }),
    expect: { ada: 'reached', alan: 'hidden', instructor: 'reached' },
  },
  'node.ovs': { params: (c) => ({ session: c.session, node: 'compute1', request: { action: 'list' } }), expect: own },
  // Each capture allowed runs on until its connection closes; Ada's own, started before the walk, is stopped by her last.
  'capture.start': { params: (c) => ({ session: c.session, node: 'compute1', iface: 'lo' }), expect: own },
  // Ada's capture on lo has seen no packet: her call gets as far as saying so, without starting a decoder.
  'capture.decode': { params: (c) => ({ id: c.capture, number: 1 }), expect: { ada: 'reached', alan: 'hidden', instructor: 'hidden' } },
  'capture.stop': { params: (c) => ({ id: c.capture }), expect: ownConnection },
  // ovs-basics has no VM: a call let through gets as far as saying so, capturing nothing.
  'capture.follow': {
    params: (c) => ({ session: c.session, from: 'vm1', to: '10.0.0.1' }),
    expect: { ada: 'reached', alan: 'hidden', instructor: 'reached' },
  },
  // ovs-basics leaves its parts to the learner: a call let through gets as far as being refused for that.
  'lab.openstack': {
    params: (c) => ({ session: c.session, argv: ['network', 'list'] }),
    expect: { ada: 'reached', alan: 'hidden', instructor: 'reached' },
  },
  'lab.walk': {
    params: (c) => ({ session: c.session, from: 'vm1', to: '10.0.0.1' }),
    expect: { ada: 'reached', alan: 'hidden', instructor: 'reached' },
  },
  'terminal.open': { params: (c) => ({ session: c.session, node: 'compute1', cols: 80, rows: 24 }), expect: own },
  'terminal.write': { params: (c) => ({ id: c.terminal, data: 'true\r' }), expect: ownConnection },
  'terminal.resize': { params: (c) => ({ id: c.terminal, cols: 100, rows: 30 }), expect: ownConnection },
  'terminal.list': { params: (c) => ({ session: c.session }), expect: own },
  // Watching Ada's terminal (its real id) is the instructor's alone.
  'terminal.watch': { params: (c) => ({ id: c.terminal }), expect: { ada: 'forbidden', alan: 'forbidden', instructor: 'ok' } },
  // Acknowledging or closing an id the connection does not have is a no-op (closing twice is fine);
  // the walk then proves the owner's terminal still answers.
  'terminal.ack': { params: (c) => ({ id: c.terminal, chars: 10 }), expect: everyone('ok') },
  'terminal.close': { params: (c) => ({ id: c.terminal }), expect: everyone('ok') },
  'labfile.read': { params: () => ({ lab: 'ovs-basics' }), expect: everyone('forbidden') },
  'labfile.validate': { params: () => ({ text: 'id: x\n' }), expect: everyone('forbidden') },
  'labfile.save': { params: () => ({ lab: 'ovs-basics', text: 'id: ovs-basics\n' }), expect: everyone('forbidden') },
  'lab.saveAsLab': { params: (c) => ({ session: c.session, lab: 'ovs-basics' }), expect: everyone('forbidden') },
  'workshop.status': { params: () => ({}), expect: { ada: 'forbidden', alan: 'forbidden', instructor: 'ok' } },
  'workshop.broadcast': { params: () => ({ text: '' }), expect: { ada: 'forbidden', alan: 'forbidden', instructor: 'ok' } },
  // Ada asks for her own (no seat named); Alan names hers; the instructor names any.
  'workshop.rejoinCode': {
    params: (_c, role) => (role === 'ada' ? {} : { student: 's01' }),
    expect: { ada: 'ok', alan: 'forbidden', instructor: 'ok' },
  },
  // Boots the lab again from scratch, still Ada's (the next test reads its label).
  'lab.restart': { params: (c) => ({ session: c.session }), expect: own },
  'lab.reset': { params: (c) => ({ session: c.session, another: true }), expect: own },
  'lab.down': { params: (c) => ({ session: c.session }), expect: own, refusalsOnly: true },
};

let root: string;
let service: ApiService;
let workshop: Workshop;
const clients = {} as Record<Role | 'owner', Client>;
const names: string[] = [];

async function call(client: Client, method: MethodName, params: object): Promise<Reply<MethodName>> {
  return client.dispatch(method, params);
}

function outcomeOf(reply: Reply<MethodName>): Outcome {
  if (reply.ok) return 'ok';
  if (reply.error.code === 'forbidden') return 'forbidden';
  if (/^No lab of yours is up under the name|^That terminal is closed|^No capture of yours runs/.test(reply.error.message)) return 'hidden';
  return 'reached';
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'nl-workshop-it-'));
  // The server's own labs folder: the owner's labfile.save writes there, never into the checkout.
  for (const lab of ['ovs-basics', 'gre-tenant']) await cp(join(labsDir(), lab), join(root, 'labs', lab), { recursive: true });
  workshop = await Workshop.create(join(root, 'workshop'), { title: 'it', labs: ['ovs-basics'], seats: 3 });
  service = new ApiService({ labsDir: join(root, 'labs'), workshop: { workshop, dir: join(root, 'workshop') } });
  const seat = async (name: string): Promise<Caller> => {
    const { student } = await workshop.join(workshop.joinCode, name);
    return { role: 'student', id: student.id, name: student.name };
  };
  const quiet = () => undefined;
  clients.ada = service.client(quiet, await seat('Ada'));
  clients.alan = service.client(quiet, await seat('Alan'));
  clients.instructor = service.client(quiet, { role: 'instructor' });
  clients.owner = service.client(quiet);
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(clients).map((c) => c.close()));
  const engine = await testEngine();
  for (const name of names) await removeSessionsNamed(engine, name);
  await rm(root, { recursive: true, force: true });
});

describe('a workshop', () => {
  it('has a rule for every method of the contract, and this test a row for each', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(Object.keys(methodParams).sort());
  });

  it(
    'gives two students who start the same lab a copy each, under their seat, labelled theirs, and shows each only their own',
    { timeout: 240_000 },
    async () => {
      const [ada, alan] = await Promise.all([
        call(clients.ada, 'lab.up', { lab: 'ovs-basics' }),
        call(clients.alan, 'lab.up', { lab: 'ovs-basics' }),
      ]);
      for (const reply of [ada, alan]) if (reply.ok) names.push((reply.result as { name: string }).name);
      expect(ada, JSON.stringify(ada)).toMatchObject({ ok: true, result: { name: 's01-ovs-basics', state: 'running' } });
      expect(alan, JSON.stringify(alan)).toMatchObject({ ok: true, result: { name: 's02-ovs-basics', state: 'running' } });

      const { docker } = await testEngine();
      const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.session}=s01-ovs-basics`] } });
      expect(containers.map((c) => c.Labels[LABEL.student])).toEqual([`${workshop.id}:s01`]);

      const listed = async (role: Role) => {
        const reply = await call(clients[role], 'sessions.list', {});
        return reply.ok ? (reply.result as { sessions: { name: string }[] }).sessions.map((s) => s.name) : reply.error.message;
      };
      expect(await listed('ada')).toEqual(['s01-ovs-basics']);
      expect(await listed('alan')).toEqual(['s02-ovs-basics']);
      expect(await listed('instructor')).toEqual(expect.arrayContaining(['s01-ovs-basics', 's02-ovs-basics']));
      // One lab at a time each: a second copy under another name is refused, and nothing of it made.
      const second = await call(clients.ada, 'lab.up', { lab: 'ovs-basics', name: 'again' });
      expect(second).toMatchObject({
        ok: false,
        error: {
          code: 'state',
          message: 'You already have a lab up: ovs-basics (s01-ovs-basics). Stop it to start another: one lab at a time in a workshop.',
        },
      });
      expect(await listed('ada')).toEqual(['s01-ovs-basics']);
      // Each student's catalogue is the workshop's labs, with their own progress.
      const catalogue = await call(clients.ada, 'labs.list', { language: 'en' });
      expect(catalogue.ok && (catalogue.result as { labs: { id: string }[] }).labs.map((l) => l.id)).toEqual(['ovs-basics']);
    },
  );

  it(
    'lets each method do exactly what its rule says, for the lab owner, another student and the instructor',
    { timeout: 240_000 },
    async () => {
      const opened = await call(clients.ada, 'terminal.open', { session: 's01-ovs-basics', node: 'compute1', cols: 80, rows: 24 });
      expect(opened.ok, JSON.stringify(opened)).toBe(true);
      const capturing = await call(clients.ada, 'capture.start', { session: 's01-ovs-basics', node: 'compute1', iface: 'lo' });
      expect(capturing.ok, JSON.stringify(capturing)).toBe(true);
      const ctx: Context = {
        session: 's01-ovs-basics',
        terminal: (opened as { result: { id: string } }).result.id,
        capture: (capturing as { result: { id: string } }).result.id,
      };
      const found: string[] = [];
      const wanted: string[] = [];
      for (const [method, row] of Object.entries(MATRIX) as [MethodName, Row][]) {
        // The owner's terminal calls go last (close ends it), so the others try the id while it is open.
        for (const role of ['alan', 'instructor', 'ada'] as Role[]) {
          const expected = row.expect[role];
          if (row.refusalsOnly && (expected === 'ok' || expected === 'reached')) continue;
          if (method === 'terminal.close' && role === 'ada') {
            const still = await call(clients.ada, 'terminal.write', { id: ctx.terminal, data: 'true\r' });
            found.push(`Ada's terminal after the others closed its id: ${outcomeOf(still)}`);
            wanted.push("Ada's terminal after the others closed its id: ok");
          }
          const reply = await call(clients[role], method, row.params(ctx, role));
          // 'reached' is met by a call that also succeeded.
          const outcome = expected === 'reached' && outcomeOf(reply) === 'ok' ? 'reached' : outcomeOf(reply);
          found.push(`${method} by ${role}: ${outcome}${outcome === expected ? '' : ` (${JSON.stringify(reply).slice(0, 300)})`}`);
          wanted.push(`${method} by ${role}: ${expected}`);
        }
      }
      expect(found).toEqual(wanted);
    },
  );

  it('shows the instructor every student, their labs, what they did and what was solved for them', async () => {
    const reply = await call(clients.instructor, 'workshop.status', {});
    expect(reply.ok, JSON.stringify(reply)).toBe(true);
    const status = (reply as { result: WorkshopStatus }).result;
    expect(status).toMatchObject({ title: 'it', labs: ['ovs-basics'], seats: 3, joinCode: workshop.joinCode });
    const [ada, alan] = status.students;
    expect(ada).toMatchObject({ id: 's01', name: 'Ada', sessions: [{ name: 's01-ovs-basics', lab: 'ovs-basics', state: 'running' }] });
    expect(alan).toMatchObject({ id: 's02', name: 'Alan', sessions: [{ name: 's02-ovs-basics', state: 'running' }] });
    // In the walk, step 1 of Ada's lab was solved and its one hint taken (the instructor's
    // calls count for her lab, like the instructor's solve); Alan did nothing in his.
    const adaLab = ada?.labs[0];
    expect(adaLab?.objectives.find((o) => o.id === 'br-int')).toMatchObject({ mark: 'solved', hints: 1 });
    expect(adaLab?.lastActivity).toBeDefined();
    expect(alan?.labs[0]?.objectives.every((o) => o.mark === 'open' && o.hints === 0)).toBe(true);
    expect(alan?.labs[0]?.lastActivity).toBeUndefined();
  });

  it(
    'checks the running student labs in the background, state only, and shows what it found per objective',
    { timeout: 60_000 },
    async () => {
      // The walk ended with Ada resetting her lab: the instructor builds step 1 again; Alan's lab is as booted.
      expect(await call(clients.instructor, 'lab.solve', { session: 's01-ovs-basics', step: 1 })).toMatchObject({ ok: true });
      expect(await service.checkRound()).toHaveLength(2);
      const reply = await call(clients.instructor, 'workshop.status', {});
      const [ada, alan] = (reply as { result: WorkshopStatus }).result.students;
      expect(ada?.sessions[0]?.live?.objectives).toMatchObject({ 'br-int': true });
      expect(alan?.sessions[0]?.live?.objectives).toMatchObject({ 'br-int': false });
      expect(Date.parse(ada?.sessions[0]?.live?.checkedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
      // Nothing of it is written to the students' records: those are what they did.
      expect(alan?.labs[0]?.lastActivity).toBeUndefined();
    },
  );

  it(
    "checks a student's lab soon after a command in its terminal, and tells the instructor's class view",
    { timeout: 60_000 },
    async () => {
      const heard: unknown[] = [];
      const watching = service.client((event, payload) => heard.push({ event, payload }), { role: 'instructor' });
      // Full rounds far apart: what the class view sees here comes from the command alone.
      service.startBackgroundChecks(10 * 60_000);
      try {
        const opened = await call(clients.alan, 'terminal.open', { session: 's02-ovs-basics', node: 'compute1', cols: 80, rows: 24 });
        const id = (opened as { result: { id: string } }).result.id;
        const typed = Date.now();
        await call(clients.alan, 'terminal.write', { id, data: 'ovs-vsctl add-br br-int -- set bridge br-int datapath_type=netdev\r' });
        await expect
          .poll(() => heard, { timeout: 30_000 })
          .toContainEqual({ event: 'workshop.changed', payload: { session: 's02-ovs-basics' } });
        const seenAfter = Date.now() - typed;
        const reply = await call(clients.instructor, 'workshop.status', {});
        const alan = (reply as { result: WorkshopStatus }).result.students.find((s) => s.id === 's02');
        expect(alan?.sessions[0]?.live?.objectives).toMatchObject({ 'br-int': true });
        // Settled for a second, then checked: well within the full round's interval.
        expect(seenAfter).toBeLessThan(30_000);
        await call(clients.alan, 'terminal.close', { id });
      } finally {
        await service.stopBackgroundChecks();
        await watching.close();
      }
    },
  );

  it("lets the instructor watch a student's terminal live, and take it over", { timeout: 60_000 }, async () => {
    const seen = { alan: '', instructor: new Map<string, string>(), skipped: new Map<string, number>(), exits: [] as string[] };
    const seat = workshop.students.find((s) => s.name === 'Alan')!;
    const alan: Client = service.client(
      (event, payload) => {
        if (event !== 'terminal.data') return;
        const { id, data } = payload as { id: string; data: string };
        seen.alan += data;
        // Alan's screen keeps up: it acknowledges all it is sent, as xterm does once drawn.
        void call(alan, 'terminal.ack', { id, chars: data.length });
      },
      { role: 'student', id: seat.id, name: seat.name },
    );
    const instructor = service.client(
      (event, payload) => {
        const { id, data, skipped } = payload as { id: string; data?: string; skipped?: number };
        if (event === 'terminal.data') seen.instructor.set(id, (seen.instructor.get(id) ?? '') + data);
        if (skipped) seen.skipped.set(id, (seen.skipped.get(id) ?? 0) + skipped);
        if (event === 'terminal.exit') seen.exits.push(id);
      },
      { role: 'instructor' },
    );
    try {
      const opened = await call(alan, 'terminal.open', { session: 's02-ovs-basics', node: 'compute1', cols: 80, rows: 24 });
      const id = (opened as { result: { id: string } }).result.id;
      const listed = await call(instructor, 'terminal.list', { session: 's02-ovs-basics' });
      expect(listed).toMatchObject({ ok: true, result: { terminals: [{ id, node: 'compute1', by: `Alan (${seat.id})` }] } });

      const watched = await call(instructor, 'terminal.watch', { id });
      const watchId = (watched as { result: { id: string } }).result.id;
      expect(watchId).not.toBe(id);
      await call(alan, 'terminal.write', { id, data: 'echo from-$((40+2))-alan\r' });
      await expect.poll(() => seen.instructor.get(watchId) ?? '').toContain('from-42-alan');
      // Watching is not typing.
      expect(await call(instructor, 'terminal.write', { id: watchId, data: 'reboot\r' })).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: 'You are watching this terminal: take it over to type in it.' },
      });

      const taken = await call(instructor, 'terminal.watch', { id, control: true });
      const takenId = (taken as { result: { id: string; scrollback: string } }).result.id;
      // What was printed before comes first.
      expect((taken as { result: { scrollback: string } }).result.scrollback).toContain('from-42-alan');
      await call(instructor, 'terminal.write', { id: takenId, data: 'echo from-$((50+7))-instructor\r' });
      await expect.poll(() => seen.alan).toContain('from-57-instructor');

      // A flood in Alan's terminal. Alan's view keeps up; the instructor's acknowledges nothing, and
      // it must not slow Alan's: its copy stops past HIGH_WATER, and once it catches up it is told
      // how much it missed.
      const before = (seen.instructor.get(watchId) ?? '').length;
      await call(alan, 'terminal.write', { id, data: "head -c 600000 /dev/zero | tr '\\0' y; echo; echo flood-$((6*7))-done\r" });
      await expect.poll(() => seen.alan, { timeout: 30_000 }).toContain('flood-42-done');
      const got = (seen.instructor.get(watchId) ?? '').length;
      expect(got - before).toBeGreaterThan(HIGH_WATER);
      expect(got - before).toBeLessThan(600_000);
      expect(seen.skipped.get(watchId)).toBeUndefined();
      await call(instructor, 'terminal.ack', { id: watchId, chars: got });
      await expect.poll(() => seen.skipped.get(watchId) ?? 0).toBeGreaterThan(0);
      expect(got - before + seen.skipped.get(watchId)!).toBeGreaterThan(600_000);

      await call(alan, 'terminal.close', { id });
      expect(seen.exits.sort()).toEqual([watchId, takenId].sort());
      expect(await call(instructor, 'terminal.list', { session: 's02-ovs-basics' })).toMatchObject({ result: { terminals: [] } });
    } finally {
      await Promise.all([alan.close(), instructor.close()]);
    }
  });

  it("puts the instructor's broadcast on every student's screen at once, and on theirs after a reload", async () => {
    const heard: unknown[] = [];
    const seat = workshop.students.find((s) => s.name === 'Alan')!;
    const listening = service.client((event, payload) => heard.push({ event, payload }), { role: 'student', id: seat.id, name: seat.name });
    try {
      const sent = await call(clients.instructor, 'workshop.broadcast', { text: '  Break: back at 11:00  ' });
      expect(sent).toMatchObject({ ok: true, result: { message: { text: 'Break: back at 11:00' } } });
      expect(heard).toEqual([
        { event: 'workshop.message', payload: { message: expect.objectContaining({ text: 'Break: back at 11:00' }) } },
      ]);
      const status = await call(clients.alan, 'environment.status', {});
      expect(status).toMatchObject({ ok: true, result: { broadcast: { text: 'Break: back at 11:00' } } });
      expect(await call(clients.instructor, 'workshop.broadcast', { text: '' })).toMatchObject({ ok: true, result: { message: null } });
      expect(heard.at(-1)).toEqual({ event: 'workshop.message', payload: { message: null } });
      expect((await call(clients.alan, 'environment.status', {})) as { result: object }).not.toHaveProperty('result.broadcast');
    } finally {
      await listening.close();
    }
  });

  it('lets the machine owner (the desktop app, a one-learner server) do everything, lab files included', async () => {
    const read = await call(clients.owner, 'labfile.read', { lab: 'ovs-basics' });
    expect(read.ok).toBe(true);
    const text = (read as { result: { text: string } }).result.text;
    expect(await call(clients.owner, 'labfile.save', { lab: 'ovs-basics', text })).toMatchObject({ ok: true });
  });

  it('stops a student lab only for its owner or the instructor', { timeout: 120_000 }, async () => {
    expect(outcomeOf(await call(clients.alan, 'lab.down', { session: 's01-ovs-basics' }))).toBe('hidden');
    expect(await call(clients.ada, 'lab.down', { session: 's01-ovs-basics' })).toMatchObject({ ok: true });
    expect(await call(clients.instructor, 'lab.down', { session: 's02-ovs-basics' })).toMatchObject({ ok: true });
    const left = await call(clients.instructor, 'sessions.list', {});
    const mine = (left as { result: { sessions: { name: string }[] } }).result.sessions.filter((s) => /^s0[12]-ovs-basics$/.test(s.name));
    expect(mine).toEqual([]);
  });
});

describe('a workshop with a fault seed', () => {
  it('gives every student of the room the same fault of a troubleshooting lab, the one the seed draws', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nl-workshop-seed-'));
    const room = await Workshop.create(join(dir, 'workshop'), { title: 'seed', labs: ['troubleshoot-l2'], seats: 2, faultSeed: 'tuesday' });
    const seeded = new ApiService({ labsDir: labsDir(), workshop: { workshop: room, dir: join(dir, 'workshop') } });
    const student = async (name: string) => {
      const { student: seat } = await room.join(room.joinCode, name);
      return seeded.client(() => undefined, { role: 'student', id: seat.id, name: seat.name });
    };
    const [grace, linus] = [await student('Grace'), await student('Linus')];
    const sessions: string[] = [];
    try {
      const faults = await Promise.all(
        [grace, linus].map(async (client) => {
          const up = await client.dispatch('lab.up', { lab: 'troubleshoot-l2' });
          expect(up, JSON.stringify(up)).toMatchObject({ ok: true });
          const session = (up as { result: { name: string } }).result.name;
          sessions.push(session);
          const solved = await client.dispatch('lab.solve', { session });
          return (solved as { result: { repaired?: { fault: string } } }).result.repaired?.fault;
        }),
      );
      const { lab } = await resolveLab('troubleshoot-l2');
      const drawn = drawFault(lab.faults, { seed: 'tuesday' });
      expect(faults).toEqual([drawn, drawn]);
      // The instructor's class view names each student's fault (the students' own calls never do).
      const instructor = seeded.client(() => undefined, { role: 'instructor' });
      const status = (await instructor.dispatch('workshop.status', {})) as {
        result: { students: { sessions: { fault?: { name: string } }[] }[] };
      };
      expect(status.result.students.map((s) => s.sessions[0]?.fault?.name)).toEqual([drawn, drawn]);
      await instructor.close();
    } finally {
      const engine = await testEngine();
      for (const session of sessions) await removeSessionsNamed(engine, session);
      await Promise.all([grace.close(), linus.close()]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the workshop command', () => {
  it(
    'exports the results as CSV and JSON, ends the workshop removing every student lab, and keeps the results readable after',
    { timeout: 120_000 },
    async () => {
      const dir = join(root, 'workshop');
      const csv = await runCli(['workshop', 'results', '--dir', dir]);
      expect(csv.code, csv.stderr).toBe(0);
      const rows = csv.stdout.trim().split('\r\n');
      expect(rows[0]).toBe('seat,name,lab,step,objective,result,at,attempts,hints');
      expect(rows).toContainEqual(expect.stringMatching(/^s01,Ada,ovs-basics,bridge,br-int,solved,\d{4}-.*,1$/));
      expect(rows.filter((r) => r.startsWith('s02,Alan,')).every((r) => r.includes(',open,'))).toBe(true);
      const json = await runCli(['workshop', 'results', '--dir', dir, '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({ title: 'it', students: [{ id: 's01' }, { id: 's02' }] });

      const again = await call(clients.ada, 'lab.up', { lab: 'ovs-basics' });
      expect(again, JSON.stringify(again)).toMatchObject({ ok: true, result: { name: 's01-ovs-basics' } });
      names.push('s01-ovs-basics');
      const ended = await runCli(['workshop', 'end', '--dir', dir, '--json']);
      expect(ended.code, ended.stderr).toBe(0);
      expect(JSON.parse(ended.stdout)).toMatchObject({ removedLabs: ['s01-ovs-basics'] });
      expect(await Workshop.open(dir)).toBeUndefined();
      const after = await runCli(['workshop', 'results', '--dir', dir]);
      expect(after.stdout).toContain('s01,Ada,ovs-basics');
      expect((await runCli(['workshop', 'end', '--dir', dir])).code).toBe(4);
    },
  );
});
