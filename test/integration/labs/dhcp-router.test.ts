import { expect } from 'vitest';
import { followTest, place } from './follow';
import { labSuite } from './lab-suite';

labSuite('dhcp-router', {
  whenSolved: (lab) => {
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
