import { afterAll, describe, expect, it } from 'vitest';
import { execArgv } from '../../main/core/docker/exec';
import { resolveLab } from '../../main/core/lab/catalog';
import { up } from '../../main/core/session/boot';
import { listSessions, requireNode, type SessionStatus } from '../../main/core/session/sessions';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { runCli, testEngine, uniqueName, waitFor } from './helpers';

/**
 * A runaway in a node — a fork bomb, a program eating memory — is contained by the node's
 * limits: the node and its OVS live on, and a node that does die says why. Run this file alone:
 * the fork bomb loads the machine.
 */

const names: string[] = [];
afterAll(async () => {
  // After a failure: removing the container is what ends a fork bomb (its processes outlive `timeout`).
  const engine = await testEngine();
  for (const name of names) await removeSessionsNamed(engine, name);
});

async function boot(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  names.push(name);
  await up(await testEngine(), await resolveLab('ovs-basics'), { name });
  return name;
}

/** Runs argv in the node until it exits 0; while a bomb holds every pid, an exec may not even start. */
async function untilItAnswers(container: Awaited<ReturnType<typeof requireNode>>, argv: string[], timeoutMs: number): Promise<string> {
  let answer = '';
  await waitFor(
    async () => {
      const result = await execArgv(container, argv).catch(() => undefined);
      if (result?.exitCode !== 0) return false;
      answer = result.stdout;
      return true;
    },
    timeoutMs,
    500,
  );
  return answer;
}

describe('a runaway in a node', () => {
  it('a fork bomb is contained: the node lives and its OVS keeps answering', { timeout: 480_000 }, async () => {
    const engine = await testEngine();
    const name = await boot('bomb');
    const container = await requireNode(engine, name, 'compute1');
    const daemons = (await execArgv(container, ['pidof', 'ovsdb-server', 'ovs-vswitchd'])).stdout.trim();
    expect(daemons).toMatch(/^\d+ \d+$/);

    // The bomb's processes are orphans: they outlive `timeout` and keep forking until the node goes.
    await execArgv(container, ['timeout', '5', 'bash', '-c', ':(){ :|:& };:']);
    try {
      const started = performance.now();
      // The bound is generous: an exec needs a free pid in the node, and on a loaded 2-core machine
      // it took 20-80 s to get one (the bomb keeps taking them, and shares the node's one CPU).
      const shown = await untilItAnswers(container, ['ovs-vsctl', 'show'], 180_000);
      process.stderr.write(`ovs-vsctl show answered ${((performance.now() - started) / 1000).toFixed(1)} s into the fork bomb\n`);
      expect(shown).toContain('ovs_version');

      const { State } = await container.inspect();
      expect(State).toMatchObject({ Running: true, OOMKilled: false });
      // The very same daemons: none was killed (the init does not restart them).
      expect((await untilItAnswers(container, ['pidof', 'ovsdb-server', 'ovs-vswitchd'], 180_000)).trim()).toBe(daemons);
      expect((await listSessions(engine)).find((s) => s.name === name)?.state).toBe('running');
    } finally {
      // Now, not after the file: the bomb holds one of the machine's two cores while the node lives.
      await removeSessionsNamed(engine, name);
    }
  });

  it('a node that died after running out of memory says so in status', { timeout: 300_000 }, async () => {
    const engine = await testEngine();
    const name = await boot('oom');
    const container = await requireNode(engine, name, 'compute1');
    // A real OOM kill in the node's memory cgroup (dd's 300 MB buffer > 256 MB), which the
    // engine records; then the node itself is killed, as the OOM killer kills a node's init.
    const eaten = await execArgv(container, ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=300M', 'count=1']);
    expect(eaten.exitCode).toBe(137);
    await container.kill();
    await waitFor(async () => (await container.inspect()).State.Running === false, 30_000, 200);

    const status = await runCli(['status', name, '--json']);
    expect(status.code, `${status.stdout}${status.stderr}`).toBe(0);
    const [session] = (JSON.parse(status.stdout) as { sessions: SessionStatus[] }).sessions;
    expect(session).toMatchObject({ state: 'broken', problems: ['node compute1 exited 137 (out of memory)'] });
    expect(session?.nodes[0]?.exit).toBe('exited 137 (out of memory)');
    const human = await runCli(['status', name]);
    expect(human.stdout).toMatch(/compute1\s+compute\s+exited 137 \(out of memory\)/);
  });
});
