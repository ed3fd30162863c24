import { labSuite } from './lab-suite';

labSuite('security-groups');
