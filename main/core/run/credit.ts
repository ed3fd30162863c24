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
  const learner = objectivesOf(lab).filter((o) => !o.given);
  const marks = learner.map((o) => creditMark(progress, o.id));
  return { met: marks.filter(Boolean).length, solved: marks.filter((m) => m === 'solved').length, total: learner.length };
}

/** "5/9" or "5/9 (2 solved for you)", as the CLI prints it. */
export const formatCredit = (credit: Credit): string =>
  `${credit.met}/${credit.total}${credit.solved ? ` (${credit.solved} solved for you)` : ''}`;
