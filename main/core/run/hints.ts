import { AppError } from '../errors';
import type { LoadedLab } from '../lab/load';
import { textIn, type Language, type LocalizedText } from '../lab/schema';
import type { ProgressStore } from './progress-store';

/**
 * Hints are a ladder. A failing objective shows its current rung (the first one is free: the
 * check reports it); asking for more climbs one rung, records it, and returns that hint.
 * `hints[id]` in the progress counts the rungs climbed.
 */
export async function takeHint(lab: LoadedLab, objectiveId: string, store: ProgressStore, language: Language = 'en'): Promise<{ hint: string; number: number; total: number }> {
  const objective = lab.lab.steps.flatMap((s) => s.objectives).find((o) => o.id === objectiveId);
  if (!objective) throw new AppError('input', `No objective "${objectiveId}" in lab ${lab.lab.id}.`);
  if (objective.hints.length === 0) throw new AppError('input', `Objective "${objectiveId}" has no hints.`);
  let rung = 0;
  await store.update(lab.lab.id, (p) => {
    rung = Math.min((p.hints[objectiveId] ?? 0) + 1, objective.hints.length - 1);
    p.hints[objectiveId] = rung;
  });
  return { hint: textIn(objective.hints[rung] as LocalizedText, language), number: rung + 1, total: objective.hints.length };
}
