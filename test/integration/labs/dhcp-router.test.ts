import { expect, it } from 'vitest';
import type { WalkBridgeLeg, WalkRouterLeg } from '../../../main/core/check/walk-types';
import { followTest, place, walked } from './follow';
import { labSuite } from './lab-suite';

labSuite('dhcp-router', {
  whenSolved: (lab) => {
    it("walks vm2's ping out through the router: VXLAN to the network node, qrouter's SNAT to 9.186.100.2, out of qg- to br-ex and eth2", { timeout: 60_000 }, async () => {
      const walk = await walked(lab, ['--from', 'vm2', '--to', '9.186.100.1']);
      expect(walk.legs.map((leg) => `${leg.kind} ${leg.node} ${leg.kind === 'router' ? leg.namespace : leg.bridge}`)).toEqual([
        'ovs compute1 br-int',
        'ovs network br-tun',
        'router network qrouter-40fff075-d3a2-477b-942c-6b1adb42e35e',
        'ovs network br-ex',
      ]);
      const router = walk.legs[2] as WalkRouterLeg;
      expect(router).toMatchObject({ in: 'qr-694450d6-f6', out: 'qg-e76de35e-90', verdict: 'routed', changes: ['source 10.0.0.4 → 9.186.100.2 (SNAT)'] });
      expect(router.steps.at(-1)).toMatchObject({ table: 'nat', rule: '-A neutron-vpn-agen-snat -s 10.0.0.0/24 -j SNAT --to-source 9.186.100.2' });
      // On from the gateway port, with the router's MAC and the new source, one hop less.
      const out = walk.legs[3] as WalkBridgeLeg;
      expect(out.flow).toMatch(/^in_port=qg-e76de35e-90,dl_src=fa:16:3e:70:24:92,.*nw_src=9\.186\.100\.2,nw_dst=9\.186\.100\.1,nw_ttl=63$/);
      expect(out.outputs.map((o) => o.device)).toContain('eth2');
      expect(walk.dropped).toBe(false);

      // vm1 has a floating IP: float-snat comes first.
      const floating = await walked(lab, ['--from', 'vm1', '--to', '9.186.100.1']);
      expect((floating.legs.find((leg) => leg.kind === 'router') as WalkRouterLeg).changes).toEqual(['source 10.0.0.2 → 9.186.100.129 (SNAT)']);
    });


    followTest(lab, 'a ping from vm2 to the outside host through the router, which SNATs it', ['--from', 'vm2', '--to', '9.186.100.1'], ['compute1', 'network', 'outside'], (result) => {
      expect(result.answered).toBe(true);
      const request = result.hops.filter((hop) => hop.direction === 'request');
      const qg = request.find((hop) => hop.where.iface.startsWith('qg-'))!;
      expect(place(qg)).toMatch(/^network qrouter-\S+ qg-e76de35e-90$/);
      // The router's gateway port: vm2's source replaced by the router's address, one hop less.
      expect(qg.headers).toMatchObject({ src: '9.186.100.2', dst: '9.186.100.1', ttl: 63 });
      expect(qg.changes).toEqual(expect.arrayContaining(['source 10.0.0.4 → 9.186.100.2 (SNAT)', 'TTL 64 → 63 (routed)']));
      expect(place(request.at(-1)!)).toBe('outside eth1');
      // The answer is un-NAT'd on its way back in.
      const qr = result.hops.find((hop) => hop.direction === 'reply' && hop.where.iface.startsWith('qr-'))!;
      expect(qr.changes).toContain('destination 9.186.100.2 → 10.0.0.4 (DNAT)');
    });
  },
});
