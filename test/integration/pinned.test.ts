import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiService } from '../../main/api/service';
import { runOvsAction } from '../../main/core/easyovs/actions';
import { resolveLab } from '../../main/core/lab/catalog';
import { labsDir } from '../../main/core/paths';
import { checkLab, resetLab, solveLab, startLab } from '../../main/core/run';
import { ovsTarget } from '../../main/core/run/ovs-target';
import { ProgressStore } from '../../main/core/run/progress-store';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import type { SessionStatus } from '../../main/core/session/sessions';
import { runCli, testEngine, uniqueName } from './helpers';

/**
 * A running lab is pinned to what it was booted from: the lab file edited (or broken) while the
 * lab runs changes nothing about check, solve, reset or easyOVS, in this process or another;
 * the session says the file changed; `down` removes the pin.
 */

let root: string;
let file: string;
// Files share a worker's process (isolate: false): what this one sets is put back after it.
const dataBefore = process.env.NEUTRON_LAB_DATA;
let session: SessionStatus;
const name = uniqueName('pinned');
const env = () => ({ NEUTRON_LAB_DATA: process.env.NEUTRON_LAB_DATA });
const pinFile = () => join(root, 'data', 'sessions', `${session.id}.json`);
const service = new ApiService();
const client = service.client(() => undefined);
const listed = async () => {
  const reply = await client.dispatch('sessions.list', {});
  if (!reply.ok) throw new Error(reply.error.message);
  return (reply.result as { sessions: { name: string; stale?: boolean }[] }).sessions.find((s) => s.name === name);
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'nl-pinned-'));
  process.env.NEUTRON_LAB_DATA = join(root, 'data');
  // A lab of its own (another id), so no fallback to the catalogue's copy can hide a re-read.
  await cp(join(labsDir(), 'ovs-basics'), join(root, 'lab'), { recursive: true });
  file = join(root, 'lab', 'lab.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace(/^id: ovs-basics$/m, 'id: pinned-copy'));
  session = await startLab(await testEngine(), await resolveLab(file), { name });
});

afterAll(async () => {
  await removeSessionsNamed(await testEngine(), name);
  if (dataBefore === undefined) delete process.env.NEUTRON_LAB_DATA;
  else process.env.NEUTRON_LAB_DATA = dataBefore;
  await rm(root, { recursive: true, force: true });
});

describe('a lab pinned at up', () => {
  it('keeps its pin in the data folder, and is not stale while the file is as booted', async () => {
    expect(existsSync(pinFile())).toBe(true);
    expect(await listed()).toMatchObject({ name, stale: false });
  });

  it('checks, in this process and another, the objectives it was booted with after the file is edited', { timeout: 120_000 }, async () => {
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('- id: br-int\n', '- id: br-int-edited\n'));
    expect(await listed()).toMatchObject({ name, stale: true });

    const engine = await testEngine();
    const report = await checkLab(engine, name, { store: new ProgressStore(join(root, 'progress')), only: ['br-int'] });
    expect(report.objectives.map((o) => o.id)).toEqual(['br-int']);
    expect(report.lab).toBe('pinned-copy');
    // Another process (the CLI) reads the pin from the data folder, not this process's memory.
    const cli = await runCli(['check', name, '--objective', 'br-int', '--json'], { env: env() });
    expect(cli.stderr).not.toMatch(/No objective/);
    expect((JSON.parse(cli.stdout) as { objectives: { id: string }[] }).objectives.map((o) => o.id)).toEqual(['br-int']);
    // The CLI's status says so too.
    const status = await runCli(['status', name, '--json'], { env: env() });
    expect((JSON.parse(status.stdout) as { sessions: { stale?: boolean }[] }).sessions[0]).toMatchObject({ stale: true });
    expect((await runCli(['status', name], { env: env() })).stdout).toContain('its lab file changed since it was booted');

    // Put back as it was: no longer stale.
    await writeFile(file, original);
    expect(await listed()).toMatchObject({ name, stale: false });
    const after = await runCli(['status', name, '--json'], { env: env() });
    expect((JSON.parse(after.stdout) as { sessions: { stale?: boolean }[] }).sessions[0]).toMatchObject({ stale: false });
  });

  it('solves, checks, resets and answers easyOVS from its pin while the file is not a lab at all', { timeout: 180_000 }, async () => {
    await writeFile(file, 'this: [is no longer a lab\n');
    const engine = await testEngine();
    expect(await listed()).toMatchObject({ name, stale: true });
    const solved = await solveLab(engine, name);
    expect(solved.built.length).toBeGreaterThan(0);
    const report = await checkLab(engine, name, { store: new ProgressStore(join(root, 'progress')) });
    expect(report.passed).toBe(report.total);
    const target = await ovsTarget(engine, name, 'compute1');
    expect(target.model.ports.map((p) => p.name)).toContain('vm1');
    // The ports' owners come from the pinned model (the lab's VMs).
    const shown = await runOvsAction(target, { action: 'show', bridge: 'br-int' });
    expect(shown.action === 'show' && shown.ports.find((p) => p.port === 'qvo4f3a2b1c-0d')?.owner).toMatch(/vm1/);
    const reset = await resetLab(engine, name);
    expect(reset.recreated).toBe(false);
    const cli = await runCli(['check', name, '--json'], { env: env() });
    expect(cli.stderr).not.toMatch(/not a lab|YAML|Cannot read/);
    expect((JSON.parse(cli.stdout) as { total: number }).total).toBe(report.total);
  });

  it('loses its pin with its session at down', async () => {
    expect(existsSync(pinFile())).toBe(true);
    await removeSessionsNamed(await testEngine(), name);
    expect(existsSync(pinFile())).toBe(false);
    expect(await listed()).toBeUndefined();
  });
});
