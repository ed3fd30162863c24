import { z } from 'zod';
import { CheckSchema } from '../check/schema';
import { LAB_ID_PATTERN, LAB_ID_RULE } from './lab-id';
import { CloudSchema, ReleaseSchema } from '../cloud/schema';
import { PART_KINDS } from '../cloud/plan';
import { NameSchema, TopologySchema } from '../topology/schema';

/**
 * A lab file (`labs/<id>/lab.yaml`, with its guide in `guide/<language>/<step>.md`). This is the
 * one definition of the format: the TypeScript types are inferred from it and the published
 * JSON Schema (labs/lab.schema.json) is generated from it.
 *
 *   metadata   id, title, summary, level, minutes, the Neutron release, the seed sections
 *   topology   the nodes (containers) and the Docker networks between them
 *   cloud      what Neutron's database would hold; the agents render it on the nodes
 *   steps      the guide: each step names the parts of the cloud the learner builds in it and
 *              the objectives that prove it; every part not named is built at boot
 *   faults     break-fix labs: one is drawn and made at boot, the learner finds and repairs it
 */

export const LabIdSchema = z.string().regex(LAB_ID_PATTERN, LAB_ID_RULE);

export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Text shown to learners: plain English, or English with a Simplified Chinese translation. */
export const LocalizedTextSchema = z.union([
  z.string().min(1),
  z.object({ en: z.string().min(1), zh: z.string().min(1).optional() }).strict(),
]);

export const SeedRefSchema = z
  .object({
    seed: z.string().regex(/^\d{3}$/, 'a seed number like 002'),
    section: z.string().min(1).describe('The section title as the seed prints it, e.g. "GRE 模式".'),
    lines: z
      .string()
      .regex(/^\d+(-\d+)?$/, 'a line or a range like 217-420')
      .optional(),
  })
  .strict();

/** The kinds of part the agents render (cloud/plan.ts), as a lab names them. */
export const PartKindSchema = z
  .enum(PART_KINDS)
  .describe(
    "underlay: br-phy owning the tunnel address. integration-bridge: br-int and its base flows. tunnel-bridge: br-tun, patch ports, tunnel ports. tunnel-flows: br-tun flow tables. physical-bridge: br-ethX and its link to br-int. vlan-flows: VLAN translation on br-int and br-ethX. dhcp: a qdhcp namespace with dnsmasq. dhcp-mtu: dnsmasq advertising the tunnel MTU by option 26 (a network whose mtu exceeds what its tunnel carries; named by network). vm: a VM namespace wired tap → qbr → qvb/qvo → br-int. router: a qrouter namespace with its ports, routes and nat table. floating-ip: a floating IP on its router (named by VM). security-group: the hybrid iptables chains of a VM port (named by VM). dvr-flows: the DVR flows of a host of distributed routers (br-tun and br-int table 1). arp-responder: the ARP responder on br-tun (table 21, and the ARP broadcasts table 2 sends to it). fip-namespace: the fip- namespace of a host, with its fg- port. snat: the snat- namespace of a distributed router (named by router). linuxbridge: the brq and vxlan device of the Linux bridge agent for a network (named by network). metadata-service: Nova's metadata service and neutron-server on the controller. metadata-agent: neutron-metadata-agent on a node with routers. metadata-proxy: neutron-ns-metadata-proxy in a router's namespace (named by router). The rest: load-balancer pools, firewalls.",
  );

/** A part of the cloud the learner builds; `name` says which VM, network, router… for those kinds. */
export const PartSelectorSchema = z
  .object({
    part: PartKindSchema,
    node: NameSchema.optional().describe('The node (not needed for a vm: the VM says where it runs).'),
    name: NameSchema.optional().describe('The VM (vm), network (dhcp), router, pool or firewall the part is about.'),
  })
  .strict();

export const ObjectiveSchema = z
  .object({
    id: NameSchema,
    title: LocalizedTextSchema,
    given: z.boolean().default(false).describe('true: met at boot (it checks what the lab builds for the learner).'),
    check: CheckSchema,
    hints: z.array(LocalizedTextSchema).default([]).describe('From a nudge to the answer, shown one at a time.'),
  })
  .strict();

const ArgvSchema = z.array(z.string().min(1)).min(1).describe('A command as argv, run without a shell inside the node.');

/** A fault's command: argv, or argv with a guard that skips it (as the agents' steps do) so it is safe to run twice. */
const FaultCommandSchema = z.union([
  ArgvSchema,
  z
    .object({
      argv: ArgvSchema,
      unless: ArgvSchema.optional().describe('Skip the command when this one succeeds (e.g. the service already runs).'),
    })
    .strict(),
]);

/** A fault of a break-fix lab (./faults.ts): one is drawn and made at boot. */
export const FaultSchema = z
  .object({
    title: LocalizedTextSchema.describe('What is broken: shown when solve repairs it, never before.'),
    node: NameSchema.describe('The node the fault is made and repaired on.'),
    break: z.array(FaultCommandSchema).min(1).describe('Commands that make the fault in the booted lab.'),
    repair: z.array(FaultCommandSchema).min(1).describe('Commands that repair it, as an operator would; safe to run twice.'),
    repaired: CheckSchema.describe('Holds once the cause is repaired, and not while the fault is there.'),
  })
  .strict();

export const StepSchema = z
  .object({
    id: NameSchema.describe('Also the guide file name: guide/en/<id>.md, guide/zh/<id>.md.'),
    title: LocalizedTextSchema,
    builds: z.array(PartSelectorSchema).default([]).describe('What the learner builds in this step; `solve --step` builds exactly these.'),
    objectives: z.array(ObjectiveSchema).default([]),
  })
  .strict();

export const LabSchema = z
  .object({
    id: LabIdSchema,
    title: LocalizedTextSchema,
    summary: LocalizedTextSchema,
    level: z.enum(['beginner', 'intermediate', 'advanced']).default('beginner'),
    minutes: z.number().int().min(5).max(600).default(30).describe('About how long the lab takes.'),
    release: ReleaseSchema.default('icehouse').describe('The Neutron release whose agents the lab reproduces.'),
    seeds: z.array(SeedRefSchema).default([]).describe('The seed sections the lab follows.'),
    topology: TopologySchema,
    cloud: CloudSchema.default({
      l2population: false,
      physnets: {},
      networks: {},
      vms: {},
      routers: {},
      floatingIps: [],
      securityGroups: {},
      pools: {},
      firewalls: {},
    }),
    steps: z.array(StepSchema).default([]),
    sandbox: z
      .boolean()
      .default(false)
      .describe(
        'An explore sandbox ("Explore" in the app): no steps, no faults; its cloud starts as written and changes with `neutron-lab openstack` calls.',
      ),
    faults: z
      .record(NameSchema, FaultSchema)
      .default({})
      .describe('Break-fix labs: the faults one of which is drawn and made at boot; objectives check its repair with { kind: repaired }.'),
  })
  .strict();

export type Lab = z.infer<typeof LabSchema>;
export type LabStep = z.infer<typeof StepSchema>;
export type Objective = z.infer<typeof ObjectiveSchema>;
export type Fault = z.infer<typeof FaultSchema>;
export type PartSelector = z.infer<typeof PartSelectorSchema>;
export type LocalizedText = z.infer<typeof LocalizedTextSchema>;

export { textIn } from './text';

export const objectivesOf = (lab: Lab): Objective[] => lab.steps.flatMap((step) => step.objectives);
