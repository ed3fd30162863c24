import { breakFixTests } from './faults';
import { labSuite } from './lab-suite';

labSuite('troubleshoot-security', {
  whenSolved: (lab) =>
    breakFixTests(lab, 'troubleshoot-security', {
      objective: 'allowed-works',
      // ICMP accepted ahead of every port's chains: vm2's pings get through, vm1's chain still lacks its rule.
      detour: {
        fault: 'icmp-rule-missing',
        node: 'compute1',
        add: ['iptables', '-I', 'neutron-openvswi-sg-chain', '1', '-p', 'icmp', '-j', 'ACCEPT'],
        remove: ['iptables', '-D', 'neutron-openvswi-sg-chain', '-p', 'icmp', '-j', 'ACCEPT'],
      },
    }),
});
