import { labSuite } from './lab-suite';

labSuite('metadata');
