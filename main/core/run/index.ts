/**
 * Running a lab: `startLab` boots the topology and builds the cloud minus the learner's parts;
 * `checkLab` reads every node once and evaluates the objectives; `solveLab` builds the learner's
 * parts (all, or up to a step); `resetLab` takes the nodes back to the boot state without
 * recreating them; `takeHint` climbs an objective's hint ladder. The lab file's format, lint and
 * catalogue live in `lab/`, which this floor reads and never the other way round. `followInLab`
 * follows one probe from a VM across every node (capture/follow); `walkInLab` traces the way
 * its flows would send it, node after node; `exploreLab` runs an `openstack` command against the
 * lab's cloud and has the agents render what it changed.
 */
export { checkLab, checkRound, type CheckOptions } from './check';
export { exploreLab } from './explore';
export { takeHint } from './hints';
export { followInLab } from './follow';
export { resetLab } from './reset';
export { walkInLab } from './walk';
export { solveLab } from './solve';
export { startLab } from './start';
