import { breakFixTests } from './faults';
import { labSuite } from './lab-suite';

labSuite('troubleshoot-l2', {
  whenSolved: (lab) =>
    breakFixTests(lab, 'troubleshoot-l2', {
      objective: 'reaches-dhcp',
      // The lost translation put back at another priority: traffic flows, the agent's flow is still lost.
      detour: {
        fault: 'lost-tunnel-flow',
        node: 'compute1',
        add: ['ovs-ofctl', 'add-flow', 'br-tun', 'table=2,priority=5,tun_id=0x1,actions=mod_vlan_vid:1,resubmit(,10)'],
        remove: ['ovs-ofctl', '--strict', 'del-flows', 'br-tun', 'table=2,priority=5,tun_id=0x1'],
      },
    }),
});
