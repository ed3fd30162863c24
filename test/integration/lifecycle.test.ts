import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execArgv, openTty } from '../../main/core/docker/exec';
import { resolveLab } from '../../main/core/lab/catalog';
import { appRoot } from '../../main/core/paths';
import { up } from '../../main/core/session/boot';
import { LABEL } from '../../main/core/docker/labels';
import { listSessions, type SessionStatus } from '../../main/core/session/sessions';
import { removeLeftovers, removeSessionsNamed } from '../../main/core/session/teardown';
import { objectsOfSession, runCli, testEngine, uniqueName, waitFor, withNode } from './helpers';

/** Failures halfway: what a crash, a Ctrl-C or a node that never gets ready leave behind. */

/** Starts `neutron-lab up` and hands back the child once its first network exists. */
async function upUntilNetworkExists(name: string) {
  const child = spawn(process.execPath, [join(appRoot(), 'bin', 'neutron-lab.mjs'), 'up', 'gre-tenant', '--name', name], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  // Generous: on a loaded machine the CLI alone takes seconds to start. A child left running
  // after a failure would finish its boot and leave a lab behind.
  await waitFor(async () => (await objectsOfSession(name)).networks.length > 0, 60_000, 5).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return { child, exited, stderr: () => stderr };
}

/** The boot marks of a session (volumes `up` makes last); none once it is removed. */
async function marksOfSession(name: string): Promise<string[]> {
  const { docker } = await testEngine();
  const { Volumes } = await docker.listVolumes({ filters: { label: [`${LABEL.session}=${name}`] } });
  return (Volumes ?? []).map((v) => v.Name);
}

/** `neutron-lab up` of gre-tenant, killed with SIGKILL once every node has reported ready (its parts built). */
async function upKilledAfterNodesReady(name: string) {
  const child = spawn(process.execPath, [join(appRoot(), 'bin', 'neutron-lab.mjs'), 'up', 'gre-tenant', '--name', name], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const nodes = Object.keys((await resolveLab('gre-tenant')).lab.topology.nodes).length;
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  // The worst moment, as a class saw it: every node is up and built, and `up` is still settling
  // (warming tunnels, awaiting DHCP leases) when it dies.
  const allReady = new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if ((stderr.match(/ ready /g) ?? []).length === nodes) resolve();
    });
  });
  await Promise.race([allReady, exited]);
  child.kill('SIGKILL');
  return { exited, stderr: () => stderr };
}

describe('crash recovery', () => {
  it(
    'an up killed after its nodes are ready but before it finished is broken in status, doctor and the next up, which recovers',
    { timeout: 300_000 },
    async () => {
      const name = uniqueName('half');
      const { exited, stderr } = await upKilledAfterNodesReady(name);
      expect((await exited).signal, `up ended on its own before the kill: ${stderr()}`).toBe('SIGKILL');
      expect(await marksOfSession(name)).toEqual([]);

      const status = await runCli(['status', name, '--json']);
      expect(status.code).toBe(0);
      const [session] = (JSON.parse(status.stdout) as { sessions: SessionStatus[] }).sessions;
      expect(session?.nodes.every((n) => n.state === 'running')).toBe(true);
      expect(session).toMatchObject({ state: 'broken', problems: ['its boot never finished'] });

      const doctor = await runCli(['doctor', '--json']);
      const leftovers = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks.find(
        (c) => c.id === 'leftovers',
      );
      expect(leftovers?.status).toBe('warn');
      expect(leftovers?.detail).toContain(`${name} (its boot never finished)`);

      const again = await runCli(['up', 'gre-tenant', '--name', name, '--json']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(`Removed what crashed runs left behind: ${name}`);
      expect((JSON.parse(again.stdout) as SessionStatus).state).toBe('running');
      expect(await marksOfSession(name)).toHaveLength(1);

      const down = await runCli(['down', name]);
      expect(down.code).toBe(0);
      expect(await objectsOfSession(name)).toEqual({ containers: [], networks: [] });
      expect(await marksOfSession(name)).toEqual([]);
    },
  );

  it('a hang-up (the terminal closed) during up removes what was made and exits 130, like Ctrl-C', { timeout: 120_000 }, async () => {
    const name = uniqueName('sighup');
    const { child, exited, stderr } = await upUntilNetworkExists(name);
    child.kill('SIGHUP');
    expect(await exited).toEqual({ code: 130, signal: null });
    expect(stderr()).toContain('Interrupted');
    expect(await objectsOfSession(name)).toEqual({ containers: [], networks: [] });
    expect(await marksOfSession(name)).toEqual([]);
    expect((await runCli(['status', name])).code).toBe(4);
  });

  it('an up killed mid-boot leaves a broken session that reconciliation removes', { timeout: 120_000 }, async () => {
    const name = uniqueName('crash');
    const { child, exited } = await upUntilNetworkExists(name);
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    // Containers created in the instant before the kill are part of what is left.
    const engine = await testEngine();
    const left = (await listSessions(engine)).filter((s) => s.name === name);
    expect(left).toHaveLength(1);
    expect(left[0]?.state).toBe('broken');
    // How far the boot got when killed: containers missing, created, or created and never started.
    expect(left[0]?.problems.join('; ')).toMatch(/missing|created|never started/);

    // Another name's `up` leaves a fresh crash alone for a while (its owner may be reading status).
    expect(await removeLeftovers(engine, left, 5 * 60_000)).toEqual([]);
    expect((await objectsOfSession(name)).networks).not.toEqual([]);
    const removed = await removeLeftovers(engine, left);
    expect(removed.map((s) => s.name)).toContain(name);
    expect(await objectsOfSession(name)).toEqual({ containers: [], networks: [] });
  });

  it('a session whose node died after its boot stays broken through the next up, saying why, until its name is started again or downed', async () => {
    const engine = await testEngine();
    const stopped = uniqueName('stopped');
    const session = await up(engine, await resolveLab('ovs-basics'), { name: stopped });
    await engine.docker.getContainer(session.nodes[0]!.containerId).kill();
    await waitFor(async () => (await listSessions(engine)).find((s) => s.name === stopped)?.state === 'broken', 30_000);

    const next = uniqueName('next');
    const removed: string[] = [];
    await up(engine, await resolveLab('ovs-basics'), { name: next, onLeftoversRemoved: (s) => removed.push(...s.map((x) => x.name)) });
    await removeSessionsNamed(engine, next);
    expect(removed).not.toContain(stopped);
    const kept = (await listSessions(engine)).find((s) => s.name === stopped);
    expect(kept).toMatchObject({ state: 'broken', booted: true, problems: ['node compute1 exited 137 (killed)'] });

    // Starting the name again replaces it.
    const replaced: string[] = [];
    const again = await up(engine, await resolveLab('ovs-basics'), {
      name: stopped,
      onLeftoversRemoved: (s) => replaced.push(...s.map((x) => x.id)),
    });
    expect(replaced).toEqual([kept?.id]);
    expect(again).toMatchObject({ state: 'running', booted: true });
    expect(again.id).not.toBe(kept?.id);

    const down = await runCli(['down', stopped]);
    expect(down.code, down.stderr).toBe(0);
    expect(await objectsOfSession(stopped)).toEqual({ containers: [], networks: [] });
  });

  it('Ctrl-C during up removes what was made and exits 130', { timeout: 120_000 }, async () => {
    const name = uniqueName('sigint');
    const { child, exited, stderr } = await upUntilNetworkExists(name);
    child.kill('SIGINT');
    expect((await exited).code).toBe(130);
    expect(stderr()).toContain('Interrupted');
    expect(await objectsOfSession(name)).toEqual({ containers: [], networks: [] });
  });

  it('a node that never reports ready fails the whole up, which removes everything it made', async () => {
    const engine = await testEngine();
    const name = uniqueName('timeout');
    const failure = await up(engine, await resolveLab('gre-tenant'), { name, nodeTimeoutMs: 1 }).catch((e) => e);
    expect(failure).toMatchObject({ code: 'failed' });
    expect(failure.message).toMatch(/did not report ready within/);
    expect(await objectsOfSession(name)).toEqual({ containers: [], networks: [] });
  });
});

describe('terminals', () => {
  it('a TTY exec takes the size at open and follows resizes', () =>
    withNode('ovs-basics', 'compute1', async (container) => {
      // Reads a line before each report, so the test decides when the size is looked at.
      const tty = await openTty(container, ['bash', '--norc', '-c', 'read a; stty size; read b; stty size; exit 3'], {
        cols: 100,
        rows: 30,
      });
      let output = '';
      tty.stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
      tty.stream.write('\n');
      await waitFor(async () => output.includes('30 100'), 30_000);
      await tty.resize(120, 40);
      tty.stream.write('\n');
      await waitFor(async () => output.includes('40 120'), 30_000);
      expect(await tty.exited).toBe(3);
    }));

  it('exec hands stdin to the command and separates stdout from stderr', () =>
    withNode('ovs-basics', 'compute1', async (container) => {
      const echoed = await execArgv(container, ['cat'], { stdin: 'from stdin\n' });
      expect(echoed).toEqual({ exitCode: 0, stdout: 'from stdin\n', stderr: '' });
      const both = await execArgv(container, ['ls', '/', '/nonexistent']);
      expect(both.exitCode).toBe(2);
      expect(both.stdout).toContain('etc');
      expect(both.stderr).toContain('/nonexistent');
      expect(both.stdout).not.toContain('/nonexistent');
      // Arguments reach the program verbatim: no shell ever sees them.
      const literal = await execArgv(container, ['echo', '$(hostname); rm -rf / `id`']);
      expect(literal.stdout).toBe('$(hostname); rm -rf / `id`\n');
    }));
});
