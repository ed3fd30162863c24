import type { CloudPlan, PlanPart } from '../cloud/plan';
import { SUBJECT_KINDS } from '../cloud/plan';
import type { Lab, PartSelector } from './schema';

/**
 * Which parts of the rendered cloud the learner builds (named by the guide's steps) and which
 * the lab builds at boot (all the others).
 */

/** The part key a step's selector names, or why it names none. */
export function selectorKey(lab: Lab, selector: PartSelector): { key: string } | { problem: string } {
  const { part, name } = selector;
  if (SUBJECT_KINDS.has(part) && !name) return { problem: `a ${part} part needs a name (which ${part === 'dhcp' ? 'network' : part === 'floating-ip' || part === 'security-group' ? 'VM' : part === 'snat' ? 'router' : part})` };
  if (!SUBJECT_KINDS.has(part) && name) return { problem: `a ${part} part is about a whole node: give node, not name` };
  let node = selector.node;
  // A VM's security groups are filtered on its own node, by the port's chains.
  if ((part === 'vm' || part === 'security-group') && name) node ??= lab.cloud.vms[name]?.node;
  if (part === 'dhcp' && name) node ??= lab.cloud.networks[name]?.dhcp?.node;
  if (part === 'pool' && name) node ??= lab.cloud.pools[name]?.node;
  if (part === 'router' && name) {
    const router = lab.cloud.routers[name];
    // A distributed router is on every host of its subnets' VMs: no one node to infer.
    if (router?.distributed && !node) return { problem: `router "${name}" is distributed, on several nodes: say which node` };
    node ??= router?.node;
  }
  if (part === 'snat' && name) node ??= lab.cloud.routers[name]?.node;
  if (part === 'firewall' && name) {
    const router = lab.cloud.firewalls[name]?.router;
    node ??= router ? lab.cloud.routers[router]?.node : undefined;
  }
  if (part === 'floating-ip' && name) {
    const router = lab.cloud.floatingIps.find((f) => f.vm === name)?.router;
    // A distributed router serves a floating IP on the VM's own node.
    node ??= router ? (lab.cloud.routers[router]?.distributed ? lab.cloud.vms[name]?.node : lab.cloud.routers[router]?.node) : undefined;
  }
  if (!node) return { problem: `say which node the ${part} part is on` };
  return { key: `${node}/${part}${name ? `/${name}` : ''}` };
}

/** Part key → the index of the step that builds it. */
export function learnerParts(lab: Lab): Map<string, number> {
  const parts = new Map<string, number>();
  lab.steps.forEach((step, index) => {
    for (const selector of step.builds) {
      const selected = selectorKey(lab, selector);
      if ('key' in selected && !parts.has(selected.key)) parts.set(selected.key, index);
    }
  });
  return parts;
}

export function bootParts(lab: Lab, plan: CloudPlan): PlanPart[] {
  const learner = learnerParts(lab);
  return plan.parts.filter((p) => !learner.has(p.key));
}

/** The parts of the given steps (0-based), in plan order; all of the learner's when no steps are given. */
export function solutionParts(lab: Lab, plan: CloudPlan, steps?: readonly number[]): PlanPart[] {
  const learner = learnerParts(lab);
  return plan.parts.filter((p) => {
    const step = learner.get(p.key);
    return step !== undefined && (steps === undefined || steps.includes(step));
  });
}
