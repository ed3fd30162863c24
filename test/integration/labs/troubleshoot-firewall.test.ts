import { breakFixTests } from './faults';
import { labSuite } from './lab-suite';

const ROUTER = 'qrouter-40fff075-d3a2-477b-942c-6b1adb42e35e';

labSuite('troubleshoot-firewall', {
  whenSolved: (lab) =>
    breakFixTests(lab, 'troubleshoot-firewall', {
      objective: 'policy-works',
      progress: true,
      // HTTP accepted ahead of the firewall's chains: the page loads, rule web-in is still missing.
      detour: {
        fault: 'web-rule-lost',
        node: 'network',
        add: ['ip', 'netns', 'exec', ROUTER, 'iptables', '-I', 'neutron-vpn-agen-FORWARD', '1', '-p', 'tcp', '--dport', '80', '-j', 'ACCEPT'],
        remove: ['ip', 'netns', 'exec', ROUTER, 'iptables', '-D', 'neutron-vpn-agen-FORWARD', '-p', 'tcp', '--dport', '80', '-j', 'ACCEPT'],
      },
    }),
});
