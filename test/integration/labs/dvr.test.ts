import { expect, it } from 'vitest';
import type { WalkResult, WalkRouterLeg } from '../../../main/core/check/walk-types';
import { walked } from './follow';
import { labSuite } from './lab-suite';

const ROUTER = '5c2b7e4a-91d3-4f6e-8a0b-3d7c1e9f2a64';

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
          `router ${host} qrouter-${ROUTER}`,
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

    it('walks out to the world: vm1 by its floating IP from its own host (qrouter, fip-, fg- on br-ex), vm2 by the network node’s snat-', { timeout: 60_000 }, async () => {
      const legs = (walk: WalkResult) =>
        walk.legs.map((leg) => `${leg.kind} ${leg.node} ${leg.kind === 'router' ? leg.namespace : leg.bridge}${leg.kind === 'router' && leg.changes.length ? ` (${leg.changes.join('; ')})` : ''}`);
      const floating = await walked(lab, ['--from', 'vm1', '--to', '9.186.100.1']);
      expect(legs(floating)).toEqual([
        'ovs compute1 br-int',
        `router compute1 qrouter-${ROUTER} (source 10.0.0.3 → 9.186.100.129 (SNAT))`,
        'router compute1 fip-8b4d2c6e-3a1f-4e7b-9c5d-0f2e6a8b1c37',
        'ovs compute1 br-ex',
      ]);
      // Into fip- by its end of the rfp-/fpr- pair, out of the host's fg- port.
      expect(floating.legs[2]).toMatchObject({ in: expect.stringMatching(/^fpr-/), out: expect.stringMatching(/^fg-/), verdict: 'routed' });
      // eth2 alone once br-ex has learned the outside's MAC; with br-ex's local port too while it floods.
      expect(floating.verdict).toMatch(/^out of compute1 by (br-ex, )?eth2$/);

      const snat = await walked(lab, ['--from', 'vm2', '--to', '9.186.100.1']);
      expect(legs(snat)).toEqual([
        'ovs compute2 br-int',
        `router compute2 qrouter-${ROUTER}`,
        'ovs compute2 br-int',
        'ovs network br-tun',
        `router network snat-${ROUTER} (source 10.0.1.3 → 9.186.100.2 (SNAT))`,
        'ovs network br-ex',
      ]);
      expect(snat.verdict).toMatch(/^out of network by (br-ex, )?eth2$/);
    });
  },
});
