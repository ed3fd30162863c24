import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayloads, MethodName, MethodParams, MethodResults } from '../../main/api/contract';
import { ApiService, type Client } from '../../main/api/service';
import { HIGH_WATER } from '../../main/core/terminal/terminals';
import { ProgressStore } from '../../main/core/run/progress-store';
import { labsDir } from '../../main/core/paths';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { testEngine, uniqueName, waitFor } from './helpers';

/**
 * The API the app's windows and tabs use, through a client of the real service (the
 * transports only carry its replies and events): lab lifecycle with boot events, terminals
 * with flow control, lab files, and errors as structured values.
 */

const service = new ApiService({ progress: new ProgressStore(mkdtempSync(join(tmpdir(), 'nl-api-progress-'))) });
const events: { [E in EventName]?: EventPayloads[E][] } = {};
const client: Client = service.client((event, payload) => {
  (events[event] ??= [] as never[]).push(payload as never);
});
const session = uniqueName('api');

async function call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResults[M]> {
  const reply = await client.dispatch(method, params);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.code}: ${reply.error.message}`);
  return reply.result as MethodResults[M];
}

/** Everything a terminal has printed so far. */
const output = (id: string) =>
  (events['terminal.data'] ?? [])
    .filter((e) => e.id === id)
    .map((e) => e.data)
    .join('');

beforeAll(async () => {
  await call('lab.up', { lab: 'ovs-basics', name: session });
}, 120_000);

afterAll(async () => {
  client.close();
  await removeSessionsNamed(await testEngine(), session);
});

describe('the API, through one client', () => {
  it('up reports every node through creating, starting and ready, as lab.boot events', () => {
    const boot = (events['lab.boot'] ?? []).filter((e) => e.session === session);
    expect(boot.map((e) => e.phase)).toEqual(expect.arrayContaining(['creating', 'starting', 'ready']));
    expect(new Set(boot.map((e) => e.node))).toEqual(new Set(['compute1']));
  });

  it('lists the catalogue with progress, and a lab with its steps and guides in either language', async () => {
    const { labs } = await call('labs.list', { language: 'zh' });
    const basics = labs.find((l) => l.id === 'ovs-basics');
    expect(basics).toMatchObject({ level: 'beginner', progress: { met: 0, total: 11 } });
    expect(basics?.title).toMatch(/OVS 基础/);
    const detail = await call('labs.get', { lab: 'gre-tenant', language: 'en' });
    expect(detail.steps.map((s) => s.id)).toEqual(['look', 'tables', 'traffic']);
    expect(detail.steps[1]?.guide).toMatch(/```/);
    expect(detail.vms).toEqual([{ name: 'vm1', node: 'compute1', address: '192.168.1.3' }]);
  });

  it('checks, solves and checks again; the catalogue then shows the progress', async () => {
    const before = await call('lab.check', { session, language: 'en' });
    expect(before.passed).toBe(0);
    await call('lab.solve', { session });
    const after = await call('lab.check', { session, language: 'en' });
    expect(after.passed).toBe(after.total);
    const { labs } = await call('labs.list', { language: 'en' });
    // Done by `solve`, so counted and marked as solved for the learner.
    expect(labs.find((l) => l.id === 'ovs-basics')?.progress).toEqual({ met: 11, solved: 11, total: 11 });
  });

  it('a snapshot with diff says what changed since this client last looked', async () => {
    const first = await call('node.snapshot', { session, node: 'compute1', diff: true });
    expect(first.diff).toBeUndefined();
    expect(first.snapshot.ovs.bridges.map((b) => b.name)).toContain('br-int');
    await client.dispatch('terminal.open', { session, node: 'compute1', cols: 80, rows: 24 }).then(async (reply) => {
      if (!reply.ok) throw new Error(reply.error.message);
      const { id } = reply.result as { id: string };
      await call('terminal.write', {
        id,
        data: 'ovs-vsctl add-br br-extra -- set bridge br-extra datapath_type=netdev; echo added-$((40+2))\r',
      });
      await waitFor(async () => output(id).includes('added-42'), 30_000);
      await call('terminal.close', { id });
    });
    const second = await call('node.snapshot', { session, node: 'compute1', diff: true });
    expect(second.diff?.bridges.added).toEqual(['br-extra']);
  });

  it('a terminal in a namespace echoes, resizes and reports its exit', async () => {
    const { id } = await call('terminal.open', { session, node: 'compute1', namespace: 'vm1', cols: 100, rows: 30 });
    await call('terminal.write', { id, data: 'ip -br addr show eth0; stty size\r' });
    await waitFor(async () => /10\.0\.0\.11\/24/.test(output(id)) && /30 100/.test(output(id)), 30_000);
    await call('terminal.resize', { id, cols: 120, rows: 40 });
    await call('terminal.write', { id, data: 'stty size\r' });
    await waitFor(async () => /40 120/.test(output(id)), 30_000);
    await call('terminal.write', { id, data: 'exit 3\r' });
    await waitFor(async () => (events['terminal.exit'] ?? []).some((e) => e.id === id), 30_000);
    expect((events['terminal.exit'] ?? []).find((e) => e.id === id)?.code).toBe(3);
    const gone = await client.dispatch('terminal.write', { id, data: 'x' });
    expect(gone).toMatchObject({ ok: false, error: { code: 'state' } });
    const missing = await client.dispatch('terminal.open', { session, node: 'compute1', namespace: 'nowhere', cols: 80, rows: 24 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'input', message: 'Node compute1 has no network namespace "nowhere".' } });
  });

  it('holds a flood of output at the high-water mark until the client catches up, and loses nothing', { timeout: 60_000 }, async () => {
    const { id } = await call('terminal.open', { session, node: 'compute1', cols: 200, rows: 50 });
    const total = 2_000_000;
    await call('terminal.write', { id, data: `head -c ${total} /dev/zero | tr '\\0' a; echo; echo flood-$((1+1))-done\r` });
    // The flood is one long run of 'a's (the echoed command line has a few of its own).
    const received = () => (output(id).match(/a{64,}/g) ?? []).reduce((sum, run) => sum + run.length, 0);
    // Without acknowledgements the node stops at about the high-water mark (plus what was in flight).
    await waitFor(async () => received() > HIGH_WATER / 2, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const held = output(id).length;
    expect(held).toBeLessThan(HIGH_WATER + 256 * 1024);
    expect(received()).toBeLessThan(total);
    // Acknowledge as we "draw": everything arrives, in order, exactly once.
    let acked = 0;
    await waitFor(
      async () => {
        const length = output(id).length;
        if (length > acked) {
          await call('terminal.ack', { id, chars: length - acked });
          acked = length;
        }
        return output(id).includes('flood-2-done');
      },
      30_000,
      10,
    );
    expect(received()).toBe(total);
    await call('terminal.close', { id });
  });

  it('lab files: read, validate as you type, refuse to save errors, save atomically', async () => {
    // A labs folder of its own, so saving never edits the shipped lab; the API names labs by id.
    const labs = mkdtempSync(join(tmpdir(), 'nl-api-labs-'));
    cpSync(join(labsDir(), 'ovs-basics'), join(labs, 'ovs-basics'), { recursive: true });
    const editor = new ApiService({ labsDir: labs, progress: service.progress }).client(() => undefined);
    const file = join(labs, 'ovs-basics', 'lab.yaml');
    const edit = async <M extends MethodName>(method: M, params: MethodParams<M>) => {
      const reply = await editor.dispatch(method, params);
      if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
      return reply.result as MethodResults[M];
    };
    const { text, path } = await edit('labfile.read', { lab: 'ovs-basics' });
    expect(path).toBe(file);
    const broken = text.replace('role: compute', 'role: computer');
    const { problems } = await edit('labfile.validate', { text: broken, lab: 'ovs-basics' });
    expect(problems[0]).toMatchObject({ severity: 'error', location: { line: expect.any(Number), field: 'topology.nodes.compute1.role' } });
    const refused = await editor.dispatch('labfile.save', { lab: 'ovs-basics', text: broken });
    expect(refused).toMatchObject({ ok: false, error: { code: 'input' } });
    expect(readFileSync(file, 'utf8')).toBe(text);
    const edited = text.replace('minutes: 30', 'minutes: 35');
    await edit('labfile.save', { lab: 'ovs-basics', text: edited });
    expect(readFileSync(file, 'utf8')).toBe(edited);
  });

  it('runs easyOVS actions: show maps ports to VMs; a bad request is refused where it enters, a missing bridge named', async () => {
    const show = await call('node.ovs', { session, node: 'compute1', request: { action: 'show', bridge: 'br-int' } });
    expect(show.action).toBe('show');
    expect(show.action === 'show' && show.ports.map((p) => p.port)).toContain('br-int');
    expect(
      await client.dispatch('node.ovs', { session, node: 'compute1', request: { action: 'delflow', bridge: 'br-int', ids: [-1] } }),
    ).toMatchObject({ ok: false, error: { code: 'input', message: expect.stringMatching(/request\.ids\.0/) } });
    expect(await client.dispatch('node.ovs', { session, node: 'compute1', request: { action: 'dump', bridge: 'br-nope' } })).toMatchObject({
      ok: false,
      error: { code: 'input', message: expect.stringMatching(/^No bridge "br-nope" on compute1 \(there: .*br-int/) },
    });
  });

  it('answers bad calls with structured errors, never a thrown exception', async () => {
    expect(await client.dispatch('lab.explode', {})).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(await client.dispatch('lab.check', { session: 'Not A Name' })).toMatchObject({
      ok: false,
      error: { code: 'input', message: expect.stringMatching(/session/) },
    });
    expect(await client.dispatch('lab.check', { session: 'no-such-lab' })).toMatchObject({ ok: false, error: { code: 'state' } });
  });
});
