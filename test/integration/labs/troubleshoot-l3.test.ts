import { breakFixTests } from './faults';
import { labSuite } from './lab-suite';

const ROUTER = 'qrouter-40fff075-d3a2-477b-942c-6b1adb42e35e';

labSuite('troubleshoot-l3', {
  whenSolved: (lab) =>
    breakFixTests(lab, 'troubleshoot-l3', {
      objective: 'tenant-works',
      // vm2 leaves as the router by a rule of another chain: traffic flows, the agent's SNAT rule is still gone.
      detour: {
        fault: 'snat-missing',
        node: 'network',
        add: ['ip', 'netns', 'exec', ROUTER, 'iptables', '-t', 'nat', '-I', 'POSTROUTING', '-s', '10.0.0.4', '-j', 'SNAT', '--to-source', '9.186.100.2'],
        remove: ['ip', 'netns', 'exec', ROUTER, 'iptables', '-t', 'nat', '-D', 'POSTROUTING', '-s', '10.0.0.4', '-j', 'SNAT', '--to-source', '9.186.100.2'],
      },
    }),
});
