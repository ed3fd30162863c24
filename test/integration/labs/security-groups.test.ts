import { expect, it } from 'vitest';
import type { WalkFirewallLeg, WalkResult } from '../../../main/core/check/walk-types';
import { labSuite } from './lab-suite';
import { walked } from './follow';

/** The walk's iptables legs: where each crosses, and the chains of the rules met. */
const firewalls = (walk: WalkResult) =>
  walk.legs
    .filter((leg): leg is WalkFirewallLeg => leg.kind === 'iptables')
    .map((leg) => ({ node: leg.node, crossing: leg.crossing, verdict: leg.verdict, chains: [...new Set(leg.steps.map((s) => s.chain))] }));

labSuite('security-groups', {
  whenSolved(lab) {
    it("walks vm2's SYN to vm1's web server into vm1's i chain, where it falls to sg-fallback and is dropped", { timeout: 60_000 }, async () => {
      const walk = await walked(lab, ['--from', 'vm2', '--to', 'vm1', '--proto', 'tcp', '--port', '80']);
      expect(walk.dropped).toBe(true);
      expect(firewalls(walk)).toEqual([
        // Out of vm2: its web group lets everything out.
        {
          node: 'compute2',
          crossing: 'tap7be4c6a0-5d → qvb7be4c6a0-5d',
          verdict: 'ACCEPT',
          chains: ['FORWARD', 'neutron-filter-top', 'neutron-openvswi-FORWARD', 'neutron-openvswi-sg-chain', 'neutron-openvswi-o7be4c6a0-5', 'neutron-openvswi-s7be4c6a0-5'],
        },
        {
          node: 'compute1',
          crossing: 'qvb583c7038-d3 → tap583c7038-d3',
          verdict: 'DROP',
          chains: ['FORWARD', 'neutron-filter-top', 'neutron-openvswi-FORWARD', 'neutron-openvswi-sg-chain', 'neutron-openvswi-i583c7038-d', 'neutron-openvswi-sg-fallback'],
        },
      ]);
      // Between them, the flows: compute2's br-int and br-tun, the GRE tunnel, compute1's.
      expect(walk.legs.map((leg) => `${leg.kind} ${leg.node} ${leg.kind === 'router' ? leg.namespace : leg.bridge}`)).toEqual([
        'iptables compute2 qbr7be4c6a0-5d',
        'ovs compute2 br-int',
        'ovs compute1 br-tun',
        'iptables compute1 qbr583c7038-d3',
      ]);
      expect(walk.verdict).toBe(
        'dropped on compute1, crossing qbr583c7038-d3 (qvb583c7038-d3 → tap583c7038-d3) by iptables chain neutron-openvswi-sg-fallback, entered from neutron-openvswi-i583c7038-d: -A neutron-openvswi-sg-fallback -j DROP',
      );
    });

    it('walks SSH to vm1 through its SSH rule, and HTTP from vm3 (in no group) to vm2 into vm2’s fallback', { timeout: 60_000 }, async () => {
      const ssh = await walked(lab, ['--from', 'vm2', '--to', 'vm1', '--proto', 'tcp', '--port', '22']);
      expect(ssh.dropped).toBe(false);
      const arriving = ssh.legs.at(-1) as WalkFirewallLeg;
      expect(arriving.steps.map((s) => s.rule)).toContain('-A neutron-openvswi-i583c7038-d -p tcp -m tcp --dport 22 -j RETURN');
      expect(ssh.verdict).toBe('out of compute1 by tap583c7038-d3, let through by iptables crossing qbr583c7038-d3');

      const web = await walked(lab, ['--from', 'vm3', '--to', 'vm2', '--proto', 'http']);
      // vm3 has no chains: nothing on its way out; vm2's web rule is for members of "default" only.
      expect(firewalls(web).map((f) => [f.node, f.verdict, f.chains.at(-1)])).toEqual([['compute2', 'DROP', 'neutron-openvswi-sg-fallback']]);
    });
  },
});
