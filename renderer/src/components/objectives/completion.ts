import type { CheckReport } from '../../../../main/api/view';

/**
 * What the completion screen says once a check met every objective: how many, the hints the
 * learner used, and what Solve built for them from this window. The back end does not say when
 * the session started, so there is no "time taken" here.
 */
export interface Completion {
  total: number;
  hintsUsed: number;
  solved: { kind: 'none' } | { kind: 'all' } | { kind: 'upTo'; step: number };
}

export function completionOf(report: CheckReport | undefined, steps: number, solvedUpTo: number): Completion | undefined {
  // allPassed counts given objectives too: a broken given one means the lab is not done.
  if (!report || report.total === 0 || !report.allPassed) return undefined;
  const hintsUsed = report.objectives.reduce((sum, o) => sum + o.hintsUsed, 0);
  const solved: Completion['solved'] =
    solvedUpTo <= 0 ? { kind: 'none' } : solvedUpTo >= steps ? { kind: 'all' } : { kind: 'upTo', step: solvedUpTo };
  return { total: report.total, hintsUsed, solved };
}

/** Whether the last check met every objective of a step (a step with none is never "done"). */
export function stepDone(report: CheckReport | undefined, stepId: string | undefined): boolean {
  const mine = report?.objectives.filter((o) => o.step === stepId) ?? [];
  return mine.length > 0 && mine.every((o) => o.passed);
}
