import type Docker from 'dockerode';
import { applyParts } from '../cloud/apply';
import { AppError } from '../errors';
import { drawFault, FaultChoiceError, type FaultChoice } from '../lab/faults';
import type { Fault, Lab } from '../lab/schema';
import { containerOf } from './running-lab';

/** Making and repairing a break-fix lab's fault in its running nodes (the format: lab/faults.ts). */

/** The fault a boot makes: drawn as `choice` says; a wrong name is the caller's mistake, said so. */
export function faultToMake(lab: Lab, choice: FaultChoice = {}, avoid?: string): string | undefined {
  try {
    return drawFault(lab.faults, choice, avoid);
  } catch (error) {
    if (error instanceof FaultChoiceError) throw new AppError('input', `Lab ${lab.id}: ${error.message}.`);
    throw error;
  }
}

/**
 * Runs the fault's break (or repair) commands on its node, in order, in one exec as a plan part
 * is applied (a guard skips a command, the first that fails stops it); returns how many ran.
 */
export async function runFault(
  containers: Map<string, Docker.Container>,
  name: string,
  fault: Fault,
  what: 'break' | 'repair',
): Promise<number> {
  const steps = fault[what].map((command) => (Array.isArray(command) ? { argv: command } : command));
  const key = `${what === 'break' ? 'the making' : 'the repair'} of fault ${name}`;
  return (await applyParts(containerOf(containers, fault.node), fault.node, [{ key, steps }])).ran;
}
