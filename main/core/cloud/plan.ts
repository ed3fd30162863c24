/**
 * What the agents produce: per node, named parts, each a list of commands (argv arrays).
 * A lab leaves some parts to the learner; booting applies the others, solving applies those.
 * Every step is idempotent (a guard skips what is already there, or the command replaces),
 * so a part can be applied twice, and `reset` can re-apply the boot state.
 */

export const PART_KINDS = [
  'underlay',
  'integration-bridge',
  'tunnel-bridge',
  'tunnel-flows',
  'physical-bridge',
  'vlan-flows',
  'dhcp',
  'dhcp-mtu',
  'vm',
  'router',
  'floating-ip',
  'security-group',
  'pool',
  'firewall',
  'dvr-flows',
  'arp-responder',
  'fip-namespace',
  'snat',
  'linuxbridge',
  'metadata-service',
  'metadata-agent',
  'metadata-proxy',
] as const;

export type PartKind = (typeof PART_KINDS)[number];

export interface PartRef {
  node: string;
  kind: PartKind;
  /** The VM, network, router… the part is about, for kinds about one named object (lab/parts.ts: SUBJECTS). */
  subject?: string;
}

/** `compute1/tunnel-flows`, `compute1/vm/vm1`: how parts are named in messages, progress and the CLI. */
export const partKey = (ref: PartRef): string => `${ref.node}/${ref.kind}${ref.subject ? `/${ref.subject}` : ''}`;

export interface Step {
  argv: string[];
  /** Skip the step when this command succeeds (the thing exists already). */
  unless?: string[];
  /** Standard input for the command (flow tables for `ovs-ofctl add-flows BRIDGE -`, files for `tee`). */
  input?: string;
}

export interface PlanPart {
  ref: PartRef;
  key: string;
  /** Parts that must be in place first (keys). */
  needs: string[];
  /** One line for people: what this part is. */
  summary: string;
  steps: Step[];
}

export interface CloudPlan {
  /** In the order they apply: every part after the parts it needs. */
  parts: PlanPart[];
}

export function part(ref: PartRef, summary: string, needs: PartRef[], steps: Step[]): PlanPart {
  return { ref, key: partKey(ref), needs: needs.map(partKey), summary, steps };
}

/** `ovs-vsctl` with the agent's idiom: one transaction of `--`-separated commands. */
export function vsctl(...commands: string[][]): string[] {
  const argv = ['ovs-vsctl'];
  commands.forEach((command, i) => argv.push(...(i === 0 ? command : ['--', ...command])));
  return argv;
}
