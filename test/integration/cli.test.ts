import { cpSync, mkdtempSync, appendFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../main/core/docker/labels';
import { appRoot } from '../../main/core/paths';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { objectsOfSession, runCli, testEngine, uniqueName } from './helpers';

/** The CLI as a user meets it: real process, real engine, documented exit codes. */

const name = uniqueName('cli');
afterAll(async () => {
  await removeSessionsNamed(await testEngine(), name);
});

describe('a lab session through the CLI', () => {
  it('up boots it and prints the running session as JSON', async () => {
    const result = await runCli(['up', 'gre-tenant', '--name', name, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const session = JSON.parse(result.stdout);
    expect(session).toMatchObject({ name, lab: 'gre-tenant', state: 'running' });
    expect(session.nodes.map((n: { name: string; state: string }) => `${n.name}:${n.state}`)).toEqual([
      'compute1:running',
      'network:running',
    ]);
  });

  it('runs nodes with exactly the safety settings of DESIGN.md §6', async () => {
    const { docker } = await testEngine();
    const containers = await docker.listContainers({ filters: { label: [`${LABEL.session}=${name}`] } });
    expect(containers).toHaveLength(2);
    for (const summary of containers) {
      const info = await docker.getContainer(summary.Id).inspect();
      expect(info.HostConfig.CapAdd).toEqual(['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN']);
      expect(info.HostConfig.Privileged).toBe(false);
      expect(info.Mounts).toEqual([]);
      expect(info.HostConfig.Binds ?? []).toEqual([]);
      expect(info.HostConfig.NetworkMode).not.toBe('host');
      expect(info.HostConfig.PidMode).toBe('');
      expect(info.HostConfig.Memory).toBeGreaterThan(0);
      expect(info.HostConfig.PidsLimit).toBeGreaterThan(0);
    }
  });

  it('refuses a second copy under the same name, with exit code 4', async () => {
    const result = await runCli(['up', 'gre-tenant', '--name', name]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`already up under the name "${name}"`);
  });

  it('status lists it with its lab addresses', async () => {
    const result = await runCli(['status', name, '--json']);
    expect(result.code).toBe(0);
    const { sessions } = JSON.parse(result.stdout);
    expect(sessions[0].nodes[1]).toMatchObject({
      name: 'network',
      links: [{ interface: 'eth1', network: 'data', address: '10.0.0.100/24' }],
    });
  });

  it('reaches the engine over TCP too (--docker-host and DOCKER_HOST)', async () => {
    // A TCP front for the local socket, as a remote engine would offer.
    const proxy = createServer((client) => {
      const engine = connect('/var/run/docker.sock');
      client.pipe(engine).pipe(client);
      client.on('error', () => engine.destroy());
      engine.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const endpoint = `tcp://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const viaFlag = await runCli(['--docker-host', endpoint, 'status', name, '--json']);
      expect(viaFlag.code).toBe(0);
      expect(JSON.parse(viaFlag.stdout).sessions[0].name).toBe(name);
      const viaEnv = await runCli(['exec', name, 'network', '--', 'hostname'], { env: { DOCKER_HOST: endpoint } });
      expect(viaEnv.stdout).toBe('network\n');
    } finally {
      proxy.close();
    }
  });

  it("exec streams output and exits with the command's own exit code", async () => {
    const ok = await runCli(['exec', name, 'network', '--', 'ping', '-c', '1', '-W', '2', '10.0.0.101']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('1 received');
    const failing = await runCli(['exec', name, 'network', '--', 'test', '-e', '/nonexistent']);
    expect(failing.code).toBe(1);
    const json = await runCli(['exec', name, 'compute1', '--json', '--', 'hostname']);
    expect(JSON.parse(json.stdout)).toEqual({ exitCode: 0, stdout: 'compute1\n', stderr: '' });
    // Piped input reaches the command (iptables-restore, tee, …).
    const piped = await runCli(['exec', name, 'compute1', '--', 'tr', 'a-z', 'A-Z'], { input: 'piped in\n' });
    expect(piped.stdout).toBe('PIPED IN\n');
  });

  it('exec --netns runs inside a namespace of the node', async () => {
    expect((await runCli(['exec', name, 'compute1', '--', 'ip', 'netns', 'add', 'qdhcp-test'])).code).toBe(0);
    const inside = await runCli(['exec', name, 'compute1', '--netns', 'qdhcp-test', '--', 'ip', '-o', 'link']);
    expect(inside.code).toBe(0);
    expect(inside.stdout).toContain('lo:');
    expect(inside.stdout).not.toContain('eth1');
  });

  it("shell gives an interactive terminal that exits with the shell's code", async () => {
    // `script` gives the CLI a real pseudo-terminal, as a user's terminal would.
    const cli = join(appRoot(), 'bin', 'neutron-lab.mjs');
    const { spawn } = await import('node:child_process');
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('script', ['-qec', `${process.execPath} ${cli} shell ${name} compute1`, '/dev/null'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', (code) => resolve({ code, out }));
      setTimeout(() => child.stdin.write('echo "inside $(hostname)"\n'), 1500);
      setTimeout(() => child.stdin.write('exit 7\n'), 2000);
    });
    expect(result.out).toContain('inside compute1');
    expect(result.code).toBe(7);
  });

  it('reports unknown nodes (2) and labs that are not up (4)', async () => {
    const node = await runCli(['exec', name, 'nosuchnode', '--', 'true']);
    expect(node.code).toBe(2);
    expect(node.stderr).toContain('has no node "nosuchnode". Its nodes: compute1, network.');
    const lab = await runCli(['exec', 'it-not-up', 'network', '--', 'true']);
    expect(lab.code).toBe(4);
    expect(lab.stderr).toContain('No lab is up under the name "it-not-up"');
  });

  it('down removes everything of the session and says so', async () => {
    const result = await runCli(['down', name, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ containers: 2, networks: 1 });
    expect(await objectsOfSession(name)).toEqual({ containers: [], networks: [] });
    const again = await runCli(['down', name]);
    expect(again.code).toBe(4);
  });
});

describe('bad input gets one clear error, the documented exit code, and leaves nothing', () => {
  it('an unknown lab: exit 2, naming the labs that exist', async () => {
    const result = await runCli(['up', 'no-such-lab']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: Unknown lab "no-such-lab"\. Known labs: .*gre-tenant/);
  });

  it('a malformed lab file: exit 2 with file, line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-lab-'));
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, 'id: broken-lab\ntitle: t\nsummary: s\ntopology:\n  nodes:\n    n1:\n      role: router\n');
    const result = await runCli(['up', file, '--json']);
    expect(result.code).toBe(2);
    const { error } = JSON.parse(result.stdout);
    expect(error).toMatchObject({ code: 'input', location: { file, line: 7, column: 13, field: 'topology.nodes.n1.role' } });
    const human = await runCli(['up', file]);
    expect(human.stderr).toContain(`${file}:7:13: topology.nodes.n1.role: Invalid option`);
    expect(await objectsOfSession('broken-lab')).toEqual({ containers: [], networks: [] });
  });

  it('an unreachable engine: exit 3 with the fix', async () => {
    const result = await runCli(['status'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Cannot reach the Docker engine at unix:///nonexistent/docker.sock');
    expect(result.stderr).toContain('hint: Start the Docker engine');
    const flag = await runCli(['--docker-host', 'tcp://127.0.0.1:1', 'up', 'ovs-basics']);
    expect(flag.code).toBe(3);
  });

  it('a missing node image: exit 3, nothing started', async () => {
    // A copy of the app whose recipe differs: its image tag cannot exist on the engine.
    const root = mkdtempSync(join(tmpdir(), 'app-'));
    for (const part of ['package.json', 'labs', 'resources']) cpSync(join(appRoot(), part), join(root, part), { recursive: true });
    appendFileSync(join(root, 'resources', 'node-image', 'setup.sh'), '\n# a recipe no engine has built\n');
    const session = uniqueName('noimage');
    const result = await runCli(['up', 'ovs-basics', '--name', session], { env: { NEUTRON_LAB_ROOT: root } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/The node image neutron-lab\/node:[0-9a-f]{12} is not on the Docker engine yet/);
    expect(result.stderr).toContain('neutron-lab image build');
    expect(await objectsOfSession(session)).toEqual({ containers: [], networks: [] });
  });

  it('bad usage: exit 2', async () => {
    expect((await runCli(['up'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['down'])).code).toBe(2);
    const badName = await runCli(['up', 'ovs-basics', '--name', 'Not A Name']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('cannot name a session');
  });
});
