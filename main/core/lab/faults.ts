import { createHash, randomInt } from 'node:crypto';
import { subchecks } from '../check/composite';
import type { Check } from '../check/schema';
import type { Fault, Lab } from './schema';

/**
 * Break-fix labs. A lab may declare faults: named changes to the state it boots, each with the
 * commands that make it, the commands that repair it, and a check that holds once its cause is
 * repaired. One fault is drawn at `up` (at random, named, or by a seed an instructor sets so a
 * whole room gets the same one) and made after the boot parts; the learner sees only the
 * symptom. An objective's `{ kind: repaired }` stands for the drawn fault's check, so it is met
 * when the cause is gone, not when traffic passes by some detour; `solve` runs the repair.
 * The format is in ./schema.ts (FaultSchema).
 */

/** How `up` picks the fault: by name, by a seed (same seed, same fault), or at random. */
export interface FaultChoice {
  fault?: string;
  seed?: string;
}

/**
 * The fault to make in a lab booted with `choice`, or undefined for a lab without faults.
 * `avoid`: the fault drawn last time (reset draws another when it can).
 */
export function drawFault(faults: Record<string, Fault>, choice: FaultChoice = {}, avoid?: string): string | undefined {
  const names = Object.keys(faults).sort();
  if (names.length === 0) {
    if (choice.fault !== undefined) throw new FaultChoiceError(`this lab declares no faults, so there is no "${choice.fault}" to make`);
    return undefined;
  }
  if (choice.fault !== undefined) {
    if (!faults[choice.fault]) throw new FaultChoiceError(`no fault "${choice.fault}" in this lab (there: ${names.join(', ')})`);
    return choice.fault;
  }
  const pool = names.length > 1 && avoid !== undefined ? names.filter((n) => n !== avoid) : names;
  // A seed picks by hash, so the same seed gives every student of a class the same fault.
  const index =
    choice.seed !== undefined ? createHash('sha256').update(choice.seed).digest().readUInt32BE(0) % pool.length : randomInt(pool.length);
  return pool[index];
}

export class FaultChoiceError extends Error {}

/** The checks of a lab booted with `fault`: each `{ kind: repaired }` carries that fault's check. */
export function withFault(check: Check, fault: Fault | undefined): Check {
  switch (check.kind) {
    case 'all':
    case 'any':
      return { ...check, of: check.of.map((c) => withFault(c, fault)) };
    case 'not':
      return { ...check, check: withFault(check.check, fault) };
    case 'repaired':
      return fault ? { kind: 'repaired', check: fault.repaired } : { kind: 'repaired' };
    default:
      return check;
  }
}

/** Whether a check asks for the fault's repair somewhere in its tree. */
export const asksRepair = (check: Check): boolean => check.kind === 'repaired' || subchecks(check).some(asksRepair);

/** The lab as booted with the fault `name` (or none): its objectives check that fault's repair. */
export function labWithFault(lab: Lab, name: string | undefined): Lab {
  if (Object.keys(lab.faults).length === 0) return lab;
  const fault = name === undefined ? undefined : lab.faults[name];
  return {
    ...lab,
    steps: lab.steps.map((step) => ({
      ...step,
      objectives: step.objectives.map((objective) => ({ ...objective, check: withFault(objective.check, fault) })),
    })),
  };
}
