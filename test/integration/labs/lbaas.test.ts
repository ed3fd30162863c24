import { labSuite } from './lab-suite';

labSuite('lbaas');
