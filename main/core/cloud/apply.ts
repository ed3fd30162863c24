import type Docker from 'dockerode';
import { execArgv } from '../docker/exec';
import { AppError } from '../errors';
import type { PlanPart, Step } from './plan';

/**
 * Applies parts of a plan to one node in a single exec of the image's nl-apply, which runs each
 * step's argv without a shell. Steps are labelled `<part key>#<index>` so a failure names the
 * part and the command.
 */

/** What applying needs of a part: its key (named when a step fails) and its steps. */
export type Steps = Pick<PlanPart, 'key' | 'steps'>;

export interface ApplyResult {
  ran: number;
  skipped: number;
}

export function encodeSteps(parts: readonly Steps[]): Buffer {
  const fields: string[] = [];
  for (const part of parts) {
    part.steps.forEach((step: Step, index) => {
      fields.push(`${part.key}#${index}`, String(step.argv.length), ...step.argv);
      fields.push(String(step.unless?.length ?? 0), ...(step.unless ?? []));
      if (step.input === undefined) fields.push('0');
      else fields.push('1', step.input);
    });
  }
  for (const field of fields) {
    if (field.includes('\0')) throw new AppError('internal', 'A plan step contains a NUL byte.');
  }
  return Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
}

export async function applyParts(container: Docker.Container, node: string, parts: readonly Steps[]): Promise<ApplyResult> {
  if (parts.length === 0) return { ran: 0, skipped: 0 };
  const result = await execArgv(container, ['nl-apply'], { stdin: encodeSteps(parts) });
  const lines = result.stdout.split('\n').filter(Boolean);
  const failed = lines.findIndex((line) => line.startsWith('failed '));
  if (result.exitCode !== 0 || failed >= 0) {
    // `failed <key>#<step> <status>`: a key may hold spaces (a fault's "the repair of fault …").
    const [, label = '?', status = '?'] = /^failed (.*) (\S+)$/.exec(lines[failed] ?? '') ?? [];
    const [key = '?', index = '0'] = label.split('#');
    const step = parts.find((p) => p.key === key)?.steps[Number(index)];
    const detail = [...lines.slice(failed + 1), result.stderr.trim()].filter(Boolean).join(' ').trim();
    throw new AppError(
      'failed',
      `Building ${key} on ${node} failed: \`${step?.argv.join(' ') ?? 'nl-apply'}\` exited ${status}${detail ? `: ${detail}` : ''}`,
    );
  }
  return {
    ran: lines.filter((l) => l.startsWith('ok ')).length,
    skipped: lines.filter((l) => l.startsWith('skip ')).length,
  };
}
