import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveCloud } from '../cloud/model';
import { readFrames, type Frame } from '../inspect/snapshot/frames';
import { assembleSnapshot } from '../inspect/snapshot/snapshot';
import type { NodeSnapshot } from '../inspect/snapshot/types';
import { parseLab } from '../lab/load';
import { describeCheck, evaluate, nodesRead, probesOf, snapshotsRead, type EvaluationContext } from './evaluate';
import { CheckSchema, type Check } from './schema';
import { evaluateState, type Outcome, type StateCheck } from './state';

/**
 * The kinds that read a snapshot, on a real one: nl-snapshot's output captured on a compute
 * node (br-phy only; namespaces qdhcp-88b1609c and vm1; iptables rules of every form the parser
 * reads; a dnsmasq). For flows, ports and bridge membership the same capture gets the other
 * real outputs of the fixture folder spliced in (see `rich` below).
 */

const FIXTURES = join(import.meta.dirname, '..', 'inspect', 'fixtures', 'ovs');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const frames = readFrames(readFileSync(join(FIXTURES, 'snapshot-compute1.frames')), 'fixture');
const snapshot = assembleSnapshot(frames, 'compute1');

/** The capture with some sections replaced or added (by name). */
function withFrames(replaced: Record<string, string>): NodeSnapshot {
  const changed: Frame[] = frames.map((f) => (f.name in replaced ? { ...f, text: replaced[f.name] as string } : f));
  for (const [name, text] of Object.entries(replaced)) if (!frames.some((f) => f.name === name)) changed.push({ name, status: 0, text });
  return assembleSnapshot(changed, 'compute1');
}

/** A table-20 flow as OVS prints one that table 10's learn action installed (it carries a hard_timeout; gre-1 is port 1). */
const LEARNED =
  ' cookie=0x0, duration=12.345s, table=20, n_packets=3, n_bytes=294, hard_timeout=300, idle_age=2, hard_age=2, priority=1,vlan_tci=0x0001/0x0fff,dl_dst=fa:16:3e:32:0d:db actions=load:0->NXM_OF_VLAN_TCI[],load:0x1->NXM_NX_TUN_ID[],output:1\n';

/** tap0 enslaved to a Linux bridge qbr-test, as a VM's tap is to its qbr. */
function rootAddrWithBridge(): string {
  const links = JSON.parse(frames.find((f) => f.name === 'root/addr')?.text ?? '[]') as Record<string, unknown>[];
  const tap = links.find((l) => l.ifname === 'tap0') as Record<string, unknown>;
  tap.master = 'qbr-test';
  links.push({
    ifindex: 99,
    ifname: 'qbr-test',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1500,
    operstate: 'UP',
    linkinfo: { info_kind: 'bridge' },
    addr_info: [],
  });
  return JSON.stringify(links);
}

/**
 * The capture with the network node's OVS database of the same capture run (br-int, br-tun with
 * patch-int = port 2 and gre-1 = port 1, br-phy), br-tun's flows as `ovs-ofctl dump-flows`
 * prints them (port numbers, strip_vlan, set_tunnel) plus one learned flow, br-int's in the
 * OpenFlow 1.3 form (set_field), and tap0 in a Linux bridge.
 */
const rich = withFrames({
  ovsdb: fixture('ovsdb-dump.json'),
  'flows/br-tun': fixture('br-tun.of10.flows.txt') + LEARNED,
  'flows/br-int': fixture('br-int.of13.flows.txt'),
  'root/addr': rootAddrWithBridge(),
});

/** A check as a lab file gives it: read by the schema, so its defaults (present: true, table: filter, …) are set. */
const parse = (check: Record<string, unknown>): Check => CheckSchema.parse(check);

/** Evaluates a state check against one node's snapshot, where it looks as evaluate() would place a node check. */
function state(check: Record<string, unknown>, snap: NodeSnapshot = snapshot): Outcome {
  const parsed = parse({ node: 'compute1', ...check }) as StateCheck;
  const namespace = 'namespace' in parsed && parsed.kind !== 'process' ? (parsed.namespace ?? '') : '';
  return evaluateState(parsed, snap, { node: 'compute1', namespace });
}

describe('the fixture snapshot', () => {
  it('is what the tests below stand on', () => {
    expect(snapshot.problems).toEqual([]);
    expect(rich.problems).toEqual([]);
    expect(rich.ovs.bridges.map((b) => b.name).sort()).toEqual(['br-int', 'br-phy', 'br-tun']);
    expect(rich.flows['br-tun']).toHaveLength(7);
  });
});

describe('bridge', () => {
  it('passes for a bridge that is there, with its datapath type and (default) fail mode', () => {
    const outcome = state({ kind: 'bridge', bridge: 'br-phy', datapathType: 'netdev', failMode: 'standalone' });
    expect(outcome).toMatchObject({ passed: true, expected: 'bridge br-phy with fail_mode=standalone, datapath_type=netdev on compute1' });
    expect(outcome.found).toBe('bridge br-phy: fail_mode=standalone, datapath_type=netdev');
  });

  it('fails for a missing bridge and lists the bridges there are', () => {
    expect(state({ kind: 'bridge', bridge: 'br-int' })).toEqual({
      passed: false,
      expected: 'bridge br-int on compute1',
      found: 'bridges: br-phy',
    });
  });

  it('fails for a bridge with the wrong fail mode, saying which it has', () => {
    const outcome = state({ kind: 'bridge', bridge: 'br-phy', failMode: 'secure' });
    expect(outcome.passed).toBe(false);
    expect(outcome.expected).toContain('fail_mode=secure');
    expect(outcome.found).toContain('fail_mode=standalone');
  });

  it('present: false passes when the bridge is absent and fails when it is there', () => {
    expect(state({ kind: 'bridge', bridge: 'br-ex', present: false })).toMatchObject({
      passed: true,
      expected: 'no bridge br-ex on compute1',
    });
    expect(state({ kind: 'bridge', bridge: 'br-phy', present: false })).toMatchObject({
      passed: false,
      found: expect.stringContaining('bridge br-phy'),
    });
  });
});

describe('port', () => {
  it('passes for a port with its type', () => {
    expect(state({ kind: 'port', bridge: 'br-phy', port: 'eth1', type: '' })).toMatchObject({
      passed: true,
      found: 'port eth1, no tag, type system',
    });
    expect(state({ kind: 'port', bridge: 'br-phy', port: 'br-phy', type: 'internal' }).passed).toBe(true);
  });

  it('fails for a port of the wrong type, saying which it is', () => {
    const outcome = state({ kind: 'port', bridge: 'br-phy', port: 'eth1', type: 'internal' });
    expect(outcome).toMatchObject({
      passed: false,
      expected: 'port eth1 on br-phy with type internal (compute1)',
      found: 'port eth1, no tag, type system',
    });
  });

  it("fails for a missing port and lists the bridge's ports; for a missing bridge says so", () => {
    expect(state({ kind: 'port', bridge: 'br-phy', port: 'eth2' })).toMatchObject({
      passed: false,
      found: 'ports of br-phy: eth1; br-phy',
    });
    expect(state({ kind: 'port', bridge: 'br-tun', port: 'gre-1' })).toMatchObject({ passed: false, found: 'no bridge br-tun' });
  });

  it('checks the tag and interface options (a GRE port with flow-based keys)', () => {
    const gre = {
      kind: 'port',
      bridge: 'br-tun',
      port: 'gre-1',
      type: 'gre',
      options: { remote_ip: '10.0.0.101', in_key: 'flow', out_key: 'flow' },
    };
    expect(state(gre, rich)).toMatchObject({ passed: true, found: expect.stringContaining('remote_ip=10.0.0.101') });
    const wrongRemote = state({ ...gre, options: { remote_ip: '10.0.0.102' } }, rich);
    expect(wrongRemote).toMatchObject({ passed: false, expected: expect.stringContaining('remote_ip=10.0.0.102') });
    expect(wrongRemote.found).toContain('remote_ip=10.0.0.101');
    expect(state({ kind: 'port', bridge: 'br-int', port: 'qvo-test', tag: 1 }, rich)).toMatchObject({
      passed: true,
      found: expect.stringContaining('tag 1'),
    });
    expect(state({ kind: 'port', bridge: 'br-int', port: 'qvo-test', tag: 2 }, rich)).toMatchObject({
      passed: false,
      found: expect.stringContaining('tag 1'),
    });
    expect(state({ kind: 'port', bridge: 'br-int', port: 'patch-tun', tag: 1 }, rich)).toMatchObject({
      passed: false,
      found: expect.stringContaining('no tag'),
    });
  });

  it('present: false passes for a port that is not on the bridge', () => {
    expect(state({ kind: 'port', bridge: 'br-int', port: 'qvo-gone', present: false }, rich)).toMatchObject({
      passed: true,
      expected: 'no port qvo-gone on br-int (compute1)',
    });
    expect(state({ kind: 'port', bridge: 'br-int', port: 'qvo-test', present: false }, rich).passed).toBe(false);
  });
});

describe('flow', () => {
  it('matches the port by meaning: a name in the check, a number in the dump (and back)', () => {
    const byName = state(
      { kind: 'flow', bridge: 'br-tun', table: 0, priority: 1, match: 'in_port=patch-int', actions: 'resubmit(,1)' },
      rich,
    );
    expect(byName).toMatchObject({ passed: true, found: 'table=0,priority=1,in_port=2 actions=resubmit(,1)' });
    expect(byName.expected).toBe('a flow table=0,priority=1,in_port=patch-int actions=resubmit(,1) on br-tun (compute1)');
    expect(state({ kind: 'flow', bridge: 'br-tun', table: 0, match: 'in_port=2' }, rich).passed).toBe(true);
    expect(
      state(
        {
          kind: 'flow',
          bridge: 'br-tun',
          table: 10,
          actions:
            'learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:NXM_OF_IN_PORT[]),output:patch-int',
        },
        rich,
      ).passed,
    ).toBe(true);
  });

  it('matches actions by meaning: goto_table ≈ resubmit(,N), pop_vlan ≈ strip_vlan, set_field ≈ set_tunnel, mod_vlan_vid ≈ set_field vlan_vid', () => {
    expect(state({ kind: 'flow', bridge: 'br-tun', table: 0, match: 'in_port=patch-int', actions: 'goto_table:1' }, rich).passed).toBe(
      true,
    );
    expect(
      state({ kind: 'flow', bridge: 'br-tun', table: 21, match: 'dl_vlan=1', actions: 'pop_vlan,set_field:0x1->tun_id,output:gre-1' }, rich)
        .passed,
    ).toBe(true);
    expect(
      state({ kind: 'flow', bridge: 'br-tun', table: 21, match: 'dl_vlan=1', actions: 'strip_vlan,set_tunnel:0x1,output:"gre-1"' }, rich)
        .passed,
    ).toBe(true);
    // br-int in the OpenFlow 1.3 form: set_field:4097->vlan_vid, in_port=1.
    expect(
      state({ kind: 'flow', bridge: 'br-int', table: 5, match: 'in_port=patch-tun,dl_vlan=101', actions: 'mod_vlan_vid:1,NORMAL' }, rich)
        .passed,
    ).toBe(true);
  });

  it("takes the check's match as a subset of the flow's fields", () => {
    expect(state({ kind: 'flow', bridge: 'br-int', table: 7, match: 'tcp,tp_dst=22', actions: 'drop' }, rich).passed).toBe(true);
    expect(state({ kind: 'flow', bridge: 'br-int', table: 7, match: 'tcp,tp_dst=23' }, rich).passed).toBe(false);
  });

  it('fails for a flow from the wrong port, listing what the table holds instead', () => {
    const outcome = state({ kind: 'flow', bridge: 'br-tun', table: 0, match: 'in_port=gre-1', actions: 'resubmit(,2)' }, rich);
    expect(outcome).toMatchObject({ passed: false, expected: 'a flow table=0,in_port=gre-1 actions=resubmit(,2) on br-tun (compute1)' });
    expect(outcome.found).toBe('table=0,priority=1,in_port=2 actions=resubmit(,1)');
  });

  it('fails for the wrong tunnel key or the wrong table, showing the flows there', () => {
    const key = state(
      { kind: 'flow', bridge: 'br-tun', table: 21, match: 'dl_vlan=1', actions: 'strip_vlan,set_tunnel:0x2,output:gre-1' },
      rich,
    );
    expect(key).toMatchObject({ passed: false, found: 'table=21,priority=1,dl_vlan=1 actions=strip_vlan,set_tunnel:0x1,output:1' });
    const table = state({ kind: 'flow', bridge: 'br-tun', table: 22, match: 'dl_vlan=1' }, rich);
    expect(table).toMatchObject({ passed: false, found: 'table 22 of br-tun is empty' });
    const resubmit = state(
      { kind: 'flow', bridge: 'br-tun', table: 1, actions: 'goto_table:21', match: 'dl_dst=00:00:00:00:00:00/01:00:00:00:00:00' },
      rich,
    );
    expect(resubmit.passed).toBe(false);
    expect(resubmit.found).toContain('resubmit(,20)');
  });

  it('learned: true selects only flows a learn action installed', () => {
    const learned = state(
      {
        kind: 'flow',
        bridge: 'br-tun',
        table: 20,
        learned: true,
        match: 'dl_dst=fa:16:3e:32:0d:db',
        actions: 'load:0->NXM_OF_VLAN_TCI[],load:0x1->NXM_NX_TUN_ID[],output:gre-1',
      },
      rich,
    );
    expect(learned).toMatchObject({ passed: true, expected: expect.stringContaining('(learned)') });
    expect(learned.found).toContain('dl_dst=fa:16:3e:32:0d:db');
    // The table's static default is no learned flow; the learned one is no static flow.
    expect(state({ kind: 'flow', bridge: 'br-tun', table: 20, priority: 0, learned: true }, rich)).toMatchObject({
      passed: false,
      found: expect.stringContaining('priority=0'),
    });
    expect(state({ kind: 'flow', bridge: 'br-tun', table: 20, priority: 1, learned: false }, rich).passed).toBe(false);
    // Nothing learned yet: the plain capture has no br-tun at all.
    expect(state({ kind: 'flow', bridge: 'br-tun', table: 20, learned: true })).toMatchObject({ passed: false, found: 'no bridge br-tun' });
  });

  it('present: false passes when no flow matches, and fails naming the flow that does', () => {
    expect(state({ kind: 'flow', bridge: 'br-tun', table: 3, present: false }, rich)).toMatchObject({
      passed: true,
      found: 'table 3 of br-tun is empty',
    });
    const there = state({ kind: 'flow', bridge: 'br-phy', actions: 'NORMAL', present: false });
    expect(there).toMatchObject({ passed: false, found: 'table=0,priority=0 actions=NORMAL' });
    expect(state({ kind: 'flow', bridge: 'br-tun', present: false })).toMatchObject({ passed: true, found: 'no bridge br-tun' });
  });

  // The learner reads this sentence: not "no a flow …".
  it('words the expected side of present: false as "no flow …"', () => {
    expect(state({ kind: 'flow', bridge: 'br-tun', table: 3, present: false }, rich).expected).toBe('no flow table=3 on br-tun (compute1)');
  });

  it('refuses actions it cannot read (evaluate turns that into a failed outcome, not a throw)', () => {
    expect(() => state({ kind: 'flow', bridge: 'br-phy', actions: 'resubmit(,1' })).toThrow(/Cannot read the flow actions "resubmit\(,1"/);
  });

  // A match copied from a dump may carry table= or priority=: refused with the field to use
  // (lint reports it at the match), never silently dropped.
  it('refuses a table or priority written in the match', () => {
    expect(() => state({ kind: 'flow', bridge: 'br-tun', match: 'table=22,dl_vlan=1' }, rich)).toThrow(
      /"table=" belongs in the check's own "table" field/,
    );
    expect(() => state({ kind: 'flow', bridge: 'br-tun', match: 'dl_vlan=1,priority=1' }, rich)).toThrow(/"priority" field/);
  });
});

describe('iptables', () => {
  it('finds a rule by its option groups, in any order', () => {
    const rule = '-A neutron-openvswi-sg-chain -p tcp -m tcp --dport 22 -j RETURN';
    expect(state({ kind: 'iptables', chain: 'neutron-openvswi-sg-chain', rule: '-p tcp -m tcp --dport 22 -j RETURN' })).toMatchObject({
      passed: true,
      found: rule,
    });
    expect(state({ kind: 'iptables', chain: 'neutron-openvswi-sg-chain', rule: '-j RETURN --dport 22 -p tcp' })).toMatchObject({
      passed: true,
      found: rule,
    });
    expect(state({ kind: 'iptables', chain: 'INPUT', rule: '-A INPUT -i lo -j ACCEPT' }).passed).toBe(true);
  });

  it("fails for a rule on the wrong port, listing the chain's rules", () => {
    const outcome = state({ kind: 'iptables', chain: 'neutron-openvswi-sg-chain', rule: '-p tcp --dport 23 -j RETURN' });
    expect(outcome).toMatchObject({
      passed: false,
      expected: 'a rule "-p tcp --dport 23 -j RETURN" in filter/neutron-openvswi-sg-chain (compute1)',
    });
    expect(outcome.found).toContain('--dport 22 -j RETURN');
    expect(outcome.found).toContain('--dports 80,443');
  });

  it('tells a negated option from a plain one', () => {
    expect(state({ kind: 'iptables', chain: 'INPUT', rule: '! -i eth1 -p icmp -j DROP' }).passed).toBe(true);
    expect(state({ kind: 'iptables', chain: 'INPUT', rule: '-p icmp -j DROP ! -i eth1' }).passed).toBe(true);
    expect(state({ kind: 'iptables', chain: 'INPUT', rule: '-i eth1 -p icmp -j DROP' })).toMatchObject({
      passed: false,
      found: expect.stringContaining('! -i eth1 -p icmp -j DROP'),
    });
    expect(
      state({ kind: 'iptables', chain: 'neutron-openvswi-sg-chain', rule: '! -s 10.0.0.0/24 -m state --state INVALID -j DROP' }).passed,
    ).toBe(true);
    // The chain has "-s 10.0.0.0/24 … -j RETURN" and "! -s 10.0.0.0/24 … -j DROP", not this.
    expect(state({ kind: 'iptables', chain: 'neutron-openvswi-sg-chain', rule: '-s 10.0.0.0/24 -j DROP' }).passed).toBe(false);
  });

  it('reads the table the check names (nat), with target options', () => {
    const redirect = {
      kind: 'iptables',
      table: 'nat',
      chain: 'PREROUTING',
      rule: '-d 169.254.169.254/32 -p tcp --dport 80 -j REDIRECT --to-ports 9697',
    };
    expect(state(redirect).passed).toBe(true);
    expect(state({ ...redirect, rule: '-d 169.254.169.254/32 -p tcp --dport 80 -j REDIRECT --to-ports 9698' })).toMatchObject({
      passed: false,
      found: expect.stringContaining('--to-ports 9697'),
    });
    // Not in the filter table.
    expect(state({ ...redirect, table: 'filter' })).toMatchObject({ passed: false, found: 'no chain PREROUTING in table filter' });
  });

  it('checks a chain without a rule, and present: false for rules and chains', () => {
    expect(state({ kind: 'iptables', chain: 'neutron-openvswi-sg-chain' })).toMatchObject({
      passed: true,
      found: 'chain neutron-openvswi-sg-chain with 5 rules',
    });
    expect(state({ kind: 'iptables', chain: 'neutron-openvswi-sg-fallback' })).toMatchObject({
      passed: false,
      found: 'no chain neutron-openvswi-sg-fallback in table filter',
    });
    expect(state({ kind: 'iptables', chain: 'neutron-openvswi-sg-fallback', present: false })).toMatchObject({
      passed: true,
      expected: 'no chain filter/neutron-openvswi-sg-fallback (compute1)',
    });
    expect(state({ kind: 'iptables', chain: 'INPUT', rule: '-p tcp --dport 22 -j ACCEPT', present: false }).passed).toBe(true);
    expect(state({ kind: 'iptables', chain: 'INPUT', rule: '-i lo -j ACCEPT', present: false })).toMatchObject({
      passed: false,
      found: '-A INPUT -i lo -j ACCEPT',
    });
  });

  it('looks in the namespace named, and says when it is not there', () => {
    expect(state({ kind: 'iptables', namespace: 'vm1', chain: 'INPUT' })).toMatchObject({
      passed: false,
      expected: 'chain filter/INPUT (compute1, namespace vm1)',
      found: 'no chain INPUT in table filter',
    });
    expect(state({ kind: 'iptables', namespace: 'qrouter-1', chain: 'INPUT' })).toMatchObject({
      passed: false,
      found: 'no namespace qrouter-1',
    });
  });
});

describe('namespace', () => {
  it('passes for a name, and for a glob with a trailing *', () => {
    expect(state({ kind: 'namespace', name: 'vm1' })).toMatchObject({ passed: true, expected: 'namespace vm1 on compute1' });
    expect(state({ kind: 'namespace', name: 'qdhcp-*' })).toMatchObject({ passed: true, found: 'namespaces: qdhcp-88b1609c; vm1' });
  });

  it('fails for a missing one, listing the namespaces there are', () => {
    expect(state({ kind: 'namespace', name: 'qrouter-*' })).toEqual({
      passed: false,
      expected: 'namespace qrouter-* on compute1',
      found: 'namespaces: qdhcp-88b1609c; vm1',
    });
    // No glob: the prefix alone is not a name.
    expect(state({ kind: 'namespace', name: 'qdhcp-' }).passed).toBe(false);
  });

  it('present: false', () => {
    expect(state({ kind: 'namespace', name: 'qrouter-*', present: false })).toMatchObject({
      passed: true,
      expected: 'no namespace qrouter-* on compute1',
    });
    expect(state({ kind: 'namespace', name: 'qdhcp-*', present: false }).passed).toBe(false);
  });
});

describe('address', () => {
  it('passes with or without the prefix', () => {
    expect(state({ kind: 'address', address: '10.0.0.101' })).toMatchObject({
      passed: true,
      found: 'lo 127.0.0.1/8; br-phy 10.0.0.101/24',
    });
    expect(state({ kind: 'address', address: '10.0.0.101/24', interface: 'br-phy' })).toMatchObject({
      passed: true,
      found: 'br-phy 10.0.0.101/24',
    });
    expect(state({ kind: 'address', namespace: 'qdhcp-88b1609c', address: '192.168.1.2/24' }).passed).toBe(true);
  });

  it('fails for the wrong prefix, the wrong interface or another namespace, saying what is there', () => {
    expect(state({ kind: 'address', address: '10.0.0.101/16' })).toMatchObject({
      passed: false,
      expected: 'address 10.0.0.101/16 (compute1)',
      found: expect.stringContaining('br-phy 10.0.0.101/24'),
    });
    expect(state({ kind: 'address', address: '10.0.0.101', interface: 'eth1' })).toMatchObject({
      passed: false,
      found: 'no IPv4 address on eth1',
    });
    expect(state({ kind: 'address', namespace: 'vm1', address: '10.0.0.101' })).toMatchObject({
      passed: false,
      found: 'eth0 192.168.1.10/24',
    });
    expect(state({ kind: 'address', namespace: 'qrouter-1', address: '10.0.0.1' })).toMatchObject({
      passed: false,
      found: 'no namespace qrouter-1',
    });
  });

  it('present: false', () => {
    expect(state({ kind: 'address', address: '10.0.0.100', present: false })).toMatchObject({
      passed: true,
      expected: 'no address 10.0.0.100 (compute1)',
    });
    expect(state({ kind: 'address', address: '10.0.0.101/24', present: false }).passed).toBe(false);
  });
});

describe('link', () => {
  it('passes for the type and up state it has', () => {
    expect(state({ kind: 'link', name: 'tap0', type: 'veth', up: true })).toMatchObject({
      passed: true,
      found: 'tap0: type veth, in no bridge, up, MTU 1500',
    });
    expect(state({ kind: 'link', name: 'br-phy', type: 'tun' }).passed).toBe(true);
    expect(state({ kind: 'link', name: 'lo', type: '' })).toMatchObject({ passed: true, expected: 'link lo (type plain) in compute1' });
    expect(state({ kind: 'link', namespace: 'vm1', name: 'eth0', mtu: 1500, up: true }).passed).toBe(true);
  });

  it('fails for a link that is down, of another type or MTU, saying what it is', () => {
    expect(state({ kind: 'link', name: 'tap88b1609c-00', up: true })).toMatchObject({
      passed: false,
      expected: 'link tap88b1609c-00 (up) in compute1',
      found: 'tap88b1609c-00: type veth, in no bridge, down, MTU 1500',
    });
    expect(state({ kind: 'link', name: 'eth1', type: 'bridge' })).toMatchObject({
      passed: false,
      found: expect.stringContaining('type veth'),
    });
    expect(state({ kind: 'link', namespace: 'vm1', name: 'eth0', mtu: 1458 })).toMatchObject({
      passed: false,
      found: expect.stringContaining('MTU 1500'),
    });
  });

  it('checks the bridge a link is enslaved to', () => {
    expect(state({ kind: 'link', name: 'tap0', master: 'qbr-test', up: true }, rich)).toMatchObject({
      passed: true,
      found: 'tap0: type veth, in qbr-test, up, MTU 1500',
    });
    expect(state({ kind: 'link', name: 'qbr-test', type: 'bridge' }, rich).passed).toBe(true);
    expect(state({ kind: 'link', name: 'tap0', master: 'qbr-other' }, rich)).toMatchObject({
      passed: false,
      found: expect.stringContaining('in qbr-test'),
    });
    expect(state({ kind: 'link', name: 'tap0', master: 'qbr-test' })).toMatchObject({
      passed: false,
      expected: 'link tap0 (in qbr-test) in compute1',
      found: expect.stringContaining('in no bridge'),
    });
  });

  it('fails for a missing link listing the links; present: false passes for it', () => {
    const missing = state({ kind: 'link', name: 'qvb2a7d9c41-3b' });
    expect(missing).toMatchObject({ passed: false, found: 'links: lo; ovs-netdev; br-phy; tap0; tap88b1609c-00; eth1' });
    expect(state({ kind: 'link', name: 'qvb2a7d9c41-3b', present: false })).toMatchObject({
      passed: true,
      expected: 'no link qvb2a7d9c41-3b in compute1',
    });
    expect(state({ kind: 'link', name: 'tap0', present: false }).passed).toBe(false);
  });
});

describe('route', () => {
  it('passes for a route in the main table, with its gateway and device', () => {
    expect(state({ kind: 'route', namespace: 'vm1', to: 'default', via: '192.168.1.1', dev: 'eth0' })).toMatchObject({
      passed: true,
      expected: 'route default via 192.168.1.1 dev eth0 in table main (compute1, namespace vm1)',
    });
    expect(state({ kind: 'route', to: '10.0.0.0/24', dev: 'br-phy' }).passed).toBe(true);
  });

  it('fails for the wrong gateway or device, listing the routes of the table', () => {
    const via = state({ kind: 'route', namespace: 'vm1', to: 'default', via: '192.168.1.254' });
    expect(via).toMatchObject({ passed: false, found: expect.stringContaining('default via 192.168.1.1 dev eth0') });
    expect(state({ kind: 'route', namespace: 'vm1', to: 'default', dev: 'eth1' }).passed).toBe(false);
    expect(state({ kind: 'route', namespace: 'qdhcp-88b1609c', to: 'default' })).toMatchObject({
      passed: false,
      found: '192.168.1.0/24 dev ns-88b1609c',
    });
  });

  it('looks in the table named (a number or a name)', () => {
    expect(state({ kind: 'route', to: '10.9.0.0/24', dev: 'br-phy', table: 16 })).toMatchObject({
      passed: true,
      expected: expect.stringContaining('in table 16'),
    });
    expect(state({ kind: 'route', to: '10.9.0.0/24', table: '16' }).passed).toBe(true);
    // Not in main: the found side lists main's routes.
    expect(state({ kind: 'route', to: '10.9.0.0/24' })).toMatchObject({ passed: false, found: '10.0.0.0/24 dev br-phy' });
    expect(state({ kind: 'route', to: '10.9.0.0/24', table: 17 })).toMatchObject({ passed: false, found: 'no routes in table 17' });
  });

  it('present: false', () => {
    expect(state({ kind: 'route', to: 'default', present: false }).passed).toBe(true);
    expect(state({ kind: 'route', namespace: 'vm1', to: 'default', present: false }).passed).toBe(false);
  });
});

describe('ip-rule', () => {
  it('passes for a policy rule with its source, table and priority', () => {
    expect(state({ kind: 'ip-rule', table: 16, from: '10.0.0.0/24', priority: 32000 })).toMatchObject({
      passed: true,
      expected: 'ip rule from 10.0.0.0/24 lookup 16 (compute1)',
    });
    expect(state({ kind: 'ip-rule', table: 'main' }).passed).toBe(true);
  });

  it('fails for another source, table or priority, listing the rules', () => {
    const outcome = state({ kind: 'ip-rule', table: 16, from: '10.1.0.0/24' });
    expect(outcome).toMatchObject({
      passed: false,
      found: '0: from all lookup local; 32000: from 10.0.0.0/24 lookup 16; 32766: from all lookup main; 32767: from all lookup default',
    });
    expect(state({ kind: 'ip-rule', table: 17 }).passed).toBe(false);
    expect(state({ kind: 'ip-rule', table: 16, priority: 100 }).passed).toBe(false);
    expect(state({ kind: 'ip-rule', namespace: 'vm1', table: 16 }).passed).toBe(false);
  });

  it('present: false', () => {
    expect(state({ kind: 'ip-rule', table: 16, present: false }).passed).toBe(false);
    expect(state({ kind: 'ip-rule', namespace: 'vm1', table: 16, present: false })).toMatchObject({
      passed: true,
      expected: 'no ip rule lookup 16 (compute1, namespace vm1)',
    });
  });
});

describe('neighbour', () => {
  it('passes for an address, with or without its MAC', () => {
    expect(state({ kind: 'neighbour', address: '10.0.0.100', mac: '02:42:ac:16:00:03' })).toMatchObject({
      passed: true,
      expected: 'neighbour 10.0.0.100 at 02:42:ac:16:00:03 (compute1)',
    });
    expect(state({ kind: 'neighbour', address: '10.0.0.100' }).passed).toBe(true);
  });

  it('fails for another MAC or an address not resolved, listing the neighbours', () => {
    expect(state({ kind: 'neighbour', address: '10.0.0.100', mac: 'fa:16:3e:32:0d:db' })).toMatchObject({
      passed: false,
      found: '10.0.0.100 02:42:ac:16:00:03; 10.0.0.100 02:42:ac:16:00:03',
    });
    expect(state({ kind: 'neighbour', namespace: 'vm1', address: '192.168.1.2' })).toMatchObject({ passed: false, found: 'no neighbours' });
  });

  it('present: false', () => {
    expect(state({ kind: 'neighbour', namespace: 'vm1', address: '192.168.1.2', present: false }).passed).toBe(true);
    expect(state({ kind: 'neighbour', address: '10.0.0.100', present: false }).passed).toBe(false);
  });

  // `ip` prints MACs in lower case; the book's listings spell them in capitals (FA:16:3E:…).
  it('compares the MAC regardless of its case', () => {
    expect(state({ kind: 'neighbour', address: '10.0.0.100', mac: '02:42:AC:16:00:03' }).passed).toBe(true);
  });
});

describe('process', () => {
  it('passes for dnsmasq, in the namespace it serves', () => {
    const outcome = state({ kind: 'process', name: 'dnsmasq', namespace: 'qdhcp-88b1609c' });
    expect(outcome).toEqual({
      passed: true,
      expected: 'dnsmasq running in qdhcp-88b1609c on compute1',
      found: 'dnsmasq (pid 119) in qdhcp-88b1609c',
    });
    expect(state({ kind: 'process', name: 'dnsmasq' }).passed).toBe(true);
  });

  it('fails in another namespace (saying where it runs) or for a process not running', () => {
    expect(state({ kind: 'process', name: 'dnsmasq', namespace: 'vm1' })).toMatchObject({
      passed: false,
      found: 'dnsmasq (pid 119) in qdhcp-88b1609c',
    });
    expect(state({ kind: 'process', name: 'haproxy' })).toMatchObject({ passed: false, found: 'no haproxy' });
  });

  it('present: false', () => {
    expect(state({ kind: 'process', name: 'haproxy', present: false })).toMatchObject({
      passed: true,
      expected: 'no haproxy running on compute1',
    });
    expect(state({ kind: 'process', name: 'dnsmasq', present: false }).passed).toBe(false);
  });
});

describe('easyovs', () => {
  /** The record nl-easyovs-log keeps, as nl-snapshot's easyovs section prints it. */
  const RECORD = [
    { action: 'show', bridge: 'br-int', at: 1 },
    {
      action: 'addflow',
      bridge: 'br-phy',
      at: 2,
      flows: ['cookie=0x0, duration=0.1s, table=0, n_packets=0, n_bytes=0, priority=3,ip,nw_src=192.168.0.5 actions=drop'],
    },
    {
      action: 'delflow',
      bridge: 'br-phy',
      at: 3,
      flows: ['cookie=0x0, duration=9.1s, table=0, n_packets=4, n_bytes=392, priority=3,ip,nw_src=192.168.0.5 actions=drop'],
    },
    { action: 'ipt', at: 4, addresses: ['192.168.0.2'] },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n');
  const recorded = withFrames({ easyovs: `${RECORD}\n` });

  it('passes for an action run here, on the bridge and for the VM the check names', () => {
    expect(state({ kind: 'easyovs', action: 'show', bridge: 'br-int' }, recorded)).toMatchObject({
      passed: true,
      expected: 'the easyOVS action "show br-int" run on compute1',
    });
    expect(state({ kind: 'easyovs', action: 'ipt', address: '192.168.0.2' }, recorded).passed).toBe(true);
  });

  it('fails for another action, another bridge or another VM, saying what was run', () => {
    const dump = state({ kind: 'easyovs', action: 'dump', bridge: 'br-int' }, recorded);
    expect(dump.passed).toBe(false);
    expect(dump.found).toMatch(
      /^run there: show br-int; addflow br-phy \(table=0,priority=3,ip,nw_src=192\.168\.0\.5 actions=drop\); delflow br-phy/,
    );
    expect(state({ kind: 'easyovs', action: 'show', bridge: 'br-phy' }, recorded).passed).toBe(false);
    expect(state({ kind: 'easyovs', action: 'ipt', address: '192.168.0.4' }, recorded).passed).toBe(false);
  });

  it('addflow and delflow: the flow added or deleted is compared by meaning', () => {
    const added = { kind: 'easyovs', action: 'addflow', bridge: 'br-phy', table: 0, priority: 3 };
    expect(state({ ...added, match: 'nw_src=192.168.0.5,ip', actions: 'drop' }, recorded).passed).toBe(true);
    expect(state({ ...added, match: 'ip,nw_src=192.168.0.4' }, recorded).passed).toBe(false);
    expect(state({ ...added, priority: 2 }, recorded).passed).toBe(false);
    expect(state({ kind: 'easyovs', action: 'delflow', bridge: 'br-phy', match: 'ip,nw_src=192.168.0.5' }, recorded).passed).toBe(true);
  });

  it('a node without a record: nothing run since boot or reset', () => {
    expect(snapshot.easyovs).toEqual([]);
    expect(state({ kind: 'easyovs', action: 'list' })).toMatchObject({
      passed: false,
      found: 'no easyOVS action run on compute1 since it booted or was reset',
    });
  });
});

// ---- evaluate: the round's second pass ---------------------------------------------------

const LABS = join(import.meta.dirname, '..', '..', '..', 'labs');
const lab = parseLab(readFileSync(join(LABS, 'gre-tenant', 'lab.yaml'), 'utf8'), join(LABS, 'gre-tenant', 'lab.yaml')).lab;
const model = resolveCloud(lab);

describe('evaluate', () => {
  const ping = parse({ kind: 'ping', from: { vm: 'vm1' }, to: '192.168.1.2' });
  const lostPing = parse({ kind: 'ping', from: { vm: 'vm1' }, to: '192.168.1.99' });
  const dnsmasq = parse({ kind: 'process', node: 'compute1', name: 'dnsmasq' });
  const haproxy = parse({ kind: 'process', node: 'compute1', name: 'haproxy' });
  const probed = new Map<Check, Outcome>([
    [
      ping,
      {
        passed: true,
        expected: 'vm1 on compute1 gets a reply from 192.168.1.2',
        found: '64 bytes from 192.168.1.2: icmp_seq=1 ttl=64 time=0.5 ms',
      },
    ],
    [lostPing, { passed: false, expected: 'vm1 on compute1 gets a reply from 192.168.1.99', found: 'no reply within 3 s' }],
  ]);
  const ctx: EvaluationContext = { model, snapshots: new Map([['compute1', snapshot]]), probed };
  const run = (check: Record<string, unknown> | Check) => evaluate(check as Check, ctx);

  it("takes a probe's outcome from the probed map, and reads state checks from the snapshot", () => {
    expect(run(ping)).toBe(probed.get(ping));
    expect(run(dnsmasq)).toMatchObject({ passed: true, found: 'dnsmasq (pid 119) in qdhcp-88b1609c' });
  });

  it('all: passes when every part does; else the first failure decides', () => {
    const both = run({ kind: 'all', of: [ping, dnsmasq] });
    expect(both).toEqual({
      passed: true,
      expected: 'vm1 on compute1 gets a reply from 192.168.1.2; and dnsmasq running on compute1',
      found: '64 bytes from 192.168.1.2: icmp_seq=1 ttl=64 time=0.5 ms; dnsmasq (pid 119) in qdhcp-88b1609c',
    });
    expect(run({ kind: 'all', of: [ping, haproxy, lostPing] })).toEqual({
      passed: false,
      expected: 'haproxy running on compute1',
      found: 'no haproxy',
    });
    expect(run({ kind: 'all', of: [lostPing, dnsmasq] })).toBe(probed.get(lostPing));
  });

  it('any: the first part that passes decides; when none does, all of them are said', () => {
    expect(run({ kind: 'any', of: [haproxy, lostPing, ping] })).toBe(probed.get(ping));
    expect(run({ kind: 'any', of: [haproxy, lostPing] })).toEqual({
      passed: false,
      expected: 'haproxy running on compute1; or vm1 on compute1 gets a reply from 192.168.1.99',
      found: 'no haproxy; no reply within 3 s',
    });
  });

  it('not: inverts the part, and says so in the expected side', () => {
    expect(run({ kind: 'not', check: lostPing })).toEqual({
      passed: true,
      expected: 'not: vm1 on compute1 gets a reply from 192.168.1.99',
      found: 'no reply within 3 s',
    });
    expect(run({ kind: 'not', check: dnsmasq })).toMatchObject({ passed: false, expected: 'not: dnsmasq running on compute1' });
    expect(run({ kind: 'not', check: { kind: 'not', check: ping } }).passed).toBe(true);
    expect(run({ kind: 'all', of: [ping, { kind: 'not', check: { kind: 'any', of: [haproxy, lostPing] } }] }).passed).toBe(true);
  });

  it("places a VM's state check in its node and namespace", () => {
    expect(run(parse({ kind: 'address', vm: 'vm1', address: '192.168.1.10/24' }))).toMatchObject({
      passed: true,
      expected: 'address 192.168.1.10/24 (compute1, namespace vm1)',
    });
    expect(run(parse({ kind: 'route', vm: 'vm1', to: 'default', via: '192.168.1.1' })).passed).toBe(true);
    expect(run(parse({ kind: 'address', vm: 'vm1', address: '192.168.1.3' }))).toMatchObject({
      passed: false,
      found: 'eth0 192.168.1.10/24',
    });
  });

  it('a state check naming an unknown VM fails as "could not run", without throwing', () => {
    const check = parse({ kind: 'address', vm: 'vm9', address: '192.168.1.3' });
    const outcome = run(check);
    expect(outcome).toEqual({
      passed: false,
      expected: describeCheck(check),
      found: 'the check could not run: no VM "vm9" in the lab\'s cloud',
    });
    // Inside a composition the rest still counts.
    expect(run({ kind: 'any', of: [check, ping] }).passed).toBe(true);
    expect(run({ kind: 'all', of: [ping, check] })).toMatchObject({ passed: false, found: expect.stringContaining('could not run') });
  });

  it('a probe missing from the probed map, an unreadable flow match, an unread node: failed outcomes, not throws', () => {
    const unprobed = parse({ kind: 'tcp', from: { vm: 'vm1' }, to: '192.168.1.2', port: 22 });
    expect(run(unprobed)).toMatchObject({ passed: false, found: 'the check could not run: the tcp probe did not run' });
    expect(run(parse({ kind: 'flow', node: 'compute1', bridge: 'br-phy', actions: 'resubmit(,1' }))).toMatchObject({
      passed: false,
      found: expect.stringMatching(/^the check could not run: Cannot read the flow actions "resubmit\(,1"/),
    });
    const network = parse({ kind: 'process', node: 'network', name: 'dnsmasq' });
    expect(run(network)).toEqual({ passed: false, expected: describeCheck(network), found: 'node network could not be read' });
  });
});

describe('probesOf and nodesRead', () => {
  const ping = parse({ kind: 'ping', from: { vm: 'vm1' }, to: '192.168.1.2' });
  const counter = parse({
    kind: 'counter',
    node: 'compute1',
    bridge: 'br-tun',
    table: 21,
    traffic: { kind: 'ping', from: { vm: 'vm1' }, to: '192.168.1.2' },
  });
  const flow = parse({ kind: 'flow', node: 'compute1', bridge: 'br-tun', table: 20, learned: true });
  const dnsmasq = parse({ kind: 'process', node: 'network', name: 'dnsmasq' });
  const vmRoute = parse({ kind: 'route', vm: 'vm1', to: 'default' });
  const tree: Check = { kind: 'all', of: [ping, { kind: 'any', of: [flow, { kind: 'not', check: counter }] }, dnsmasq, vmRoute] };

  it("probesOf: the active checks of a tree, however deep (a counter's traffic is its own)", () => {
    expect(probesOf(tree)).toEqual([ping, counter]);
    expect(probesOf(flow)).toEqual([]);
  });

  it('nodesRead: the nodes whose snapshot the state checks read; probes read none', () => {
    expect(nodesRead(tree, model)).toEqual(['compute1', 'network', 'compute1']);
    expect(nodesRead(ping, model)).toEqual([]);
    expect(nodesRead(counter, model)).toEqual([]);
    expect(nodesRead({ kind: 'not', check: vmRoute }, model)).toEqual(['compute1']);
  });

  it('snapshotsRead: how much of each node a check reads: OVS alone for flows, ports, bridges and easyOVS, else all', () => {
    expect(snapshotsRead(tree, model)).toEqual([
      { node: 'compute1', scope: 'ovs' },
      { node: 'network', scope: 'all' },
      { node: 'compute1', scope: 'all' },
    ]);
    const port = parse({ kind: 'port', node: 'compute1', bridge: 'br-int', port: 'qvo2a7d9c41-3b', tag: 1 });
    const bridge = parse({ kind: 'bridge', node: 'network', bridge: 'br-tun' });
    const rule = parse({ kind: 'iptables', node: 'network', table: 'filter', chain: 'FORWARD' });
    expect(snapshotsRead({ kind: 'all', of: [port, bridge, rule] }, model).map((r) => r.scope)).toEqual(['ovs', 'ovs', 'all']);
  });

  it('nodesRead throws for a VM the cloud does not have (the check round skips it; evaluate reports it)', () => {
    expect(() => nodesRead(parse({ kind: 'neighbour', vm: 'vm9', address: '192.168.1.2' }), model)).toThrow('no VM "vm9"');
  });
});
