import { objectivesOf, type Lab } from '../lab/schema';
import type { LabProgress } from './progress-store';
import type { Credit } from './results';

/**
 * The one progress count, shared by `check`, `progress`, the catalogue's card and the workspace:
 * of the learner's objectives (given ones are the lab's, not the learner's), how many are done
 * and how many of those `solve` did ("solved for you"). An objective the learner met before
 * `solve` ran stays the learner's.
 */

export type CreditMark = 'met' | 'solved';

/** How an objective counts: earned by the learner, solved for them, or not yet. */
export function creditMark(progress: LabProgress, objective: string): CreditMark | undefined {
  if (progress.objectives[objective]) return 'met';
  if (progress.solved[objective]) return 'solved';
  return undefined;
}

export function creditOf(lab: Lab, progress: LabProgress): Credit {
  const credit = tally(
    objectivesOf(lab)
      .filter((o) => !o.given)
      .map((o) => creditMark(progress, o.id)),
  );
  const faults = Object.keys(lab.faults);
  return faults.length === 0 ? credit : { ...credit, faults: tally(faults.map((name) => faultMark(progress, name))) };
}

/** How many are done, how many of those `solve` did, of how many. */
const tally = (marks: (CreditMark | undefined)[]) => ({
  met: marks.filter(Boolean).length,
  solved: marks.filter((m) => m === 'solved').length,
  total: marks.length,
});

/** How a break-fix lab's fault counts: repaired by the learner (even if solved later), solved for them, or not yet met. */
export function faultMark(progress: LabProgress, fault: string): CreditMark | undefined {
  const record = progress.faults[fault];
  if (record?.repairedAt) return 'met';
  if (record?.solvedAt) return 'solved';
  return undefined;
}

const counted = (c: ReturnType<typeof tally>): string => `${c.met}/${c.total}${c.solved ? ` (${c.solved} solved for you)` : ''}`;

/** "5/9", "5/9 (2 solved for you)", "1/1; faults 3/7 (1 solved for you)", as the CLI prints it. */
export const formatCredit = (credit: Credit): string => `${counted(credit)}${credit.faults ? `; faults ${counted(credit.faults)}` : ''}`;
