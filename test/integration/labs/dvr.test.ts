import { labSuite } from './lab-suite';

labSuite('dvr');
