import type { CloudPlan, PartKind, PlanPart } from '../cloud/plan';
import type { Lab, PartSelector } from './schema';

/**
 * Which parts of the rendered cloud the learner builds (named by the guide's steps) and which
 * the lab builds at boot (all the others).
 */

/** A part about one named object: what the name names, and the node it is on when the step does not say. */
interface Subject {
  names: string;
  nodeOf?: (lab: Lab, name: string) => string | undefined | { problem: string };
}

/** One entry per part kind about one named object rather than a whole node (parts.test.ts holds the renderer to it). */
export const SUBJECTS: Readonly<Partial<Record<PartKind, Subject>>> = {
  vm: { names: 'vm', nodeOf: (lab, name) => lab.cloud.vms[name]?.node },
  dhcp: { names: 'network', nodeOf: (lab, name) => lab.cloud.networks[name]?.dhcp?.node },
  'dhcp-mtu': { names: 'network', nodeOf: (lab, name) => lab.cloud.networks[name]?.dhcp?.node },
  router: {
    names: 'router',
    nodeOf: (lab, name) => {
      const router = lab.cloud.routers[name];
      // A distributed router is on every host of its subnets' VMs: no one node to infer.
      return router?.distributed ? { problem: `router "${name}" is distributed, on several nodes: say which node` } : router?.node;
    },
  },
  'floating-ip': {
    names: 'VM',
    nodeOf: (lab, name) => {
      const router = lab.cloud.floatingIps.find((f) => f.vm === name)?.router;
      // A distributed router serves a floating IP on the VM's own node.
      return router ? (lab.cloud.routers[router]?.distributed ? lab.cloud.vms[name]?.node : lab.cloud.routers[router]?.node) : undefined;
    },
  },
  // A VM's security groups are filtered on its own node, by the port's chains.
  'security-group': { names: 'VM', nodeOf: (lab, name) => lab.cloud.vms[name]?.node },
  pool: { names: 'pool', nodeOf: (lab, name) => lab.cloud.pools[name]?.node },
  firewall: {
    names: 'firewall',
    nodeOf: (lab, name) => {
      const router = lab.cloud.firewalls[name]?.router;
      return router ? lab.cloud.routers[router]?.node : undefined;
    },
  },
  snat: { names: 'router', nodeOf: (lab, name) => lab.cloud.routers[name]?.node },
  linuxbridge: { names: 'linuxbridge' },
  'metadata-proxy': { names: 'router', nodeOf: (lab, name) => lab.cloud.routers[name]?.node },
};

/** The part key a step's selector names, or why it names none. */
export function selectorKey(lab: Lab, selector: PartSelector): { key: string } | { problem: string } {
  const { part, name } = selector;
  const subject = SUBJECTS[part];
  if (subject && !name) return { problem: `a ${part} part needs a name (which ${subject.names})` };
  if (!subject && name) return { problem: `a ${part} part is about a whole node: give node, not name` };
  let node = selector.node;
  if (!node && subject?.nodeOf && name) {
    const inferred = subject.nodeOf(lab, name);
    if (typeof inferred === 'object') return inferred;
    node = inferred;
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
