import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../../../main/core/check/schema';
import { resolveCloud } from '../../../main/core/cloud/model';
import { execArgv } from '../../../main/core/docker/exec';
import { resolveLab } from '../../../main/core/lab/catalog';
import { objectivesOf } from '../../../main/core/lab/schema';
import { checkRound, followInLab } from '../../../main/core/run';
import { serveExploreApi } from '../../../main/core/run/explore-api';
import { runningLab } from '../../../main/core/run/running-lab';
import { diffSnapshots } from '../../../main/core/inspect/snapshot/diff';
import { collectSnapshot } from '../../../main/core/inspect/snapshot/snapshot';
import type { NodeSnapshot } from '../../../main/core/inspect/snapshot/types';
import { requireNode } from '../../../main/core/session/sessions';
import { removeSessionsNamed } from '../../../main/core/session/teardown';
import { runCli, testEngine, uniqueName, waitFor } from '../helpers';

/**
 * Explore mode on the sandbox, through the real CLI: `openstack` calls build a cloud the agents
 * render on the nodes (a VM's ping crosses a VXLAN tunnel, a VLAN provider network's crosses
 * eth2 tagged), bad calls answer as the client does and change nothing, and the deletes in
 * reverse order leave every node as it booted.
 */

const NODES = ['network', 'compute1', 'compute2'];
const SLOW = 300_000;

describe('sandbox explore', () => {
  const name = uniqueName('explore');
  const openstack = (...argv: string[]) => runCli(['openstack', name, ...argv]);
  /** A cirros server on a network, on the compute asked for. */
  const server = (vm: string, network: string, host: string) =>
    openstack('server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', network, '--availability-zone', `nova:${host}`, vm);
  /** Calls that must each succeed, in order. */
  const succeed = async (calls: string[][]) => {
    for (const argv of calls) {
      const result = await openstack(...argv);
      expect(result.code, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
    }
  };
  const snapshots = async (): Promise<Map<string, NodeSnapshot>> => {
    const engine = await testEngine();
    const taken = await Promise.all(
      NODES.map(async (node) => [node, await collectSnapshot(await requireNode(engine, name, node), node)] as const),
    );
    return new Map(taken);
  };
  /** What differs between two states of the nodes, counters aside: bridges, ports, flows, namespaces, devices, rules, services. */
  const differences = (before: Map<string, NodeSnapshot>, after: Map<string, NodeSnapshot>) =>
    NODES.flatMap((node) => {
      const a = before.get(node)!;
      const b = after.get(node)!;
      const d = diffSnapshots(a, b);
      const services = (s: NodeSnapshot) => s.processes.map((p) => p.args).sort();
      return [
        ...d.bridges.added.map((x) => `${node}: bridge ${x} added`),
        ...d.bridges.removed.map((x) => `${node}: bridge ${x} removed`),
        ...d.ports.flatMap((p) => [
          ...p.added.map((x) => `${node}: port ${x} on ${p.bridge}`),
          ...p.removed.map((x) => `${node}: port ${x} gone from ${p.bridge}`),
        ]),
        ...d.flows.flatMap((f) =>
          [...f.added, ...f.removed, ...f.changed.map((c) => c.after)]
            // What traffic taught br-tun (table 10's learn: a hard timeout) is not what a call built:
            // a Linux bridge's multicast report, flooded across a tunnel, leaves one now and then.
            .filter((flow) => flow.hardTimeout === undefined)
            .map((flow) => `${node}: flow on ${f.bridge}: ${flow.text}`),
        ),
        ...d.namespaces.added.map((x) => `${node}: namespace ${x}`),
        ...d.namespaces.removed.map((x) => `${node}: namespace ${x} gone`),
        ...d.interfaces.flatMap((i) => [...i.added, ...i.removed].map((x) => `${node}: device ${x} in ${i.namespace || 'the node'}`)),
        ...d.rules.flatMap((r) => [...r.added, ...r.removed].map((rule) => `${node}: ${r.table} rule ${JSON.stringify(rule)}`)),
        ...(JSON.stringify(services(a)) === JSON.stringify(services(b))
          ? []
          : [`${node}: services ${services(a).join(' | ')} → ${services(b).join(' | ')}`]),
      ];
    });
  let booted: Map<string, NodeSnapshot>;
  /** Every node as it booted, counters aside (a stopped service is gone once it has exited). */
  const expectAsBooted = async () => {
    await waitFor(async () => differences(booted, await snapshots()).length === 0, 10_000, 250).catch(() => undefined);
    expect(differences(booted, await snapshots())).toEqual([]);
  };

  beforeAll(async () => {
    const up = await runCli(['up', 'explore', '--name', name]);
    expect(up.code, up.stderr).toBe(0);
    booted = await snapshots();
  }, SLOW);
  afterAll(async () => {
    await removeSessionsNamed(await testEngine(), name);
  }, SLOW);

  it('boots agents with their bridges and an empty cloud', async () => {
    const list = await openstack('network', 'list', '-f', 'json');
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
    // The legacy client's verbs reach the same server.
    const legacy = await runCli(['neutron', name, 'net-list', '-f', 'value']);
    expect({ code: legacy.code, stdout: legacy.stdout }).toEqual({ code: 0, stdout: '' });
    expect(booted.get('compute1')!.ovs.bridges.map((b) => b.name)).toContain('br-int');
    // The controller runs no agent.
    const controller = await requireNode(await testEngine(), name, 'controller');
    expect((await execArgv(controller, ['ovs-vsctl', 'list-br'])).stdout.trim()).toBe('');
  });

  it('serves openstack and neutron in the controller’s own terminal while a process serves the sandbox, and says so when none does', async () => {
    const engine = await testEngine();
    const controller = await requireNode(engine, name, 'controller');
    const inController = async (...argv: string[]) => {
      const result = await execArgv(controller, argv);
      return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
    };
    // Only the controller's terminal: a compute's has no API to talk to.
    expect(await serveExploreApi(engine, name, 'compute1')).toBeUndefined();
    const api = await serveExploreApi(engine, name, 'controller');
    expect(api?.node).toBe('controller');
    // Once per session: a second terminal shares the first one's relay.
    expect(await serveExploreApi(engine, name, 'controller')).toBe(api);

    expect(await inController('openstack', 'network', 'create', 'term-net', '-f', 'value', '-c', 'name')).toMatchObject({
      code: 0,
      stdout: 'term-net\n',
    });
    expect((await inController('neutron', 'net-list', '-f', 'value')).stdout).toContain('term-net');
    const missing = await inController('openstack', 'network', 'show', 'no-such-net');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such-net/);
    expect(await inController('openstack', 'network', 'delete', 'term-net')).toMatchObject({ code: 0 });
    expect((await openstack('network', 'list', '-f', 'value')).stdout).toBe('');

    api!.close();
    await waitFor(async () => (await inController('sh', '-c', 'ls /run/neutron-lab')).stdout.trim() === '', 10_000, 100);
    const unserved = await inController('openstack', 'network', 'list');
    expect(unserved.code).toBe(1);
    expect(unserved.stderr).toMatch(/nothing serves this sandbox's API now/);
    // Served again, by a new relay.
    const again = await serveExploreApi(engine, name, 'controller');
    expect(again).not.toBe(api);
    expect(await inController('openstack', 'network', 'list', '-f', 'json')).toMatchObject({ code: 0, stdout: '[]\n' });
    // A call from another process (the CLI) re-pins the cloud: this process, which serves the
    // terminal and has read the pin before, sees the new cloud, and undoes the network it made.
    expect((await openstack('network', 'create', 'cli-net')).code).toBe(0);
    expect((await inController('openstack', 'network', 'list', '-f', 'value', '-c', 'Name')).stdout).toBe('cli-net\n');
    expect(await inController('openstack', 'network', 'delete', 'cli-net')).toMatchObject({ code: 0 });
    expect((await openstack('network', 'list', '-f', 'value')).stdout).toBe('');
    again!.close();
  });

  it(
    'builds a tenant network, a subnet and two servers, and a ping crosses the tunnel',
    async () => {
      const net = await openstack('network', 'create', 'net1', '-f', 'json');
      expect(net.code, net.stderr).toBe(0);
      const network = JSON.parse(net.stdout) as Record<string, unknown>;
      expect(network).toMatchObject({ name: 'net1', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 1, mtu: 1450 });
      const sub = await openstack(
        'subnet',
        'create',
        '--network',
        'net1',
        '--subnet-range',
        '10.1.0.0/24',
        '--dns-nameserver',
        '8.8.8.8',
        'sub1',
        '-c',
        'gateway_ip',
        '-f',
        'value',
      );
      expect(sub.stdout).toBe('10.1.0.1\n');
      // What the DHCP agent did, said on standard error.
      expect(sub.stderr).toMatch(/^network: built network\/dhcp\/net1/m);
      for (const [vm, host] of [
        ['vm1', 'compute1'],
        ['vm2', 'compute2'],
      ]) {
        const created = await server(vm!, 'net1', host!);
        expect(created.code, created.stderr).toBe(0);
        expect(created.stderr).toContain(`${host}: built ${host}/vm/${vm}, ${host}/security-group/${vm}`);
      }
      const ports = JSON.parse((await openstack('port', 'list', '-f', 'json')).stdout) as { 'Fixed IP Addresses': string }[];
      // The DHCP port took the first address after the gateway, the servers the next.
      expect(ports.map((p) => /ip_address='([\d.]+)'/.exec(p['Fixed IP Addresses'])![1])).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4']);

      // What the agents built, node by node (the undo below must take exactly this away).
      const built = differences(booted, await snapshots());
      const dhcpNamespace = `qdhcp-${network.id as string}`;
      expect(built).toEqual(
        expect.arrayContaining(['compute1: namespace vm1', 'compute2: namespace vm2', `network: namespace ${dhcpNamespace}`]),
      );
      expect(built.filter((d) => d.startsWith('network: services'))).toHaveLength(1);

      const compute1 = await requireNode(await testEngine(), name, 'compute1');
      // The VM asks for its address by DHCP, as a cirros guest does.
      await waitFor(
        async () => (await execArgv(compute1, ['ip', '-n', 'vm1', '-4', 'addr', 'show', 'eth0'])).stdout.includes('10.1.0.3/24'),
        60_000,
        250,
      );
      // And its lease names the subnet's DNS server (dnsmasq's option 6, from the agent's options file).
      expect((await execArgv(compute1, ['cat', '/var/lib/dhcp/nl-vm1.leases'])).stdout).toContain('option domain-name-servers 8.8.8.8;');
      const ping = await execArgv(compute1, ['ip', 'netns', 'exec', 'vm1', 'ping', '-c', '1', '-w', '10', '10.1.0.4']);
      expect(ping.exitCode, ping.stdout).toBe(0);
      const flows = (await execArgv(compute1, ['ovs-ofctl', 'dump-flows', 'br-tun', 'table=4'])).stdout;
      expect(flows).toContain('tun_id=0x1 actions=mod_vlan_vid:1');
    },
    SLOW,
  );

  it(
    'answers bad calls as the client does, and changes nothing',
    async () => {
      const before = await snapshots();
      const cases: [string[], number, RegExp][] = [
        [['network', 'create', 'net1'], 1, /net1 exists already/],
        [
          ['network', 'create', '--provider-network-type', 'vlan', '--provider-segment', '5000', 'v'],
          1,
          /BadRequestException: .*segmentation_id out of range \(1 through 4094\)/,
        ],
        [['network', 'create', '--provider-network-type', 'ether', 'x'], 2, /invalid choice: 'ether'/],
        [['network', 'delete', 'net1'], 1, /ConflictException: .*one or more ports still in use/],
        [['network', 'show', 'nope'], 1, /^No Network found for nope$/m],
        [['subnet', 'create', '--network', 'net1', '--subnet-range', '10.1.0.128/25', 'sub2'], 1, /overlaps with another subnet/],
        [['subnet', 'create', '--network', 'net1', 'sub2'], 2, /the following arguments are required: --subnet-range/],
        [['subnet', 'delete', 'sub1'], 1, /One or more ports have an IP allocation from this subnet/],
        [
          ['server', 'create', '--image', 'cirros', '--flavor', 'm1.huge', '--network', 'net1', 'vm3'],
          1,
          /No flavor with a name or ID of 'm1.huge' exists/,
        ],
        [
          [
            'server',
            'create',
            '--image',
            'cirros',
            '--flavor',
            'm1.tiny',
            '--network',
            'net1',
            '--availability-zone',
            'nova:nowhere',
            'vm3',
          ],
          1,
          /Compute host nowhere could not be found/,
        ],
        [['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', 'net1', 'VM_3'], 1, /server name 'VM_3'/],
        [['server', 'delete', 'vm9'], 1, /No server with a name or ID of 'vm9' exists/],
        [['server', 'frobnicate'], 2, /'server frobnicate' is not an openstack command/],
        [['network', 'list', '--bogus'], 2, /unrecognized arguments: --bogus/],
      ];
      for (const [argv, code, said] of cases) {
        const result = await openstack(...argv);
        expect({ argv, code: result.code, stdout: result.stdout }).toEqual({ argv, code, stdout: '' });
        expect(result.stderr).toMatch(said);
      }
      expect(differences(before, await snapshots())).toEqual([]);
      expect(JSON.parse((await openstack('server', 'list', '-f', 'json', '-c', 'Name')).stdout)).toEqual([
        { Name: 'vm1' },
        { Name: 'vm2' },
      ]);
    },
    SLOW,
  );

  it(
    'carries a VLAN provider network on the physical network, tagged',
    async () => {
      const net = await openstack(
        'network',
        'create',
        '--provider-network-type',
        'vlan',
        '--provider-physical-network',
        'physnet1',
        '--provider-segment',
        '101',
        'prov',
      );
      expect(net.code, net.stderr).toBe(0);
      expect(
        (await openstack('subnet', 'create', '--network', 'prov', '--subnet-range', '172.16.0.0/24', '--no-dhcp', 'prov-sub')).code,
      ).toBe(0);
      for (const [vm, host] of [
        ['p1', 'compute1'],
        ['p2', 'compute2'],
      ]) {
        const created = await server(vm!, 'prov', host!);
        expect(created.code, created.stderr).toBe(0);
      }
      const compute1 = await requireNode(await testEngine(), name, 'compute1');
      const ping = await execArgv(compute1, ['ip', 'netns', 'exec', 'p1', 'ping', '-c', '1', '-w', '10', '172.16.0.3']);
      expect(ping.exitCode, ping.stdout).toBe(0);
      expect((await execArgv(compute1, ['ovs-ofctl', 'dump-flows', 'br-eth2'])).stdout).toMatch(/dl_vlan=\d+ actions=mod_vlan_vid:101/);
    },
    SLOW,
  );

  it(
    'undoes every create with its delete, in reverse order, leaving each node as it booted',
    async () => {
      await succeed([
        ['server', 'delete', 'p2', 'p1'],
        ['subnet', 'delete', 'prov-sub'],
        ['network', 'delete', 'prov'],
        ['server', 'delete', 'vm2'],
        ['server', 'delete', 'vm1'],
        ['subnet', 'delete', 'sub1'],
        ['network', 'delete', 'net1'],
      ]);
      await expectAsBooted();
    },
    SLOW,
  );
  it(
    "builds dhcp-router's cloud by calls, and dhcp-router's own objectives pass against the sandbox",
    async () => {
      const calls = [
        ['network', 'create', '--provider-network-type', 'vxlan', '--provider-segment', '1001', 'tenant'],
        // The book's DHCP port is .3 and vm1 .2: the pool starts at .3, vm1 asks for .2 outside it.
        ['subnet', 'create', '--network', 'tenant', '--subnet-range', '10.0.0.0/24', '--allocation-pool', 'start=10.0.0.3,end=10.0.0.254', 'private'],
        ['network', 'create', '--external', '--provider-network-type', 'flat', '--provider-physical-network', 'extnet', 'ext'],
        ['subnet', 'create', '--network', 'ext', '--subnet-range', '9.186.100.0/24', '--gateway', '9.186.100.1', '--no-dhcp', 'public'],
        ['router', 'create', 'router1'],
        ['router', 'set', '--external-gateway', 'ext', 'router1'],
        ['router', 'add', 'subnet', 'router1', 'private'],
        ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--nic', 'net-id=tenant,v4-fixed-ip=10.0.0.2', '--availability-zone', 'nova:compute1', 'vm1'],
        ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', 'tenant', '--availability-zone', 'nova:compute1', 'vm2'],
        ['floating', 'ip', 'create', '--port', 'vm1', '--floating-ip-address', '9.186.100.129', 'ext'],
        // The default group lets in only its own members: the outside's ping to the floating IP too.
        ['security', 'group', 'rule', 'create', '--protocol', 'icmp', 'default'],
      ];
      await succeed(calls);
      // dhcp-router's checks name the book's ids, MACs and agent: each becomes the sandbox's.
      const engine = await testEngine();
      const book = await resolveLab('dhcp-router');
      const theirs = resolveCloud(book.lab);
      const ours = (await runningLab(engine, name)).model;
      const same: [string, string][] = [[theirs.routers[0]!.chainPrefix, ours.routers[0]!.chainPrefix]];
      for (const [netName, network] of theirs.networks) {
        same.push([network.id, ours.networks.get(netName)!.id]);
        network.subnets.forEach((subnet, i) => same.push([subnet.id, ours.networks.get(netName)!.subnets[i]!.id]));
      }
      const pair = (a: { portId: string; mac: string } | undefined, b: { portId: string; mac: string } | undefined) =>
        same.push([a!.portId, b!.portId], [a!.mac, b!.mac]);
      for (const port of theirs.ports) pair(port, ours.ports.find((p) => p.name === port.name));
      theirs.routers.forEach((router, r) => {
        same.push([router.id, ours.routers[r]!.id]);
        router.interfaces.forEach((i, k) => pair(i, ours.routers[r]!.interfaces[k]));
        pair(router.gateway, ours.routers[r]!.gateway);
      });
      let text = JSON.stringify(objectivesOf(book.lab).map((o) => o.check));
      for (const [a, b] of same) text = text.replaceAll(a, b);
      // Device names carry an id's first 11 characters (qr-694450d6-f6).
      for (const [a, b] of same) if (/^[0-9a-f-]{36}$/.test(a)) text = text.replaceAll(a.slice(0, 11), b.slice(0, 11));
      const checks = JSON.parse(text) as Check[];
      const containers = (await runningLab(engine, name)).containers;
      let outcomes = await checkRound(containers, ours, checks, (ask) => followInLab(engine, name, ask));
      // A VM's lease and the first pings after it can take a few seconds on a busy machine.
      for (let round = 0; round < 10 && outcomes.some((o) => !o.passed); round++) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        outcomes = await checkRound(containers, ours, checks, (ask) => followInLab(engine, name, ask));
      }
      const ids = objectivesOf(book.lab).map((o) => o.id);
      expect(outcomes.flatMap((o, i) => (o.passed ? [] : [`${ids[i]}: ${o.found}`]))).toEqual([]);
    },
    SLOW,
  );

  it(
    'undoes the router, the floating IP and the rule too, leaving each node as it booted',
    async () => {
      // A floating IP taken off its server stays allocated, and the router's NAT for it goes; put back, all is as before.
      const withFloatingIp = await snapshots();
      await succeed([['server', 'remove', 'floating', 'ip', 'vm1', '9.186.100.129']]);
      expect((await openstack('floating', 'ip', 'show', '9.186.100.129', '-c', 'status', '-c', 'port_id', '-f', 'value')).stdout).toBe(
        'DOWN\nNone\n',
      );
      expect(differences(withFloatingIp, await snapshots()).filter((d) => d.startsWith('network: nat rule'))).not.toEqual([]);
      await succeed([['server', 'add', 'floating', 'ip', 'vm1', '9.186.100.129']]);
      expect(differences(withFloatingIp, await snapshots())).toEqual([]);
      const rule = JSON.parse((await openstack('security', 'group', 'rule', 'list', 'default', '-f', 'json')).stdout) as { ID: string; 'IP Protocol': string | null }[];
      await succeed([
        ['security', 'group', 'rule', 'delete', rule.find((r) => r['IP Protocol'] === 'icmp')!.ID],
        ['floating', 'ip', 'delete', '9.186.100.129'],
        ['server', 'delete', 'vm2', 'vm1'],
        ['router', 'remove', 'subnet', 'router1', 'private'],
        ['router', 'unset', '--external-gateway', 'router1'],
        ['router', 'delete', 'router1'],
        ['subnet', 'delete', 'public'],
        ['network', 'delete', 'ext'],
        ['subnet', 'delete', 'private'],
        ['network', 'delete', 'tenant'],
      ]);
      await expectAsBooted();
    },
    SLOW,
  );
  it(
    'routes through a distributed router on each compute, SNATs on the network node, serves a floating IP from its host, and undoes it all',
    async () => {
      await succeed([
        ['network', 'create', '--external', '--provider-network-type', 'flat', '--provider-physical-network', 'extnet', 'ext'],
        ['subnet', 'create', '--network', 'ext', '--subnet-range', '9.186.100.0/24', '--gateway', '9.186.100.1', '--no-dhcp', 'public'],
        ['network', 'create', 'red'],
        ['subnet', 'create', '--network', 'red', '--subnet-range', '10.0.0.0/24', 'red-sub'],
        ['network', 'create', 'blue'],
        ['subnet', 'create', '--network', 'blue', '--subnet-range', '10.0.1.0/24', 'blue-sub'],
        ['router', 'create', '--distributed', 'dvr1'],
        ['router', 'add', 'subnet', 'dvr1', 'red-sub'],
        ['router', 'add', 'subnet', 'dvr1', 'blue-sub'],
        ['router', 'set', '--external-gateway', 'ext', 'dvr1'],
        ['security', 'group', 'rule', 'create', '--protocol', 'icmp', 'default'],
      ]);
      expect((await server('vm1', 'red', 'compute1')).code).toBe(0);
      expect((await server('vm2', 'blue', 'compute2')).code).toBe(0);
      const fip = await openstack('floating', 'ip', 'create', '--port', 'vm1', 'ext', '-c', 'floating_ip_address', '-f', 'value');
      expect(fip.code, fip.stderr).toBe(0);
      // The floating IP is served where vm1 runs: compute1 builds its fip- namespace, the network node nothing.
      expect(fip.stderr).toMatch(/^compute1: built compute1\/fip-namespace, compute1\/floating-ip\/vm1/m);
      expect(fip.stderr).not.toMatch(/^network:/m);
      const engine = await testEngine();
      const [compute1, compute2, outside] = await Promise.all([
        requireNode(engine, name, 'compute1'),
        requireNode(engine, name, 'compute2'),
        requireNode(engine, name, 'outside'),
      ]);
      const ping = async (node: typeof compute1, netns: string | undefined, to: string) => {
        const argv = ['ping', '-c', '1', '-w', '10', to];
        const result = await execArgv(node, netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv);
        return `${to}: ${result.exitCode === 0 ? 'answered' : result.stdout}`;
      };
      await waitFor(
        async () => (await execArgv(compute2, ['ip', '-n', 'vm2', '-4', 'addr', 'show', 'eth0'])).stdout.includes('10.0.1.'),
        60_000,
        250,
      );
      const vm2 = JSON.parse((await openstack('server', 'show', 'vm2', '-f', 'json')).stdout) as { addresses: string };
      const vm2Address = /10\.0\.1\.\d+/.exec(vm2.addresses)![0];
      const floating = fip.stdout.trim();
      // East-west between the two subnets (compute1's qrouter- routes it), vm2 out through snat-
      // on the network node, the outside in to vm1 through compute1's fip- namespace.
      expect([
        await ping(compute1, 'vm1', vm2Address),
        await ping(compute2, 'vm2', '9.186.100.1'),
        await ping(outside, undefined, floating),
      ]).toEqual([`${vm2Address}: answered`, '9.186.100.1: answered', `${floating}: answered`]);
      const namespaces = async (node: typeof compute1) => (await execArgv(node, ['ip', 'netns', 'list'])).stdout;
      const router = JSON.parse((await openstack('router', 'show', 'dvr1', '-c', 'id', '-f', 'json')).stdout) as { id: string };
      expect(await namespaces(compute1)).toContain(`qrouter-${router.id}`);
      expect(await namespaces(compute1)).toContain('fip-');
      expect(await namespaces(compute2)).toContain(`qrouter-${router.id}`);
      expect(await namespaces(compute2)).not.toContain('fip-');
      expect(await namespaces(await requireNode(engine, name, 'network'))).toContain(`snat-${router.id}`);

      const rule = JSON.parse((await openstack('security', 'group', 'rule', 'list', 'default', '-f', 'json')).stdout) as {
        ID: string;
        'IP Protocol': string | null;
      }[];
      await succeed([
        ['floating', 'ip', 'delete', floating],
        ['server', 'delete', 'vm2', 'vm1'],
        ['security', 'group', 'rule', 'delete', rule.find((r) => r['IP Protocol'] === 'icmp')!.ID],
        ['router', 'unset', '--external-gateway', 'dvr1'],
        ['router', 'remove', 'subnet', 'dvr1', 'blue-sub'],
        ['router', 'remove', 'subnet', 'dvr1', 'red-sub'],
        ['router', 'delete', 'dvr1'],
        ['subnet', 'delete', 'blue-sub', 'red-sub', 'public'],
        ['network', 'delete', 'blue', 'red', 'ext'],
      ]);
      await expectAsBooted();
    },
    SLOW,
  );
  it(
    'builds a firewall and a load balancer with the legacy verbs, follows the policy as it changes, and undoes them',
    async () => {
      const neutron = (...argv: string[]) => runCli(['neutron', name, ...argv]);
      const legacy = async (calls: string[][]) => {
        for (const argv of calls) {
          const result = await neutron(...argv);
          expect(result.code, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
        }
      };
      await succeed([
        ['network', 'create', 'tenant'],
        ['subnet', 'create', '--network', 'tenant', '--subnet-range', '10.0.0.0/24', 'private'],
        ['network', 'create', '--external', '--provider-network-type', 'flat', '--provider-physical-network', 'extnet', 'ext'],
        ['subnet', 'create', '--network', 'ext', '--subnet-range', '9.186.100.0/24', '--gateway', '9.186.100.1', '--no-dhcp', 'public'],
        ['router', 'create', 'router1'],
        ['router', 'set', '--external-gateway', 'ext', 'router1'],
        ['router', 'add', 'subnet', 'router1', 'private'],
        ['security', 'group', 'rule', 'create', '--protocol', 'icmp', 'default'],
        ['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '80', 'default'],
      ]);
      expect((await server('vm1', 'tenant', 'compute1')).code).toBe(0);
      expect((await server('vm2', 'tenant', 'compute2')).code).toBe(0);
      await succeed([['floating', 'ip', 'create', '--port', 'vm1', '--floating-ip-address', '9.186.100.129', 'ext']]);
      const engine = await testEngine();
      const [network, compute1, compute2, outside] = await Promise.all([
        requireNode(engine, name, 'network'),
        requireNode(engine, name, 'compute1'),
        requireNode(engine, name, 'compute2'),
        requireNode(engine, name, 'outside'),
      ]);
      // A dropped ping waits 2 s for its answer; one that must pass may take a few tries on a busy machine.
      const pings = async () => (await execArgv(outside, ['ping', '-c', '1', '-w', '2', '9.186.100.129'])).exitCode === 0;
      await waitFor(pings, 60_000, 0);

      // FWaaS v1: a policy with only SSH allowed drops the outside's ping at router1; a rule
      // inserted into the policy lets it through, removed it drops it again.
      await legacy([
        ['firewall-rule-create', '--name', 'ssh', '--protocol', 'tcp', '--destination-port', '22', '--action', 'allow'],
        ['firewall-policy-create', '--firewall-rules', 'ssh', 'p1'],
        ['firewall-create', '--name', 'fw1', 'p1'],
      ]);
      expect(await pings()).toBe(false);
      await legacy([
        ['firewall-rule-create', '--name', 'ping', '--protocol', 'icmp', '--action', 'allow'],
        ['firewall-policy-insert-rule', 'p1', 'ping'],
      ]);
      await waitFor(pings, 20_000, 0); // answered again
      await legacy([['firewall-policy-remove-rule', 'p1', 'ping']]);
      expect(await pings()).toBe(false);
      await legacy([
        ['firewall-delete', 'fw1'],
        ['firewall-policy-delete', 'p1'],
        ['firewall-rule-delete', 'ping'],
        ['firewall-rule-delete', 'ssh'],
      ]);
      await waitFor(pings, 20_000, 0); // answered again

      // LBaaS v1: each member runs a web server in its guest (as a learner would on cirros); the
      // VIP's haproxy in qlbaas- balances the router's requests over both.
      const guests: [typeof compute1, string][] = [
        [compute1, 'vm1'],
        [compute2, 'vm2'],
      ];
      for (const [node, vm] of guests) {
        await execArgv(node, ['sh', '-c', 'mkdir -p "/tmp/www-$1" && echo "$1" > "/tmp/www-$1/index.html"', 'sh', vm]);
        const started = await execArgv(node, ['ip', 'netns', 'exec', vm, 'busybox', 'httpd', '-p', '0.0.0.0:80', '-h', `/tmp/www-${vm}`]);
        expect(started.exitCode, started.stderr).toBe(0);
      }
      const addresses = JSON.parse((await openstack('server', 'list', '-f', 'json', '-c', 'Networks')).stdout) as { Networks: string }[];
      await legacy([
        ['lb-pool-create', '--name', 'web', '--lb-method', 'ROUND_ROBIN', '--protocol', 'HTTP', '--subnet-id', 'private'],
        ...addresses.map((a) => ['lb-member-create', '--address', /10\.0\.0\.\d+/.exec(a.Networks)![0], '--protocol-port', '80', 'web']),
        ['lb-healthmonitor-create', '--delay', '1', '--type', 'TCP', '--max-retries', '2', '--timeout', '1'],
        ['lb-healthmonitor-associate', 'monitor-1', 'web'],
        ['lb-vip-create', '--name', 'vip', '--protocol-port', '80', '--protocol', 'HTTP', '--subnet-id', 'private', '--address', '10.0.0.250', 'web'],
      ]);
      const router = JSON.parse((await openstack('router', 'show', 'router1', '-c', 'id', '-f', 'json')).stdout) as { id: string };
      const served = new Set<string>();
      await waitFor(
        async () => {
          const got = await execArgv(network, ['ip', 'netns', 'exec', `qrouter-${router.id}`, 'curl', '-s', '-m', '3', 'http://10.0.0.250/']);
          if (got.exitCode === 0) served.add(got.stdout.trim());
          return served.size === 2;
        },
        60_000,
        250,
      );
      expect([...served].sort()).toEqual(['vm1', 'vm2']);
      for (const [node, vm] of guests) await execArgv(node, ['pkill', '-f', `-h /tmp/www-${vm}`]);

      const members = JSON.parse((await neutron('lb-member-list', '-f', 'json')).stdout) as { id: string }[];
      await legacy([
        ['lb-vip-delete', 'vip'],
        ['lb-healthmonitor-delete', 'monitor-1'],
        ...members.map((m) => ['lb-member-delete', m.id]),
        ['lb-pool-delete', 'web'],
      ]);
      const rules = JSON.parse((await openstack('security', 'group', 'rule', 'list', 'default', '-f', 'json')).stdout) as {
        ID: string;
        'IP Protocol': string | null;
      }[];
      await succeed([
        ['floating', 'ip', 'delete', '9.186.100.129'],
        ['server', 'delete', 'vm2', 'vm1'],
        ...rules.filter((r) => r['IP Protocol'] !== null).map((r) => ['security', 'group', 'rule', 'delete', r.ID]),
        ['router', 'remove', 'subnet', 'router1', 'private'],
        ['router', 'unset', '--external-gateway', 'router1'],
        ['router', 'delete', 'router1'],
        ['subnet', 'delete', 'public', 'private'],
        ['network', 'delete', 'ext', 'tenant'],
      ]);
      await expectAsBooted();
    },
    SLOW,
  );
  it(
    'is back to its empty cloud after reset, as booted',
    async () => {
      await succeed([
        ['network', 'create', 'net1'],
        ['subnet', 'create', '--network', 'net1', '--subnet-range', '10.1.0.0/24', 'sub1'],
        ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', 'net1', 'vm1'],
      ]);
      const reset = await runCli(['reset', name, '--json']);
      expect(reset.code, reset.stderr).toBe(0);
      expect(JSON.parse((await openstack('network', 'list', '-f', 'json')).stdout)).toEqual([]);
      expect(differences(booted, await snapshots())).toEqual([]);
      // And calls build on it again from there.
      expect((await openstack('network', 'create', 'net1', '-c', 'provider:segmentation_id', '-f', 'value')).stdout).toBe('1\n');
    },
    SLOW,
  );
});
