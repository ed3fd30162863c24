import { labSuite } from './lab-suite';

labSuite('vxlan-tenant');
