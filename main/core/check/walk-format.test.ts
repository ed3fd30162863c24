import { describe, expect, it } from 'vitest';
import type { FollowResult } from '../capture/types';
import { describeWalk, walkDisagreement } from './walk-format';
import type { WalkResult } from './walk-types';

/** security-groups' walk of vm2's SYN to vm1's port 80, cut to one OVS leg and the drop in vm1's chains. */
const walk = (dropped: boolean): WalkResult => ({
  from: 'vm2',
  to: '192.168.0.2',
  proto: 'tcp',
  port: 80,
  dropped,
  verdict: dropped
    ? 'dropped on compute1, crossing qbr583c7038-d3 …'
    : 'out of compute1 by tap583c7038-d3, let through by iptables crossing qbr583c7038-d3',
  legs: [
    {
      kind: 'ovs',
      node: 'compute1',
      bridge: 'br-tun',
      flow: 'in_port=gre-1',
      arrivedBy: 'GRE key 0x1 from 10.0.0.102',
      trace: { flow: 'in_port=gre-1', bridges: ['br-tun'], datapathActions: '5', dropped: false, tunnels: [], steps: [] },
      outputs: [{ device: 'qvo583c7038-d3' }],
    },
    {
      kind: 'iptables',
      node: 'compute1',
      bridge: 'qbr583c7038-d3',
      crossing: 'qvb583c7038-d3 → tap583c7038-d3',
      steps: [{ chain: 'neutron-openvswi-sg-fallback', rule: '-A neutron-openvswi-sg-fallback -j DROP', target: 'DROP' }],
      verdict: dropped ? 'DROP' : 'ACCEPT',
    },
  ],
});

const follow = (answered: boolean, fields: Partial<FollowResult> = {}): FollowResult => ({
  from: 'vm2',
  to: '192.168.0.2',
  proto: 'tcp',
  port: 80,
  answered,
  watched: { interfaces: 20, nodes: 2 },
  hops: [
    {
      where: { node: 'compute2', netns: 'vm2', iface: 'eth0' },
      time: '2026-12-07T02:00:00.000000Z',
      direction: 'request',
      headers: { vlans: [], macSrc: 'fa:16:3e:4b:7e:21', macDst: 'fa:16:3e:9c:dc:3a', src: '192.168.0.4', dst: '192.168.0.2', ttl: 64 },
      changes: [],
    },
  ],
  ...fields,
});

describe('a walk, described', () => {
  it('titles each leg by where it is and how the packet came, then its tables or rules, then the end', () => {
    const text = describeWalk(walk(true));
    expect(text).toMatch(/^GRE key 0x1 from 10\.0\.0\.102, on compute1, br-tun:\n {2}packet: in_port=gre-1\n/);
    expect(text).toContain(
      'on compute1, crossing qbr583c7038-d3 (qvb583c7038-d3 → tap583c7038-d3), iptables:\n  -A neutron-openvswi-sg-fallback -j DROP\n  → DROP\n',
    );
    expect(text.endsWith('ends: dropped on compute1, crossing qbr583c7038-d3 …\n')).toBe(true);
  });
});

describe('a walk through a router, described', () => {
  it('lists the rules met table by table, what NAT changed, and where it is routed', () => {
    const text = describeWalk({
      ...walk(false),
      legs: [
        {
          kind: 'router',
          node: 'network',
          namespace: 'qrouter-40fff075',
          in: 'qr-694450d6-f6',
          out: 'qg-e76de35e-90',
          via: '9.186.100.1',
          steps: [
            {
              table: 'nat',
              chain: 'neutron-l3-agent-snat',
              rule: '-A neutron-l3-agent-snat -s 10.0.0.0/24 -j SNAT --to-source 9.186.100.2',
              target: 'SNAT',
            },
          ],
          changes: ['source 10.0.0.4 → 9.186.100.2 (SNAT)'],
          verdict: 'routed',
        },
      ],
    });
    expect(text).toBe(
      [
        'on network, in qrouter-40fff075 by qr-694450d6-f6:',
        '  nat: -A neutron-l3-agent-snat -s 10.0.0.0/24 -j SNAT --to-source 9.186.100.2',
        '  source 10.0.0.4 → 9.186.100.2 (SNAT)',
        '  routed out of qg-e76de35e-90 via 9.186.100.1',
        '',
        'ends: out of compute1 by tap583c7038-d3, let through by iptables crossing qbr583c7038-d3',
        '',
      ].join('\n'),
    );
  });
});

describe('a walk and a follow of the same packet', () => {
  it('agree when the walk drops and no answer came, or it gets through and one did', () => {
    expect(walkDisagreement(walk(true), follow(false))).toBeUndefined();
    expect(walkDisagreement(walk(false), follow(true))).toBeUndefined();
  });

  it('disagree when the walk drops but an answer came back', () => {
    expect(walkDisagreement(walk(true), follow(true))).toEqual({ walkSays: 'dropped', verdict: walk(true).verdict });
  });

  it('disagree when the walk gets through but no answer came, saying where the packet was last seen', () => {
    expect(walkDisagreement(walk(false), follow(false))).toEqual({
      walkSays: 'through',
      verdict: walk(false).verdict,
      lastSeen: 'compute2 vm2 eth0',
    });
  });

  it('say nothing of different packets, or of a walk that could not evaluate a rule', () => {
    expect(walkDisagreement(walk(true), follow(true, { port: 22 }))).toBeUndefined();
    expect(walkDisagreement(walk(true), follow(true, { to: '192.168.0.5' }))).toBeUndefined();
    const unsure = walk(true);
    unsure.legs[1] = {
      ...(unsure.legs[1] as Extract<WalkResult['legs'][number], { kind: 'iptables' }>),
      verdict: 'unknown',
      reason: 'uses -m set',
    };
    expect(walkDisagreement(unsure, follow(true))).toBeUndefined();
  });
});
