import { expect } from 'vitest';
import { followTest } from './follow';
import { labSuite } from './lab-suite';

labSuite('vxlan-tenant', {
  whenSolved: (lab) => {
    followTest(lab, 'a ping from vm1 to the DHCP port across the VXLAN tunnel', ['--from', 'vm1', '--to', '10.0.0.2'], ['compute1', 'network'], (result) => {
      expect(result.answered).toBe(true);
      // A flooded copy also crosses the tunnel back to compute1: the request's way to the network
      // node is its first two tunnelled copies.
      const underlay = result.hops.filter((hop) => hop.direction === 'request' && hop.headers.tunnel).slice(0, 2);
      expect(underlay.map((hop) => hop.where.node)).toEqual(['compute1', 'network']);
      // VNI 1001 (0x3e9), the inner ICMP from vm1 untouched.
      for (const hop of underlay) expect(hop.headers).toMatchObject({ tunnel: { kind: 'vxlan', id: '1001' }, src: '10.0.0.3', dst: '10.0.0.2' });
      expect(underlay[0]!.changes[0]).toMatch(/^wrapped in VXLAN, VNI 1001 \(/);
    });
  },
});
