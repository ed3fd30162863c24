import { expect } from 'vitest';
import { followTest, place } from './follow';
import { labSuite } from './lab-suite';

labSuite('dvr-local', {
  whenSolved: (lab) => {
    followTest(
      lab,
      'a ping from vm1 to vm2 on the same compute: routed there, never on a wire',
      ['--from', 'vm1', '--to', 'vm2'],
      ['compute1', 'compute2', 'network'],
      (result) => {
        expect(result).toMatchObject({ to: '10.0.1.3', answered: true });
        // Every copy of the request is seen on compute1, none on a NIC: it never left the host.
        const request = result.hops.filter((hop) => hop.direction === 'request');
        expect(request.length).toBeGreaterThan(1);
        for (const hop of request) expect(place(hop)).toMatch(/^compute1 /);
        expect(request.map(place)).not.toContain('compute1 eth1');
        expect(place(request.at(-1)!)).toBe('compute1 vm2 eth0');
      },
    );
  },
});
