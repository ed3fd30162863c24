import { expect } from 'vitest';
import { followTest, place } from './follow';
import { labSuite } from './lab-suite';

labSuite('flat-provider', {
  whenSolved: (lab) => {
    followTest(
      lab,
      'a ping from vm1 to vm2 on the other compute: the same untagged frame from VM to wire to VM',
      ['--from', 'vm1', '--to', 'vm2'],
      ['compute1', 'compute2', 'network'],
      (result) => {
        expect(result).toMatchObject({ to: '10.0.0.12', answered: true });
        const request = result.hops.filter((hop) => hop.direction === 'request');
        // Out of vm1, across the wire between the two computes, into vm2: the same frame all the
        // way, never tagged where it can be seen (the local VLAN lives inside each node's bridges).
        expect(request.map(place)).toEqual(expect.arrayContaining(['compute1 vm1 eth0', 'compute1 eth1', 'compute2 eth1', 'compute2 vm2 eth0']));
        for (const hop of request) expect(hop.headers.vlans ?? [], place(hop)).toEqual([]);
        const wire = request.find((hop) => place(hop) === 'compute2 eth1')!;
        expect(wire.headers).toMatchObject({ src: '10.0.0.11', dst: '10.0.0.12' });
        expect(wire.changes).toEqual([]);
        expect(place(request.at(-1)!)).toBe('compute2 vm2 eth0');
      },
    );
  },
});
