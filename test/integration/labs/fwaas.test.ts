import { labSuite } from './lab-suite';

labSuite('fwaas');
