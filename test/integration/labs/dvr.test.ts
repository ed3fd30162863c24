import { expect, it } from 'vitest';
import type { WalkRouterLeg } from '../../../main/core/check/walk-types';
import { walked } from './follow';
import { labSuite } from './lab-suite';

labSuite('dvr', {
  whenSolved(lab) {
    it("walks vm1's ping to vm2 east-west: routed by the distributed router on vm1's own host, then over VXLAN to vm2's", { timeout: 60_000 }, async () => {
      for (const [from, to, host, far] of [
        ['vm1', '10.0.1.3', 'compute1', 'compute2'],
        ['vm2', '10.0.0.3', 'compute2', 'compute1'],
      ] as const) {
        const walk = await walked(lab, ['--from', from, '--to', to]);
        expect(walk.legs.map((leg) => `${leg.kind} ${leg.node} ${leg.kind === 'router' ? leg.namespace : leg.bridge}`)).toEqual([
          `ovs ${host} br-int`,
          `router ${host} qrouter-5c2b7e4a-91d3-4f6e-8a0b-3d7c1e9f2a64`,
          `ovs ${host} br-int`,
          `ovs ${far} br-tun`,
        ]);
        const router = walk.legs[1] as WalkRouterLeg;
        expect(router).toMatchObject({ verdict: 'routed', changes: [] });
        // Delivered to the far VM's port, not to the far host's copy of the router (a flood reaches it too).
        expect(walk.dropped).toBe(false);
        // By its qvo alone once br-int has learned vm2's MAC; with the router's qr- too while it floods.
        expect(walk.verdict).toMatch(new RegExp(`^out of ${far} by (br-int \\(VLAN \\d+\\), )?qvo`));
      }
    });
  },
});
