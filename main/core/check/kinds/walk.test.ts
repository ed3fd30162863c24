import { describe, expect, it } from 'vitest';
import type { WalkResult } from '../walk-types';
import type { ProbeContext } from './kind';
import { WalkCheck, walkCheck } from './walk';

/** gre-tenant's walk from vm1 to the DHCP port, as walkLab reads it (steps cut to what the check reads). */
const walk = (overrides: { tunnelId?: string; delivered?: string; dropped?: boolean } = {}): WalkResult => ({
  from: 'vm1',
  to: '192.168.1.2',
  proto: 'icmp',
  dropped: overrides.dropped ?? false,
  verdict: overrides.dropped ? 'dropped on network, br-tun table 2' : 'out of network by br-int (VLAN 1), tap4385f950-8b',
  legs: [
    {
      kind: 'ovs',
      node: 'compute1',
      bridge: 'br-int',
      flow: '',
      trace: {
        flow: '',
        bridges: ['br-int', 'br-tun'],
        datapathActions: '',
        dropped: false,
        tunnels: [{ type: 'gre', source: '10.0.0.101', destination: '10.0.0.100', tunnelId: overrides.tunnelId ?? '0x1' }],
        steps: [
          { bridge: 'br-int', table: 0, actions: ['NORMAL'], notes: [], depth: 0 },
          { bridge: 'br-tun', table: 21, actions: ['output:2'], notes: [], depth: 0 },
        ],
      },
      outputs: [{ device: 'gre tunnel to 10.0.0.100' }],
    },
    {
      kind: 'ovs',
      node: 'network',
      bridge: 'br-tun',
      flow: '',
      arrivedBy: 'GRE key 0x1 from 10.0.0.101',
      trace: {
        flow: '',
        bridges: ['br-tun', 'br-int'],
        datapathActions: '',
        dropped: overrides.dropped ?? false,
        tunnels: [],
        steps: [{ bridge: 'br-tun', table: 2, actions: ['mod_vlan_vid:1'], notes: [], depth: 0 }],
      },
      outputs: overrides.dropped ? [] : [{ device: 'br-int', vlan: 1 }, { device: overrides.delivered ?? 'tap4385f950-8b' }],
    },
  ],
});

const probe = (check: unknown, result: WalkResult) =>
  walkCheck.probe(WalkCheck.parse(check), { walk: async () => result } as unknown as ProbeContext);

const wanted = {
  kind: 'walk',
  from: 'vm1',
  to: '192.168.1.2',
  tunnel: { type: 'gre', id: '0x1' },
  through: [{ node: 'network', bridge: 'br-tun', table: 2 }],
  leaves: { node: 'network', device: 'tap4385f950-8b' },
};

describe('the walk check', () => {
  it('passes when the walk goes through, by the tunnel, and out of the device it names', async () => {
    const outcome = await probe(wanted, walk());
    expect(outcome.passed).toBe(true);
    expect(outcome.expected).toBe(
      "vm1's icmp packet to 192.168.1.2 goes by the flows through network br-tun table 2, by gre 0x1, out of network by tap4385f950-8b",
    );
    expect(outcome.found).toBe('compute1 br-int→br-tun ⇒ network br-tun; out of network by br-int (VLAN 1), tap4385f950-8b');
  });

  it('says what the walk did instead: another key, another device, a drop', async () => {
    expect((await probe(wanted, walk({ tunnelId: '0x2' }))).found).toMatch(/^leaves by gre 0x2; the walk: /);
    expect((await probe(wanted, walk({ delivered: 'tap0' }))).found).toMatch(/^network sends it out of br-int \(VLAN 1\); tap0; the walk/);
    const dropped = await probe(wanted, walk({ dropped: true }));
    expect(dropped.passed).toBe(false);
    expect(dropped.found).toMatch(/^network sends it out of nothing; dropped on network, br-tun table 2; the walk/);
    expect((await probe({ ...wanted, leaves: undefined, dropped: true }, walk({ dropped: true }))).passed).toBe(true);
    expect((await probe({ ...wanted, through: [{ node: 'network', bridge: 'br-tun', table: 4 }] }, walk())).found).toMatch(
      /^never on network br-tun table 4;/,
    );
  });

  it('passes a chain a rule of which met the packet, and a drop by iptables', async () => {
    const blocked = walk();
    blocked.legs.push({
      kind: 'iptables',
      node: 'network',
      bridge: 'qbr4385f950-8b',
      crossing: 'qvb4385f950-8b → tap4385f950-8b',
      steps: [
        {
          chain: 'neutron-openvswi-i4385f950-8',
          rule: '-A neutron-openvswi-i4385f950-8 -j neutron-openvswi-sg-fallback',
          target: 'neutron-openvswi-sg-fallback',
        },
        { chain: 'neutron-openvswi-sg-fallback', rule: '-A neutron-openvswi-sg-fallback -j DROP', target: 'DROP' },
      ],
      verdict: 'DROP',
    });
    blocked.dropped = true;
    const check = { ...wanted, through: [{ node: 'network', chain: 'neutron-openvswi-sg-fallback' }], dropped: true };
    const outcome = await probe(check, blocked);
    expect(outcome.expected).toMatch(/through network chain neutron-openvswi-sg-fallback, .* dropped$/);
    expect(outcome.passed).toBe(true);
    expect(outcome.found).toMatch(/ ⇒ network qbr4385f950-8b \(iptables\); /);
    // The same chain on another node, or a chain no rule of which met it, is not passed.
    expect((await probe({ ...check, through: [{ node: 'compute1', chain: 'neutron-openvswi-sg-fallback' }] }, blocked)).found).toMatch(
      /^never on compute1 chain neutron-openvswi-sg-fallback;/,
    );
    expect((await probe({ ...check, through: [{ node: 'network', chain: 'neutron-openvswi-o4385f950-8' }] }, blocked)).passed).toBe(false);
    // Not dropped after all: the check that wants the drop says so.
    expect((await probe(check, { ...blocked, dropped: false })).found).toMatch(/^not dropped;/);
  });

  it('refuses a hop that names both a bridge and a chain', () => {
    expect(() => WalkCheck.parse({ ...wanted, through: [{ node: 'network', bridge: 'br-int', chain: 'FORWARD' }] })).toThrow();
  });
});
