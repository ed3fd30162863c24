import { labSuite } from './lab-suite';

labSuite('vlan-router');
