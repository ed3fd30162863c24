import { describe, expect, it } from 'vitest';
import { buildTopology, chipId } from './graph';
import { bridge, compute1, dev, network, ns, port, snapshot } from './fixtures.test-helpers';

describe('the topology read from snapshots', () => {
  const topology = buildTopology([
    { node: 'network', snapshot: network() },
    { node: 'compute1', snapshot: compute1() },
  ]);
  const node = (name: string) => topology.nodes.find((n) => n.name === name)!;

  it("has each node's bridges (tunnel bridge on top, Linux bridges last) with their ports and tags", () => {
    expect(node('compute1').bridges.map((b) => [b.name, b.kind])).toEqual([
      ['br-tun', 'ovs'],
      ['br-phy', 'ovs'],
      ['br-int', 'ovs'],
      ['qbr2a7d9c41-3b', 'linux'],
    ]);
    const brInt = node('compute1').bridges.find((b) => b.name === 'br-int')!;
    expect(brInt.chips.map((c) => [c.name, c.tag, c.type])).toEqual([
      ['qvo2a7d9c41-3b', 1, ''],
      ['patch-tun', undefined, 'patch'],
    ]);
    expect(node('compute1').bridges[3]!.chips.map((c) => c.name)).toEqual(['tap2a7d9c41-3b', 'qvb2a7d9c41-3b']);
  });

  it('has the namespaces with their interfaces and addresses, without lo', () => {
    expect(node('compute1').namespaces).toEqual([
      {
        id: 'compute1/ns:vm1',
        name: 'vm1',
        chips: [{ id: chipId('compute1', 'ns:vm1', 'eth0'), kind: 'nsif', name: 'eth0', type: 'veth', addresses: ['192.168.1.3/24'] }],
      },
    ]);
  });

  it("links patch peers, veth pairs by peer index, and Neutron's named pairs", () => {
    const links = (name: string) => topology.links.filter((l) => l.node === name).map((l) => [l.kind, l.from, l.to].join(' '));
    expect(links('compute1').sort()).toEqual(
      [
        'patch compute1/br-int/patch-tun compute1/br-tun/patch-int',
        'veth compute1/qbr2a7d9c41-3b/tap2a7d9c41-3b compute1/ns:vm1/eth0',
        'veth compute1/qbr2a7d9c41-3b/qvb2a7d9c41-3b compute1/br-int/qvo2a7d9c41-3b',
      ].sort(),
    );
    expect(links('network')).toContain('veth network/br-int/tap4385f950-8b network/ns:qdhcp-88b1609c/ns-4385f950-8b');
  });

  it('joins tunnel ports to the node holding remote_ip, port to port', () => {
    expect(topology.tunnels).toEqual([
      {
        type: 'gre',
        fromNode: 'network',
        from: 'network/br-tun/gre-2',
        toNode: 'compute1',
        to: 'compute1/br-tun/gre-1',
        remoteIp: '10.0.0.101',
      },
    ]);
  });

  it('keeps a tunnel whose far end is not a lab node, and a node that could not be read', () => {
    const lonely = buildTopology([
      {
        node: 'a',
        snapshot: snapshot(
          'a',
          [bridge('br-tun', [port('vxlan-0a000063', { type: 'vxlan', options: { remote_ip: '10.0.0.99', key: '100' } })])],
          [ns('', [])],
        ),
      },
      { node: 'b', error: 'node b is not running' },
    ]);
    expect(lonely.tunnels).toEqual([{ type: 'vxlan', fromNode: 'a', from: 'a/br-tun/vxlan-0a000063', remoteIp: '10.0.0.99', key: '100' }]);
    expect(lonely.nodes[1]).toEqual({ id: 'b', name: 'b', bridges: [], namespaces: [], interfaces: [], error: 'node b is not running' });
  });

  it('pairs veths only when both ends point at each other', () => {
    const s = snapshot(
      'n',
      [bridge('br-int', [port('a')])],
      [
        ns('', [dev(7, 'a', { kind: 'veth', peerIndex: 2, peerNetnsId: 0 })]),
        ns('x', [dev(2, 'eth0', { kind: 'veth', peerIndex: 99, peerNetnsId: 0 })]),
      ],
    );
    expect(buildTopology([{ node: 'n', snapshot: s }]).links).toEqual([]);
  });
});

describe('nodes without OVS and the Docker networks between nodes', () => {
  const addr = (address: string) => [{ family: 'inet' as const, address, prefix: 24 }];
  const outside = snapshot('outside', [], [ns('', [dev(1, 'lo'), dev(30, 'eth0', { kind: 'veth', addresses: addr('172.24.4.10') })])]);
  const topology = buildTopology([
    { node: 'compute1', snapshot: compute1(), attachments: [{ interface: 'eth1', network: 'data', address: '10.0.0.101' }] },
    { node: 'outside', snapshot: outside, attachments: [{ interface: 'eth0', network: 'external', address: '172.24.4.10' }] },
  ]);

  it('draws a node without bridges with its own addressed interfaces', () => {
    const box = topology.nodes.find((n) => n.name === 'outside')!;
    expect(box.bridges).toEqual([]);
    expect(box.interfaces).toEqual([
      { id: chipId('outside', 'host', 'eth0'), kind: 'host', name: 'eth0', type: 'veth', addresses: ['172.24.4.10/24'] },
    ]);
  });

  it('attaches each network to the chip of the interface on it, wherever that chip is drawn', () => {
    expect(topology.networks).toEqual([
      { name: 'data', members: [{ node: 'compute1', chip: chipId('compute1', 'br-phy', 'eth1'), address: '10.0.0.101' }] },
      { name: 'external', members: [{ node: 'outside', chip: chipId('outside', 'host', 'eth0'), address: '172.24.4.10' }] },
    ]);
  });
});
