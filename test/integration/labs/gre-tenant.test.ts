import { labSuite } from './lab-suite';

labSuite('gre-tenant');
