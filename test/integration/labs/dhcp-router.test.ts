import { labSuite } from './lab-suite';

labSuite('dhcp-router');
