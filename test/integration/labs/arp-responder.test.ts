import { labSuite } from './lab-suite';

labSuite('arp-responder');
