import { labSuite } from './lab-suite';

labSuite('easyovs-tour');
