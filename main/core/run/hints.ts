import type { Engine } from '../docker/engine';
import { AppError } from '../errors';
import type { LoadedLab } from '../lab/load';
import { textIn, type Language, type LocalizedText } from '../lab/schema';
import { requireSession } from '../session/sessions';
import type { LabProgress, ProgressStore } from './progress-store';
import { labOfSession } from './running-lab';

/**
 * Hints are a ladder, climbed afresh in each session of a lab (a new session is a new attempt:
 * it must not open at the answer a past attempt climbed to). `hints[id]` in the progress is the
 * highest rung shown, 1-based, in the session `hintsSession`; any other session has shown none.
 * A failing check shows the rung reached, at least the first (and counts it shown); `hint`
 * shows the next one. Every hint is labelled n/N wherever it appears.
 */

export interface HintReply {
  hint: string;
  /** 1-based. */
  number: number;
  total: number;
}

/** How many hints of an objective this session has shown. */
export const hintsShown = (progress: LabProgress, session: string, objective: string): number =>
  progress.hintsSession === session ? (progress.hints[objective] ?? 0) : 0;

/** Records that this session has shown hint `number` of an objective (a new session's first record starts the count afresh). */
export function recordHint(progress: LabProgress, session: string, objective: string, number: number): void {
  if (progress.hintsSession !== session) {
    progress.hintsSession = session;
    progress.hints = {};
  }
  progress.hints[objective] = Math.max(progress.hints[objective] ?? 0, number);
}

/** The hint a failing check shows: the rung this session reached, at least the first. */
export function checkHintNumber(shown: number, total: number): number | undefined {
  return total === 0 ? undefined : Math.min(Math.max(shown, 1), total);
}

/** `hint`: the next rung of an objective in session `name` (the last one again once all are shown). */
export async function takeHint(
  engine: Engine,
  name: string,
  objectiveId: string,
  store: ProgressStore,
  language: Language = 'en',
): Promise<HintReply> {
  const session = await requireSession(engine, name);
  return climbHint((await labOfSession(session)).loaded, session.id, objectiveId, store, language);
}

export async function climbHint(
  lab: LoadedLab,
  session: string,
  objectiveId: string,
  store: ProgressStore,
  language: Language = 'en',
): Promise<HintReply> {
  const objectives = lab.lab.steps.flatMap((s) => s.objectives);
  const objective = objectives.find((o) => o.id === objectiveId);
  if (!objective)
    throw new AppError('input', `No objective "${objectiveId}" in lab ${lab.lab.id} (there: ${objectives.map((o) => o.id).join(', ')}).`);
  if (objective.hints.length === 0) throw new AppError('input', `Objective "${objectiveId}" has no hints.`);
  let number = 1;
  await store.update(lab.lab.id, (p) => {
    number = Math.min(hintsShown(p, session, objectiveId) + 1, objective.hints.length);
    recordHint(p, session, objectiveId, number);
  });
  return { hint: textIn(objective.hints[number - 1] as LocalizedText, language), number, total: objective.hints.length };
}
