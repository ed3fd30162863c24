import type { ObjectiveResult } from '../../../main/api/view';

/**
 * The hints a learner has seen for one objective in this session: a ladder. A failed check shows
 * the rung reached (at least the first, numbered by the back end), and `lab.hint` climbs one rung
 * and returns it.
 */

export interface HintState {
  total: number;
  /** Shown hints by number (1-based), in order. */
  shown: { number: number; text: string }[];
}

const withHint = (shown: HintState['shown'], number: number, text: string): HintState['shown'] =>
  [...shown.filter((h) => h.number !== number), { number, text }].sort((a, b) => a.number - b.number);

export const lastShown = (state: HintState | undefined): number => state?.shown.at(-1)?.number ?? 0;

/** The state after a check: the hint the check offers joins those already shown. */
export function hintsFromCheck(previous: HintState | undefined, result: ObjectiveResult): HintState {
  const shown = previous?.shown ?? [];
  if (result.passed || result.hint === undefined || result.hintNumber === undefined) return { total: result.hintsTotal, shown };
  return { total: result.hintsTotal, shown: withHint(shown, result.hintNumber, result.hint) };
}

export function hintsFromReply(previous: HintState | undefined, reply: { hint: string; number: number; total: number }): HintState {
  return { total: reply.total, shown: withHint(previous?.shown ?? [], reply.number, reply.hint) };
}

/** Whether a further hint exists beyond those shown. */
export const hasMoreHints = (state: HintState | undefined, total: number): boolean => lastShown(state) < total;
