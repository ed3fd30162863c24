import { describe, expect, it } from 'vitest';
import { changesBetween, followHops, type SeenPacket } from './hops';
import type { DecodedLayer, HopHeaders } from './types';

const plain: HopHeaders = {
  vlans: [],
  macSrc: 'fa:16:3e:00:00:01',
  macDst: 'fa:16:3e:00:00:02',
  src: '10.0.0.3',
  dst: '10.0.0.2',
  ttl: 64,
};

describe('changesBetween', () => {
  it('names a tag added, rewritten and removed', () => {
    expect(changesBetween(plain, { ...plain, vlans: [1] })).toEqual(['802.1Q tag 1 added']);
    expect(changesBetween({ ...plain, vlans: [1] }, { ...plain, vlans: [101] })).toEqual(['VLAN 1 → 101']);
    expect(changesBetween({ ...plain, vlans: [101] }, plain)).toEqual(['802.1Q tag 101 removed']);
  });

  it('names a tunnel header added and removed, with its key or VNI and its ends', () => {
    const gre = { ...plain, tunnel: { kind: 'gre' as const, id: '0x00000001', src: '10.0.0.101', dst: '10.0.0.100' } };
    expect(changesBetween(plain, gre)).toEqual(['wrapped in GRE, key 0x00000001 (10.0.0.101 → 10.0.0.100)']);
    expect(changesBetween(gre, plain)).toEqual(['GRE, key 0x00000001 header removed']);
    const vxlan = { ...plain, tunnel: { kind: 'vxlan' as const, id: '1001', src: '10.0.100.88', dst: '10.0.100.77' } };
    expect(changesBetween(gre, vxlan)).toEqual([
      'GRE, key 0x00000001 header removed',
      'wrapped in VXLAN, VNI 1001 (10.0.100.88 → 10.0.100.77)',
    ]);
    expect(changesBetween(vxlan, vxlan)).toEqual([]);
  });

  it('names NAT, a router’s TTL and its new Ethernet header', () => {
    const routed = { ...plain, src: '9.186.100.2', ttl: 63, macSrc: 'fa:16:3e:70:24:92', macDst: '02:42:0a:d5:00:02' };
    expect(changesBetween(plain, routed)).toEqual([
      'source 10.0.0.3 → 9.186.100.2 (SNAT)',
      'TTL 64 → 63 (routed)',
      'Ethernet fa:16:3e:00:00:01 → fa:16:3e:00:00:02 now fa:16:3e:70:24:92 → 02:42:0a:d5:00:02',
    ]);
    expect(changesBetween(plain, { ...plain, dst: '10.0.0.9' })).toEqual(['destination 10.0.0.2 → 10.0.0.9 (DNAT)']);
  });
});

/** A decoded packet as tshark would give it: only the layers and fields followHops reads. */
function packet(number: number, layers: [string, Record<string, string>][]): SeenPacket['packet'] {
  return {
    number,
    layers: layers.map(([name, fields]): DecodedLayer => ({
      name,
      text: name,
      fields: Object.entries(fields).map(([field, value]) => ({ name: field, text: `${field}: ${value}`, value })),
    })),
  };
}
const eth = (src: string, dst: string): [string, Record<string, string>] => ['eth', { 'eth.src': src, 'eth.dst': dst }];
const ip = (src: string, dst: string, ttl = 64): [string, Record<string, string>] => [
  'ip',
  { 'ip.src': src, 'ip.dst': dst, 'ip.ttl': String(ttl) },
];
const echo = (type: 8 | 0, seq = 1): [string, Record<string, string>] => [
  'icmp',
  { 'icmp.type': String(type), 'icmp.ident': '7', 'icmp.seq': String(seq) },
];
const gre: [string, Record<string, string>] = ['gre', { 'gre.key': '0x00000001' }];
const at = (node: string, iface: string, micro: number, layers: [string, Record<string, string>][], netns?: string): SeenPacket => ({
  where: { node, iface, ...(netns ? { netns } : {}) },
  time: `2026-12-07T00:00:00.${String(micro).padStart(6, '0')}Z`,
  packet: packet(micro, layers),
});

describe('followHops', () => {
  const vm = eth('fa:16:3e:00:00:01', 'fa:16:3e:00:00:02');
  const underlay = [eth('02:42:0a:00:00:65', '02:42:0a:00:00:64'), ip('10.0.0.101', '10.0.0.100'), gre];
  const seen = [
    // Out of order, as the captures of several interfaces come back; the ARP and another ping are not the probe.
    at('network', 'eth1', 30, [...underlay, vm, ip('10.0.0.3', '10.0.0.2'), echo(8)]),
    at('compute1', 'eth0', 10, [vm, ip('10.0.0.3', '10.0.0.2'), echo(8)], 'vm1'),
    at('compute1', 'eth0', 11, [vm, ['arp', { 'arp.opcode': '1' }]], 'vm1'),
    at('compute1', 'eth0', 12, [vm, ip('10.0.0.3', '10.0.0.2'), echo(8, 2)], 'vm1'),
    at('compute1', 'eth1', 20, [...underlay, vm, ip('10.0.0.3', '10.0.0.2'), echo(8)]),
    at('network', 'tap1', 40, [vm, ip('10.0.0.3', '10.0.0.2'), echo(8)]),
    at('network', 'tap1', 50, [eth('fa:16:3e:00:00:02', 'fa:16:3e:00:00:01'), ip('10.0.0.2', '10.0.0.3'), echo(0)]),
  ];

  it('finds the copies of the probe, in time order, each with what changed since the copy it came from', () => {
    const hops = followHops(seen, 'icmp', '10.0.0.2');
    expect(hops.map((hop) => `${hop.direction} ${hop.where.node} ${hop.where.iface}`)).toEqual([
      'request compute1 eth0',
      'request compute1 eth1',
      'request network eth1',
      'request network tap1',
      'reply network tap1',
    ]);
    expect(hops.map((hop) => hop.changes)).toEqual([
      [],
      ['wrapped in GRE, key 0x00000001 (10.0.0.101 → 10.0.0.100)'],
      [],
      ['GRE, key 0x00000001 header removed'],
      [],
    ]);
    // network eth1 came over the wire from compute1 eth1; network tap1 from network eth1, not from the VM's identical copy.
    expect(hops.map((hop) => hop.after)).toEqual([undefined, 0, 1, 2, undefined]);
  });

  it('follows the answered request when ping had to try again (its first packet lost)', () => {
    const lost = [vm, ip('10.0.0.3', '10.0.0.2'), echo(8, 1)];
    const again = [vm, ip('10.0.0.3', '10.0.0.2'), echo(8, 2)];
    const answer = [eth('fa:16:3e:00:00:02', 'fa:16:3e:00:00:01'), ip('10.0.0.2', '10.0.0.3'), echo(0, 2)];
    const retried = [
      at('compute1', 'eth0', 10, lost, 'vm1'),
      at('compute1', 'eth0', 1000, again, 'vm1'),
      at('network', 'tap1', 1020, again),
      at('network', 'tap1', 1030, answer),
      at('compute1', 'eth0', 1050, answer, 'vm1'),
    ];
    expect(followHops(retried, 'icmp', '10.0.0.2').map((hop) => `${hop.direction} ${hop.where.node} ${hop.where.iface}`)).toEqual([
      'request compute1 eth0',
      'request network tap1',
      'reply network tap1',
      'reply compute1 eth0',
    ]);
    // No answer at all: the first request is the probe, as before.
    expect(followHops(retried.slice(0, 3), 'icmp', '10.0.0.2').map((hop) => hop.where.iface)).toEqual(['eth0']);
  });

  it('orders copies seen in the same microsecond by the way the packet goes: out through qbr and qvb, in the other way round', () => {
    const request = [vm, ip('10.0.0.3', '10.0.0.2'), echo(8)];
    const reply = [eth('fa:16:3e:00:00:02', 'fa:16:3e:00:00:01'), ip('10.0.0.2', '10.0.0.3'), echo(0)];
    // Listed as the captures came back: out of order within each microsecond.
    const tied = [
      at('compute1', 'qvo1', 20, request),
      at('compute1', 'qbr1', 20, request),
      at('compute1', 'eth0', 10, request, 'vm1'),
      at('compute1', 'qvb1', 20, request),
      at('compute1', 'tap1', 20, request),
      at('compute1', 'tap1', 90, reply),
      at('compute1', 'qvo1', 90, reply),
      at('compute1', 'qvb1', 90, reply),
      at('compute1', 'eth0', 90, reply, 'vm1'),
      at('compute1', 'qbr1', 90, reply),
    ];
    expect(followHops(tied, 'icmp', '10.0.0.2').map((hop) => `${hop.direction} ${hop.where.iface}`)).toEqual([
      'request eth0',
      'request tap1',
      'request qbr1',
      'request qvb1',
      'request qvo1',
      'reply qvo1',
      'reply qvb1',
      'reply qbr1',
      'reply tap1',
      'reply eth0',
    ]);
  });

  it('follows nothing when no request went to the address asked for', () => {
    expect(followHops(seen, 'icmp', '10.0.0.9')).toEqual([]);
    expect(followHops(seen, 'tcp', '10.0.0.2')).toEqual([]);
  });
});
