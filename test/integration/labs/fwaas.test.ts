import { expect, it } from 'vitest';
import type { WalkRouterLeg } from '../../../main/core/check/walk-types';
import { walked } from './follow';
import { labSuite } from './lab-suite';

labSuite('fwaas', {
  whenSolved(lab) {
    it("walks vm2's ping to the outside into the router, where the firewall's default policy drops it", { timeout: 60_000 }, async () => {
      const walk = await walked(lab, ['--from', 'vm2', '--to', '9.186.100.1']);
      expect(walk.dropped).toBe(true);
      const router = walk.legs.at(-1) as WalkRouterLeg;
      expect(router).toMatchObject({ kind: 'router', node: 'network', in: 'qr-694450d6-f6', out: 'qg-e76de35e-90', verdict: 'dropped' });
      // The filter table's FORWARD, down to the FWaaS chains, before any SNAT.
      expect(router.steps.filter((s) => s.table === 'filter').at(-1)?.chain).toMatch(/^neutron-vpn-agen-fwaas-defau/);
      expect(router.changes).toEqual([]);
      expect(walk.verdict).toMatch(/^dropped in qrouter-40fff075-d3a2-477b-942c-6b1adb42e35e on network: -A neutron-vpn-agen-fwaas-defau.* \(filter table\)$/);
    });
  },
});
