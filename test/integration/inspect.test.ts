import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseActions } from '../../main/core/inspect/flows/actions';
import { describeActions, normalizeActions, normalizeFlow } from '../../main/core/inspect/flows/normalize';
import { portMapOf } from '../../main/core/inspect/ovsdb/parse';
import { renderShow } from '../../main/core/inspect/ovsdb/show';
import { diffSnapshots } from '../../main/core/inspect/snapshot/diff';
import { collectSnapshot } from '../../main/core/inspect/snapshot/snapshot';
import { traceInNode } from '../../main/core/inspect/trace/run';
import { resolveLab } from '../../main/core/lab/catalog';
import { up } from '../../main/core/session/boot';
import { requireNode } from '../../main/core/session/sessions';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { buildGreNode, ICEHOUSE_BR_TUN_FLOWS, run, VM_ADDRESS } from './gre-state';
import { runCli, testEngine, uniqueName } from './helpers';

/**
 * The inspectors on live nodes: known state is built in a real node, and the snapshot must read
 * it back exactly; traffic must show in the diff as counters that grew; a trace must cross the
 * patch port into the tunnel and report its id.
 */

const name = uniqueName('inspect');
let network: Docker.Container;
let compute: Docker.Container;

beforeAll(async () => {
  const engine = await testEngine();
  await up(engine, await resolveLab('gre-tenant'), { name });
  network = await requireNode(engine, name, 'network');
  compute = await requireNode(engine, name, 'compute1');
  await Promise.all([buildGreNode(network, 'network'), buildGreNode(compute, 'compute1')]);
  // iptables chains the snapshot must read back, and a service in a DHCP namespace.
  await run(network, ['iptables', '-N', 'neutron-openvswi-sg-chain']);
  await run(network, [
    'iptables',
    '-A',
    'FORWARD',
    '-m',
    'physdev',
    '--physdev-out',
    'tapvm1',
    '--physdev-is-bridged',
    '-j',
    'neutron-openvswi-sg-chain',
  ]);
  await run(network, ['iptables', '-A', 'neutron-openvswi-sg-chain', '-p', 'tcp', '-m', 'tcp', '--dport', '22', '-j', 'RETURN']);
  await run(network, ['ip', 'netns', 'exec', 'vm1', 'iptables', '-A', 'OUTPUT', '-p', 'icmp', '-j', 'ACCEPT']);
  await run(network, ['ip', 'netns', 'add', 'qdhcp-net1']);
  await run(network, ['ip', 'link', 'add', 'tapdhcp', 'type', 'veth', 'peer', 'name', 'ns-dhcp', 'netns', 'qdhcp-net1']);
  await run(network, ['ip', '-n', 'qdhcp-net1', 'addr', 'add', '192.168.1.2/24', 'dev', 'ns-dhcp']);
  await run(network, ['ip', '-n', 'qdhcp-net1', 'link', 'set', 'ns-dhcp', 'up']);
  await run(network, ['mkdir', '-p', '/var/lib/neutron/dhcp/net1']);
  await run(network, ['tee', '/var/lib/neutron/dhcp/net1/host'], 'fa:16:3e:00:00:11,host-192-168-1-11,192.168.1.11\n');
  await run(network, [
    'ip',
    'netns',
    'exec',
    'qdhcp-net1',
    'dnsmasq',
    '--no-hosts',
    '--no-resolv',
    '--bind-interfaces',
    '--interface=ns-dhcp',
    '--except-interface=lo',
    '--dhcp-hostsfile=/var/lib/neutron/dhcp/net1/host',
    '--dhcp-range=set:tag0,192.168.1.0,static,86400s',
    '--leasefile-ro',
  ]);
}, 120_000);

afterAll(async () => {
  await removeSessionsNamed(await testEngine(), name);
});

describe('a snapshot reads back exactly the state built in the node', () => {
  it('bridges, ports and their options, tags and datapath', async () => {
    const snapshot = await collectSnapshot(network, 'network');
    expect(snapshot.problems).toEqual([]);
    const bridge = (bridgeName: string) => snapshot.ovs.bridges.find((b) => b.name === bridgeName)!;
    expect(snapshot.ovs.bridges.map((b) => `${b.name}:${b.datapathType}`).sort()).toEqual([
      'br-int:netdev',
      'br-phy:netdev',
      'br-tun:netdev',
    ]);
    const port = (bridgeName: string, portName: string) => bridge(bridgeName).ports.find((p) => p.name === portName);
    expect(port('br-tun', 'gre-1')?.interfaces[0]).toMatchObject({
      type: 'gre',
      options: { remote_ip: '10.0.0.101', local_ip: '10.0.0.100', in_key: 'flow', out_key: 'flow' },
    });
    expect(port('br-tun', 'patch-int')?.interfaces[0]).toMatchObject({ type: 'patch', options: { peer: 'patch-tun' } });
    expect(port('br-int', 'qvo-vm1')).toMatchObject({ tag: 1 });
    expect(bridge('br-phy').otherConfig.hwaddr).toMatch(/^02:42:/);
    // The show tree printed from the snapshot is what the node's own ovs-vsctl prints.
    expect(renderShow(snapshot.ovs)).toBe(await run(network, ['ovs-vsctl', 'show']));
  });

  it('every flow of br-tun, with the meaning it was written with', async () => {
    const snapshot = await collectSnapshot(network, 'network');
    const ports = portMapOf(snapshot.ovs.bridges.find((b) => b.name === 'br-tun')!);
    // Learned flows (hard_timeout) come and go with traffic; the written ones must all be there.
    const written = snapshot.flows['br-tun']!.filter((flow) => flow.hardTimeout === undefined);
    const read = written.map((flow) => {
      const normal = normalizeFlow(flow, ports);
      return `table=${normal.table},priority=${normal.priority} ${[...normal.match].map(([k, v]) => `${k}=${v}`).join(',')} → ${describeActions(normal.actions)}`;
    });
    expect(read).toEqual([
      'table=0,priority=1 in_port=patch-int → goto_table:1',
      'table=0,priority=1 in_port=gre-1 → goto_table:2',
      'table=0,priority=0  → drop',
      'table=1,priority=0 dl_dst=00:00:00:00:00:00/01:00:00:00:00:00 → goto_table:20',
      'table=1,priority=0 dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 → goto_table:21',
      'table=2,priority=1 tun_id=1 → set_vlan:1,goto_table:10',
      'table=2,priority=0  → drop',
      'table=3,priority=0  → drop',
      'table=10,priority=1  → learn(table=20,hard_timeout=300,priority=1,vlan_tci[0..11],dl_dst=dl_src,load:0->vlan_tci,load:tun_id->tun_id,output:in_port),output:patch-int',
      'table=20,priority=0  → goto_table:21',
      'table=21,priority=1 vlan_tci=4097/8191 → pop_vlan,set:1->tun_id,output:gre-1',
      'table=21,priority=0  → drop',
    ]);
    expect(ICEHOUSE_BR_TUN_FLOWS).toHaveLength(read.length);
  });

  it('namespaces with their addresses, iptables chains and the DHCP service with its hosts file', async () => {
    const snapshot = await collectSnapshot(network, 'network');
    expect(snapshot.namespaces.map((n) => n.name).sort()).toEqual(['', 'qdhcp-net1', 'vm1']);
    const vm = snapshot.namespaces.find((n) => n.name === 'vm1')!;
    const eth0 = vm.interfaces.find((i) => i.name === 'eth0')!;
    expect(eth0.mtu).toBe(1458);
    expect(eth0.addresses.filter((a) => a.family === 'inet')).toEqual([
      { family: 'inet', address: VM_ADDRESS.network, prefix: 24, scope: 'global' },
    ]);
    const root = snapshot.namespaces[0]!;
    expect(root.interfaces.find((i) => i.name === 'br-phy')?.addresses[0]?.address).toBe('10.0.0.100');
    const filter = root.iptables.tables.find((t) => t.name === 'filter')!;
    expect(filter.chains.find((c) => c.name === 'neutron-openvswi-sg-chain')?.rules[0]).toMatchObject({
      generic: [{ name: '-p', values: ['tcp'] }],
      matches: [{ module: 'tcp', options: [{ name: '--dport', values: ['22'] }] }],
      target: { name: 'RETURN' },
    });
    expect(snapshot.processes).toEqual([
      expect.objectContaining({
        command: 'dnsmasq',
        namespace: 'qdhcp-net1',
        files: [{ path: '/var/lib/neutron/dhcp/net1/host', content: 'fa:16:3e:00:00:11,host-192-168-1-11,192.168.1.11\n' }],
      }),
    ]);
  });
});

describe('traffic, seen as a diff', () => {
  it('a ping across the tunnel grows the flood, learn and VM rule counters and adds a learned flow', async () => {
    // Forget what was learned from the other VM so far, so the ping must teach it again.
    const remoteMac = (await run(compute, ['ip', '-n', 'vm1', '-br', 'link', 'show', 'eth0'])).split(/\s+/)[2] as string;
    await run(network, ['ovs-ofctl', 'del-flows', 'br-tun', `table=20,dl_dst=${remoteMac}`]);
    const before = await collectSnapshot(network, 'network');
    // The first packets to a new tunnel peer may be lost while OVS resolves ARP; ping retries.
    const ping = await run(network, ['ip', 'netns', 'exec', 'vm1', 'ping', '-c', '4', '-i', '0.2', '-W', '1', VM_ADDRESS.compute1]);
    expect(ping).toMatch(/ [1-4] received/);
    // Flow counters reach OpenFlow through the revalidators; give them their moment.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await collectSnapshot(network, 'network');
    const diff = diffSnapshots(before, after);

    const tun = diff.flows.find((f) => f.bridge === 'br-tun')!;
    const grew = tun.counters.map((c) => `${c.item.table}/${c.item.priority}`);
    expect(grew).toContain('21/1'); // ARP request flooded into the tunnel
    expect(grew).toContain('10/1'); // the reply, learned on the way in
    // The flow learned for the other VM: new since `before`, or (when stray IPv6 traffic taught it
    // again in between) carrying the ping's packets.
    const learned = after.flows['br-tun']!.find((f) => f.table === 20 && f.match.some((m) => m.name === 'dl_dst' && m.value === remoteMac));
    expect(learned).toMatchObject({ priority: 1, hardTimeout: 300 });
    expect(tun.added.includes(learned!) || tun.counters.some((c) => c.item === learned)).toBe(true);
    const vmRules = diff.rules.find((r) => r.namespace === 'vm1' && r.table === 'filter')!;
    expect(vmRules.counters[0]?.packets).toBeGreaterThanOrEqual(4);
  });
});

describe('a packet trace', () => {
  it('crosses the patch port into br-tun and leaves by the GRE tunnel with its id', async () => {
    const remote = (await run(compute, ['ip', '-n', 'vm1', '-br', 'link', 'show', 'eth0'])).split(/\s+/)[2] as string;
    const trace = await traceInNode(
      network,
      'br-int',
      `in_port=qvo-vm1,dl_src=fa:16:3e:00:00:10,dl_dst=${remote},ip,nw_src=${VM_ADDRESS.network},nw_dst=${VM_ADDRESS.compute1}`,
    );
    expect(trace.bridges.slice(0, 2)).toEqual(['br-int', 'br-tun']);
    const tunSteps = trace.steps.filter((s) => s.bridge === 'br-tun');
    const patchInt = (await collectSnapshot(network, 'network')).ovs.bridges
      .find((b) => b.name === 'br-tun')!
      .ports.find((p) => p.name === 'patch-int')!.interfaces[0]!.ofport;
    expect(tunSteps[0]?.match).toBe(`in_port=${patchInt}`);
    // Flooded (table 21) or by the flow learned from the ping (table 20): either way untagged, tunnel id 1.
    const last = normalizeActions(parseActions(tunSteps.at(-1)!.actions.join(',')));
    expect(last).toEqual(expect.arrayContaining([{ op: 'pop_vlan' }, { op: 'set', field: 'tun_id', value: '1' }]));
    expect(trace.tunnels).toEqual([{ type: 'gre', source: '10.0.0.100', destination: '10.0.0.101', tunnelId: '0x1' }]);
  });

  it('through the CLI, with a clear error for a bridge that does not exist', async () => {
    const ok = await runCli(['trace', name, 'network', 'br-int', 'in_port=qvo-vm1,dl_dst=ff:ff:ff:ff:ff:ff,arp', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).tunnels).toEqual([{ type: 'gre', source: '10.0.0.100', destination: '10.0.0.101', tunnelId: '0x1' }]);
    const bad = await runCli(['trace', name, 'network', 'br-nope', 'in_port=1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('OVS cannot trace "in_port=1" on br-nope');
    const snapshot = await runCli(['snapshot', name, 'compute1', '--json']);
    expect(JSON.parse(snapshot.stdout).node).toBe('compute1');
  });
});
