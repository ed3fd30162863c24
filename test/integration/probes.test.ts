import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckSchema, type Check } from '../../main/core/check/schema';
import type { Outcome } from '../../main/core/check/state';
import { resolveCloud, type CloudModel } from '../../main/core/cloud/model';
import { execArgv, type ExecOptions, type ExecResult } from '../../main/core/docker/exec';
import { resolveLab } from '../../main/core/lab/catalog';
import { checkRound, solveLab, startLab } from '../../main/core/run';
import { requireNode } from '../../main/core/session/sessions';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { testEngine, uniqueName, waitFor } from './helpers';

/**
 * Every probe kind against real traffic, on a solved gre-tenant: vm1 (192.168.1.3 on compute1)
 * and the DHCP port (192.168.1.2, dnsmasq in qdhcp-<network id> on the network node), one GRE
 * tunnel between them. Each test runs a round as checkLab does — the probes of its checks in
 * parallel, then a snapshot of the nodes the checks read, then evaluate — and for every kind
 * shows one check that passes and a plausible wrong one that fails, with what it found.
 */

const name = uniqueName('probes');
const nodes = new Map<string, Docker.Container>();
let model: CloudModel;
/** The DHCP namespace on the network node, where the test's servers listen. */
let dhcpNs: string;

const run = (node: string, argv: string[], options: ExecOptions = {}): Promise<ExecResult> => {
  const container = nodes.get(node);
  if (!container) throw new Error(`no node ${node}`);
  return execArgv(container, argv, options);
};
const inDhcpNs = (argv: string[]): string[] => ['ip', 'netns', 'exec', dhcpNs, ...argv];

/** A check as a lab file gives it (its defaults set by the schema). */
const check = (c: Record<string, unknown>): Check => CheckSchema.parse(c);

/** One check round over these checks, as checkLab runs it. */
const round = (...checks: Check[]): Promise<Outcome[]> =>
  checkRound(nodes, model, checks, () => Promise.reject(new Error('no follow check here')));

/** Starts a command in a node without waiting for it (the session's removal ends it, or its timeout). */
function background(node: string, argv: string[]): void {
  run(node, argv).catch(() => undefined);
}

async function listening(ports: number[]): Promise<void> {
  await waitFor(
    async () => {
      const { stdout } = await run('network', inDhcpNs(['ss', '-ltnH']));
      return ports.every((port) => new RegExp(`:${port}\\s`).test(stdout));
    },
    15_000,
    100,
  );
}

/** One HTTP answer per connection, again and again: a constant script, the port handed to it as $1. */
const HTTP_LOOP = 'while :; do printf \'HTTP/1.0 200 OK\\r\\n\\r\\nhello-lab\\n\' | nc -N -l -p "$1" || sleep 0.1; done';
function serveHttp(port: number): void {
  background('network', inDhcpNs(['timeout', '90', 'sh', '-c', HTTP_LOOP, 'http-loop', String(port)]));
}

const vm1 = { vm: 'vm1' };
const TRACE = 'in_port=qvo2a7d9c41-3b,dl_src=fa:16:3e:cb:11:f6,dl_dst=fa:16:3e:32:0d:db,ip,nw_src=192.168.1.3,nw_dst=192.168.1.2';
const ARPING = { kind: 'command', node: 'compute1', namespace: 'vm1', argv: ['arping', '-c', '1', '-w', '1', '-I', 'eth0', '192.168.1.2'] };

beforeAll(async () => {
  const engine = await testEngine();
  const loaded = await resolveLab('gre-tenant');
  await startLab(engine, loaded, { name });
  await solveLab(engine, name);
  model = resolveCloud(loaded.lab);
  dhcpNs = `qdhcp-${model.networks.get('tenant')?.id ?? '?'}`;
  for (const node of ['network', 'compute1']) nodes.set(node, await requireNode(engine, name, node));

  // In the DHCP namespace: a TCP listener (8080), one behind an iptables DROP (8090), HTTP servers.
  background('network', inDhcpNs(['timeout', '90', 'nc', '-l', '-k', '-p', '8080']));
  background('network', inDhcpNs(['timeout', '90', 'nc', '-l', '-k', '-p', '8090']));
  const drop = await run('network', inDhcpNs(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '8090', '-j', 'DROP']));
  expect(drop.exitCode, drop.stderr).toBe(0);
  for (const port of [8081, 8082, 8083, 8084]) serveHttp(port);
  await listening([8080, 8090, 8081, 8082, 8083, 8084]);
});

afterAll(async () => {
  await removeSessionsNamed(await testEngine(), name);
});

describe('ping', () => {
  it('passes for a reply (to an address or a VM by name) and for no reply where none comes; fails the other way round', async () => {
    const [reply, byName, none, wrongReply, wrongNone] = await round(
      check({ kind: 'ping', from: vm1, to: '192.168.1.2' }),
      check({ kind: 'ping', from: { node: 'network', namespace: dhcpNs }, to: 'vm1' }),
      check({ kind: 'ping', from: vm1, to: '192.168.1.99', expect: 'no-reply' }),
      check({ kind: 'ping', from: vm1, to: '192.168.1.99' }),
      check({ kind: 'ping', from: vm1, to: '192.168.1.2', expect: 'no-reply' }),
    );
    expect(reply).toMatchObject({
      passed: true,
      expected: 'vm1 on compute1 gets a reply from 192.168.1.2',
      found: expect.stringMatching(/bytes from 192\.168\.1\.2/),
    });
    expect(byName).toMatchObject({ passed: true, expected: `${dhcpNs} on network gets a reply from 192.168.1.3` });
    expect(none).toMatchObject({ passed: true, found: expect.stringMatching(/2 packets transmitted, 0 received/) });
    expect(wrongReply).toMatchObject({
      passed: false,
      expected: 'vm1 on compute1 gets a reply from 192.168.1.99',
      found: expect.stringMatching(/^no reply within 3 s/),
    });
    expect(wrongNone).toMatchObject({ passed: false, found: expect.stringMatching(/^a reply: .*192\.168\.1\.2/) });
  });
});

describe('tcp', () => {
  it('tells open, refused and blocked (an iptables DROP) apart', async () => {
    const [open, refused, blocked, firewall, openIsNotBlocked, closedIsNotOpen, droppedIsNotRefused, droppedIsNotOpen] = await round(
      check({ kind: 'tcp', from: vm1, to: '192.168.1.2', port: 8080 }),
      check({ kind: 'tcp', from: vm1, to: '192.168.1.2', port: 8089, expect: 'refused' }),
      check({ kind: 'tcp', from: vm1, to: '192.168.1.2', port: 8090, expect: 'blocked' }),
      check({ kind: 'iptables', node: 'network', namespace: dhcpNs, chain: 'INPUT', rule: '-p tcp --dport 8090 -j DROP' }),
      check({ kind: 'tcp', from: vm1, to: '192.168.1.2', port: 8080, expect: 'blocked' }),
      check({ kind: 'tcp', from: vm1, to: '192.168.1.2', port: 8089, expect: 'open' }),
      check({ kind: 'tcp', from: vm1, to: '192.168.1.2', port: 8090, expect: 'refused' }),
      check({ kind: 'tcp', from: vm1, to: '192.168.1.2', port: 8090, expect: 'open' }),
    );
    expect(open).toEqual({
      passed: true,
      expected: 'TCP 192.168.1.2:8080 from vm1 on compute1 is open',
      found: 'the connection was accepted',
    });
    expect(refused).toMatchObject({ passed: true, found: 'the connection was refused' });
    expect(blocked).toMatchObject({ passed: true, expected: expect.stringContaining('blocked'), found: 'no answer within 0.7 s' });
    expect(firewall).toMatchObject({ passed: true, found: '-A INPUT -p tcp -m tcp --dport 8090 -j DROP' });
    expect(openIsNotBlocked).toMatchObject({ passed: false, found: 'the connection was accepted' });
    expect(closedIsNotOpen).toMatchObject({ passed: false, found: 'the connection was refused' });
    expect(droppedIsNotRefused).toMatchObject({ passed: false, found: 'no answer within 1 s' });
    expect(droppedIsNotOpen).toMatchObject({ passed: false, found: 'no answer within 1 s' });
  });
});

describe('http', () => {
  it('checks the status and a body pattern; a wrong status or no server fails', async () => {
    const [ok, wrongStatus, wrongBody, noServer] = await round(
      check({ kind: 'http', from: vm1, url: 'http://192.168.1.2:8081/', status: 200, body: 'hello-l[a]b' }),
      check({ kind: 'http', from: vm1, url: 'http://192.168.1.2:8082/', status: 404 }),
      check({ kind: 'http', from: { node: 'network', namespace: dhcpNs }, url: 'http://192.168.1.2:8083/', body: 'goodbye' }),
      check({ kind: 'http', from: vm1, url: 'http://192.168.1.2:8089/' }),
    );
    expect(ok).toEqual({
      passed: true,
      expected: 'GET http://192.168.1.2:8081/ from vm1 on compute1 answers 200 with a body matching /hello-l[a]b/',
      found: '200: hello-lab',
    });
    expect(wrongStatus).toMatchObject({ passed: false, expected: expect.stringContaining('answers 404'), found: '200: hello-lab' });
    expect(wrongBody).toMatchObject({ passed: false, found: '200: hello-lab' });
    expect(noServer).toMatchObject({ passed: false, found: expect.stringMatching(/curl: \(7\).*(refused|Couldn't connect)/i) });
  });

  // $ does not match before a final newline in JavaScript unless the pattern is multi-line.
  it('matches a ^…$ body pattern line by line, as command does with its output', async () => {
    const [anchored] = await round(check({ kind: 'http', from: vm1, url: 'http://192.168.1.2:8084/', body: '^hello-lab$' }));
    expect(anchored?.found).toBe('200: hello-lab');
    expect(anchored).toMatchObject({ passed: true });
  });
});

describe('capture', () => {
  const tcpdumps = async () => (await run('compute1', ['pgrep', '-x', 'tcpdump'])).stdout.split('\n').filter(Boolean);

  it('sees the traffic on the wire, fails when nothing matches, and stops a capture that caught nothing', async () => {
    const traffic = { kind: 'ping', from: vm1, to: '192.168.1.2' };
    const [seen] = await round(
      check({ kind: 'capture', node: 'compute1', interface: 'eth1', filter: 'proto gre', output: 'GRE', traffic }),
    );
    expect(seen).toMatchObject({ passed: true, found: expect.stringMatching(/^captured: .*GRE/) });
    const [missed] = await round(check({ kind: 'capture', node: 'compute1', interface: 'eth1', filter: 'udp port 9', traffic }));
    expect(missed).toMatchObject({ passed: false, found: expect.stringMatching(/^nothing caught/) });
    // Stopped once the check gave up (a second after the traffic), not left to run out its own
    // 4 s, which would be near 3 s more.
    await expect.poll(tcpdumps, { timeout: 1500, interval: 50 }).toEqual([]);
  });
});

describe('dhcp', () => {
  const dhclients = async () => (await run('compute1', ['pgrep', '-x', 'dhclient'])).stdout.split('\n').filter(Boolean);
  // A client the probe killed takes a moment to leave its sockets and be reaped (seen in state D,
  // then Z, on a fast machine); one it forgot would stay for good.
  const noneLeft = () => expect.poll(dhclients, { timeout: 10_000, interval: 100 }).toEqual([]);

  it('vm1 is leased its address by dnsmasq; a wrong expected address fails; no dhclient is left', async () => {
    const [leased] = await round(check({ kind: 'dhcp', vm: 'vm1' }));
    expect(leased).toEqual({ passed: true, expected: 'a DHCP lease of 192.168.1.3 for vm1', found: 'leased 192.168.1.3' });
    const [wrong] = await round(check({ kind: 'dhcp', vm: 'vm1', expect: '192.168.1.50' }));
    expect(wrong).toEqual({ passed: false, expected: 'a DHCP lease of 192.168.1.50 for vm1', found: 'leased 192.168.1.3' });
    await noneLeft();
  });

  // A round runs its probes in parallel: two dhcp probes of one VM must not share the client's
  // pid file, or one dhclient is left running in the VM's namespace.
  it('leaves no dhclient running after two dhcp probes of one VM in a round', async () => {
    try {
      const outcomes = await round(check({ kind: 'dhcp', vm: 'vm1' }), check({ kind: 'dhcp', vm: 'vm1', expect: '192.168.1.50' }));
      expect(outcomes.map((o) => o.found)).toEqual(['leased 192.168.1.3', 'leased 192.168.1.3']);
      await noneLeft();
    } finally {
      const left = await dhclients();
      if (left.length) await run('compute1', ['kill', ...left]);
    }
  });
});

describe('state read after the probes', () => {
  it("neighbour, route and process checks read the snapshot taken after the round's traffic", async () => {
    const [pingThenNeighbour, wrongMac, route, wrongRoute, dnsmasq, dnsmasqElsewhere, haproxy] = await round(
      check({
        kind: 'all',
        of: [
          { kind: 'ping', from: vm1, to: '192.168.1.2' },
          { kind: 'neighbour', vm: 'vm1', address: '192.168.1.2', mac: 'fa:16:3e:32:0d:db' },
        ],
      }),
      check({ kind: 'neighbour', vm: 'vm1', address: '192.168.1.2', mac: 'fa:16:3e:32:0d:dc' }),
      check({ kind: 'route', vm: 'vm1', to: 'default', via: '192.168.1.1', dev: 'eth0' }),
      check({ kind: 'route', vm: 'vm1', to: 'default', via: '192.168.1.254' }),
      check({ kind: 'process', node: 'network', name: 'dnsmasq', namespace: dhcpNs }),
      check({ kind: 'process', node: 'network', name: 'dnsmasq', namespace: 'qrouter-1' }),
      check({ kind: 'process', node: 'network', name: 'haproxy' }),
    );
    expect(pingThenNeighbour).toMatchObject({
      passed: true,
      expected: expect.stringContaining('; and neighbour 192.168.1.2 at fa:16:3e:32:0d:db (compute1, namespace vm1)'),
    });
    expect(wrongMac).toMatchObject({ passed: false, found: expect.stringContaining('192.168.1.2 fa:16:3e:32:0d:db') });
    expect(route).toMatchObject({
      passed: true,
      expected: 'route default via 192.168.1.1 dev eth0 in table main (compute1, namespace vm1)',
    });
    expect(wrongRoute).toMatchObject({ passed: false, found: expect.stringContaining('default via 192.168.1.1 dev eth0') });
    expect(dnsmasq).toMatchObject({
      passed: true,
      expected: `dnsmasq running in ${dhcpNs} on network`,
      found: expect.stringMatching(new RegExp(`^dnsmasq \\(pid \\d+\\) in ${dhcpNs}$`)),
    });
    expect(dnsmasqElsewhere).toMatchObject({ passed: false, found: expect.stringContaining(`in ${dhcpNs}`) });
    expect(haproxy).toMatchObject({ passed: false, found: 'no haproxy' });
  });
});

describe('command', () => {
  it('checks the exit code and an output pattern, in a namespace or on the node', async () => {
    const [address, wrongOutput, exit1, wrongExit] = await round(
      check({
        kind: 'command',
        node: 'compute1',
        namespace: 'vm1',
        argv: ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'],
        output: 'inet 192\\.168\\.1\\.3/24',
      }),
      check({
        kind: 'command',
        node: 'compute1',
        namespace: 'vm1',
        argv: ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'],
        output: 'inet 10\\.',
      }),
      check({ kind: 'command', node: 'network', argv: ['ip', 'link', 'show', 'nonexistent0'], exitCode: 1 }),
      check({ kind: 'command', node: 'network', argv: ['ip', 'link', 'show', 'nonexistent0'] }),
    );
    expect(address).toMatchObject({
      passed: true,
      expected: '`ip -o -4 addr show dev eth0` in vm1 on compute1 exits 0 printing /inet 192\\.168\\.1\\.3/24/',
      found: expect.stringMatching(/^exit 0: .*inet 192\.168\.1\.3\/24/),
    });
    expect(wrongOutput).toMatchObject({ passed: false, found: expect.stringMatching(/^exit 0: .*inet 192\.168\.1\.3\/24/) });
    expect(exit1).toMatchObject({ passed: true, found: expect.stringMatching(/^exit 1: .*does not exist/) });
    expect(wrongExit).toMatchObject({
      passed: false,
      expected: '`ip link show nonexistent0` in network exits 0',
      found: expect.stringMatching(/^exit 1: /),
    });
  });

  // The found side shows the first line of the output.
  it('shows the first line of the output in the found side', async () => {
    const [outcome] = await round(check({ kind: 'command', node: 'network', argv: ['printf', 'first\\nsecond\\n'], output: 'third' }));
    expect(outcome).toMatchObject({ passed: false, found: 'exit 0: first' });
  });
});

describe('trace', () => {
  it("a frame from vm1 to the DHCP port leaves br-int's node by gre-1 with tunnel id 1; drop: true or another key fails", async () => {
    const [out, dropped, wrongKey] = await round(
      check({ kind: 'trace', node: 'compute1', bridge: 'br-int', flow: TRACE, output: 'gre-1', tunnelId: 1 }),
      check({ kind: 'trace', node: 'compute1', bridge: 'br-int', flow: TRACE, drop: true }),
      check({ kind: 'trace', node: 'compute1', bridge: 'br-int', flow: TRACE, output: 'gre-1', tunnelId: 2 }),
    );
    expect(out).toMatchObject({
      passed: true,
      expected: expect.stringContaining('leaves by gre-1 with tunnel id 0x1 (compute1)'),
      found: expect.stringMatching(/^out by .*gre-1.*, tunnel id 0x1 \(datapath: /),
    });
    expect(dropped).toMatchObject({
      passed: false,
      expected: expect.stringContaining('is dropped'),
      found: expect.stringMatching(/^out by .*gre-1/),
    });
    expect(wrongKey).toMatchObject({ passed: false, found: expect.stringContaining('tunnel id 0x1') });
  });
});

describe('counter', () => {
  it("table 21's flood flow counts an arping from vm1; a flow the traffic never hits, or no flow at all, fails", async () => {
    const [flood, neverHit, noFlow] = await round(
      check({ kind: 'counter', node: 'compute1', bridge: 'br-tun', table: 21, priority: 1, match: 'dl_vlan=1', traffic: ARPING }),
      check({ kind: 'counter', node: 'compute1', bridge: 'br-tun', table: 3, priority: 0, traffic: ARPING }),
      check({ kind: 'counter', node: 'compute1', bridge: 'br-tun', table: 22, traffic: ARPING }),
    );
    expect(flood).toMatchObject({
      passed: true,
      expected: expect.stringContaining('grows by 1+ while `arping -c 1 -w 1 -I eth0 192.168.1.2` runs'),
      found: expect.stringMatching(/^packets \d+ → \d+ \(\+[1-9]\d*\); the traffic: exit 0/),
    });
    expect(neverHit).toMatchObject({ passed: false, found: expect.stringMatching(/^packets (\d+) → \1 \(\+0\)/) });
    expect(noFlow).toMatchObject({ passed: false, found: 'no flow table=22 on br-tun' });
  });
});
