import { z } from 'zod';
import { CheckSchema } from '../check/schema';
import { LAB_ID_PATTERN, LAB_ID_RULE } from './lab-id';
import { CloudSchema, ReleaseSchema } from '../cloud/schema';
import { PartKindSchema } from '../cloud/plan';
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
