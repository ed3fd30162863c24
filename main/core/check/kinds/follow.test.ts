import { describe, expect, it } from 'vitest';
import type { FollowHop, FollowResult } from '../../capture/types';
import { FollowCheck, followCheck } from './follow';
import type { ProbeContext } from './kind';

/** dhcp-router's ping from vm2 to the outside host, as follow finds it (cut to three copies). */
const hop = (node: string, iface: string, fields: Partial<FollowHop['headers']>, netns?: string): FollowHop => ({
  where: { node, iface, ...(netns ? { netns } : {}) },
  time: '2026-12-07T02:00:00.000000Z',
  direction: 'request',
  headers: { vlans: [], macSrc: 'fa:16:3e:00:00:01', macDst: 'fa:16:3e:00:00:02', src: '10.0.0.3', dst: '9.186.100.1', ttl: 64, ...fields },
  changes: [],
});
const followed = (answered = true): FollowResult => ({
  from: 'vm2',
  to: '9.186.100.1',
  proto: 'icmp',
  answered,
  watched: { interfaces: 30, nodes: 4 },
  hops: [
    hop('compute1', 'eth0', {}, 'vm2'),
    hop('compute1', 'eth1', { tunnel: { kind: 'gre', id: '0x00000001', src: '10.0.0.101', dst: '10.0.0.100' } }),
    hop('network', 'qg-e76de35e-90', { src: '9.186.100.2', ttl: 63 }, 'qrouter-b6d6c2a3-6ba4-4bd2-8b93-0fc8b23a0736'),
    hop('outside', 'eth1', { src: '9.186.100.2', ttl: 63 }),
  ],
});

const probe = (check: unknown, result: FollowResult) =>
  followCheck.probe(FollowCheck.parse(check), { follow: async () => result } as unknown as ProbeContext);

const wanted = {
  kind: 'follow',
  from: 'vm2',
  to: '9.186.100.1',
  seen: [
    { node: 'compute1', interface: 'eth1', tunnel: { type: 'gre', id: '0x1' } },
    { node: 'outside', interface: 'eth1', src: '9.186.100.2' },
  ],
  answered: true,
};

describe('the follow check', () => {
  it('passes when copies are seen where it says, in the headers it says, and the VM hears back', async () => {
    const outcome = await probe(wanted, followed());
    expect(outcome.passed).toBe(true);
    expect(outcome.expected).toBe(
      "vm2's icmp packet to 9.186.100.1 is seen at compute1 eth1 (gre 0x1); at outside eth1 (from 9.186.100.2), and answered",
    );
    expect(outcome.found).toMatch(/^seen compute1 vm2 eth0: /);
    expect(outcome.found).toContain('; compute1 eth1: GRE key 0x00000001 10.0.0.101 → 10.0.0.100 | 10.0.0.3 → 9.186.100.1 ttl 64;');
    expect(outcome.found).toMatch(/; outside eth1: 9\.186\.100\.2 → 9\.186\.100\.1 ttl 63; answered$/);
  });

  it('says which copy carried other headers, which place saw none, and a missing answer', async () => {
    const unSnated = followed();
    unSnated.hops[3] = hop('outside', 'eth1', { src: '10.0.0.3' });
    expect((await probe(wanted, unSnated)).found).toMatch(/^at outside eth1 \(from 9\.186\.100\.2\): .*10\.0\.0\.3 → 9\.186\.100\.1/);

    const lost = followed(false);
    lost.hops = lost.hops.slice(0, 2);
    const outcome = await probe(wanted, lost);
    expect(outcome.passed).toBe(false);
    expect(outcome.found).toMatch(/^never seen at outside eth1 \(from 9\.186\.100\.2\); no answer came back; seen /);
  });

  it('compares a key or VNI by value, a tag by presence, and a namespace exactly', async () => {
    const seen = (s: Record<string, unknown>) => ({ ...wanted, seen: [s], answered: undefined });
    expect((await probe(seen({ node: 'compute1', interface: 'eth1', tunnel: { type: 'gre', id: '1' } }), followed())).passed).toBe(true);
    expect((await probe(seen({ node: 'compute1', interface: 'eth1', tunnel: { type: 'vxlan', id: '1' } }), followed())).passed).toBe(false);
    expect((await probe(seen({ node: 'compute1', interface: 'eth1', vlan: 101 }), followed())).passed).toBe(false);
    expect((await probe(seen({ node: 'compute1', interface: 'eth1', untagged: true }), followed())).passed).toBe(true);
    // vm2's eth0 is in its namespace: the node's own eth0 saw nothing.
    expect((await probe(seen({ node: 'compute1', interface: 'eth0' }), followed())).passed).toBe(false);
    expect((await probe(seen({ node: 'compute1', interface: 'eth0', namespace: 'vm2' }), followed())).passed).toBe(true);
    // No reply copies were followed here.
    expect((await probe(seen({ node: 'compute1', interface: 'eth0', namespace: 'vm2', direction: 'reply' }), followed())).found).toMatch(
      /^never seen answered at compute1 vm2 eth0;/,
    );
  });

  it('runs alone: it captures everywhere, and other probes would be noise', () => {
    expect(followCheck.order?.(FollowCheck.parse(wanted))).toBe('alone');
  });
});
