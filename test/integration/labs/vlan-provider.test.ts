import { expect, it } from 'vitest';
import type { WalkBridgeLeg } from '../../../main/core/check/walk-types';
import { followTest, place, tables, walked } from './follow';
import { labSuite } from './lab-suite';

labSuite('vlan-provider', {
  whenSolved: (lab) => {
    followTest(
      lab,
      'a ping from vm1 to vm2 on the other compute: local VLAN 1 on br-int’s side, 101 on the wire',
      ['--from', 'vm1', '--to', 'vm2'],
      ['compute1', 'compute2', 'network'],
      (result) => {
        expect(result).toMatchObject({ to: '10.0.0.12', answered: true });
        const request = result.hops.filter((hop) => hop.direction === 'request');
        const at = (where: string) => request.find((hop) => place(hop) === where)!;
        // br-int tags it with the network's local VLAN on its way to br-eth1 (the int-/phy- veth pair)...
        expect(at('compute1 int-br-eth1').headers.vlans).toEqual([1]);
        expect(at('compute1 int-br-eth1').changes).toEqual(['802.1Q tag 1 added']);
        // ...br-eth1 rewrites it to the provider's VLAN on the physical network, as received on compute2.
        expect(at('compute1 eth1').headers).toMatchObject({ vlans: [101], src: '10.0.0.11', dst: '10.0.0.12' });
        expect(at('compute1 eth1').changes).toEqual(['VLAN 1 → 101']);
        expect(at('compute2 eth1').headers.vlans).toEqual([101]);
        // ...and compute2's br-int takes it off before vm2's port.
        expect(at('compute2 qvo1c8a3d2f-6b').changes).toEqual(['802.1Q tag 101 removed']);
        expect(place(request.at(-1)!)).toBe('compute2 vm2 eth0');
      },
    );

    it('walks vm1’s packet by the flows: tag 1 on br-int, 101 on br-eth1, the wire, 101 → 1 on compute2, vm2’s port', { timeout: 60_000 }, async () => {
      const walk = await walked(lab, ['--from', 'vm1', '--to', 'vm2']);
      expect(walk.legs.map((leg) => (leg.kind === 'ovs' ? [leg.node, leg.bridge, leg.arrivedBy] : [leg.node, leg.kind]))).toEqual([
        ['compute1', 'br-int', undefined],
        ['compute1', 'br-eth1', 'through the veth pair int-br-eth1/phy-br-eth1'],
        ['compute2', 'br-eth1', 'VLAN 101 on physnet1'],
        ['compute2', 'br-int', 'through the veth pair int-br-eth1/phy-br-eth1'],
      ]);
      const [a, b, c, d] = walk.legs as [WalkBridgeLeg, WalkBridgeLeg, WalkBridgeLeg, WalkBridgeLeg];
      expect(a.outputs).toContainEqual({ device: 'int-br-eth1', vlan: 1 });
      expect(tables(b)).toEqual(['br-eth1 0: mod_vlan_vid:101, NORMAL']);
      expect(b.outputs).toContainEqual({ device: 'eth1', vlan: 101 });
      expect(c.outputs).toContainEqual({ device: 'phy-br-eth1', vlan: 101 });
      expect(tables(d)).toEqual(['br-int 0: mod_vlan_vid:1, NORMAL']);
      expect(d.outputs).toContainEqual({ device: 'qvo1c8a3d2f-6b' });
    });
  },
});
