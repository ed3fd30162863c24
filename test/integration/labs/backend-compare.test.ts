import { labSuite } from './lab-suite';

labSuite('backend-compare');
