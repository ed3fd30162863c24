import { z } from 'zod';
import { CHECK_KINDS, isProbeKind, type RegisteredProbe, type RegisteredState } from './kinds';

/**
 * Objective checks: declarative kinds read from live state (one snapshot per node), active
 * probes sent from inside a namespace, the easyOVS actions a learner ran, all/any/not to compose them,
 * and repaired for break-fix labs. `command` is the escape
 * hatch for what the kinds cannot say; it runs only inside the lab's containers. Each kind is
 * a module of ./kinds, registered in ./kinds/index.ts.
 */

type CheckOf<K> = K extends { schema: z.ZodType<infer C> } ? C : never;

export type Check =
  | CheckOf<(typeof CHECK_KINDS)[number]>
  | { kind: 'all'; of: Check[] }
  | { kind: 'any'; of: Check[] }
  | { kind: 'not'; check: Check }
  | RepairedCheck;

/**
 * A break-fix lab's "the cause is repaired": authors write `{ kind: repaired }`; the running lab
 * gives it the check of the fault drawn at boot (lab/faults.ts), which the learner never sees.
 */
export interface RepairedCheck {
  kind: 'repaired';
  check?: Check;
}

export const CheckSchema: z.ZodType<Check> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    // Each kind's schema is a strict z.object with a literal kind (the kinds' modules say so).
    ...(CHECK_KINDS.map((k) => k.schema) as unknown as [z.ZodObject<{ kind: z.ZodLiteral<string> }>]),
    z.object({ kind: z.literal('all'), of: z.array(CheckSchema).min(1) }).strict(),
    z.object({ kind: z.literal('any'), of: z.array(CheckSchema).min(1) }).strict(),
    z.object({ kind: z.literal('not'), check: CheckSchema }).strict(),
    z
      .object({ kind: z.literal('repaired') })
      .strict()
      .describe("Break-fix labs: the cause of the fault drawn at boot is repaired (that fault's own check)."),
  ]),
) as z.ZodType<Check>;

export type CheckKind = Check['kind'];

/** Checks that send traffic or run something, and those that only read the snapshot. */
export type ProbeCheck = Extract<Check, { kind: RegisteredProbe['kind'] }>;
export type StateCheck = Extract<Check, { kind: RegisteredState['kind'] }>;

/** Kinds that send traffic or run something (the rest only read the snapshot). */
export const ACTIVE_KINDS: ReadonlySet<CheckKind> = new Set(CHECK_KINDS.filter(isProbeKind).map((k) => k.kind));
