import type Docker from 'dockerode';
import { execArgv } from '../docker/exec';
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

/** Runs the fault's break (or repair) commands on its node, in order; the first that fails stops it. */
export async function runFault(
  containers: Map<string, Docker.Container>,
  name: string,
  fault: Fault,
  what: 'break' | 'repair',
): Promise<number> {
  const container = containerOf(containers, fault.node);
  for (const argv of fault[what]) {
    const result = await execArgv(container, argv);
    if (result.exitCode !== 0) {
      const doing = what === 'break' ? 'Making' : 'Repairing';
      throw new AppError(
        'failed',
        `${doing} fault ${name} on ${fault.node} failed: \`${argv.join(' ')}\` exited ${result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`,
      );
    }
  }
  return fault[what].length;
}
