import type { Engine } from '../docker/engine';
import { easyOvsChecksOf, runEasyOvsChecks } from '../easyovs/solve';
import { AppError } from '../errors';
import { solutionParts } from '../lab/parts';
import { textIn, type Language } from '../lab/schema';
import { runFault } from './faults';
import { creditMark, faultMark } from './credit';
import type { ProgressStore } from './progress-store';
import type { SolveResult } from './results';
import { applyPerNode, containerOf, runningLab } from './running-lab';
import { awaitLeases } from './settle';

/**
 * Builds what the learner would: every learner part, or the state after step N (1-based):
 * the parts of steps 1 to N, since a step stands on the ones before it. Parts apply
 * idempotently, so what the learner already built right is left as it is. easyOVS actions
 * that objectives ask for are run too, and a break-fix lab's fault is repaired and named. With a
 * store, the objectives built count in the progress as "solved for you" (those the learner had
 * met stay the learner's).
 */
export async function solveLab(
  engine: Engine,
  name: string,
  options: { step?: number; store?: ProgressStore; language?: Language } = {},
): Promise<SolveResult> {
  const started = performance.now();
  const { session, loaded, model, plan, containers, fault } = await runningLab(engine, name);
  const lab = loaded.lab;
  if (options.step !== undefined && (options.step < 1 || options.step > lab.steps.length)) {
    throw new AppError('usage', `Lab ${lab.id} has steps 1 to ${lab.steps.length}; there is no step ${options.step}.`);
  }
  const steps = options.step === undefined ? undefined : Array.from({ length: options.step }, (_, i) => i);
  const parts = solutionParts(lab, plan, steps);
  const commands = await applyPerNode(containers, parts);
  await awaitLeases(containers, model, parts);
  // Objectives met by running easyOVS actions: run them, after the parts they may look at.
  const solved = (steps ?? lab.steps.map((_, i) => i)).flatMap((i) => lab.steps[i]?.objectives ?? []).filter((o) => !o.given);
  const targetOf = (node: string) => ({ node, container: containerOf(containers, node), model });
  const ran = await runEasyOvsChecks(
    solved.flatMap((o) => easyOvsChecksOf(o.check)),
    targetOf,
  );
  // The fault last: what it broke may stand on the parts just built.
  const repairs = fault ? await runFault(containers, fault.name, fault.fault, 'repair') : 0;
  if (options.store) {
    const now = new Date().toISOString();
    await options.store.update(lab.id, (p) => {
      for (const o of solved) if (!creditMark(p, o.id)) p.solved[o.id] = { solvedAt: now };
      if (fault && !faultMark(p, fault.name)) p.faults[fault.name] = { solvedAt: now };
      // The learner is past the steps solved (the class view shows where each student is).
      p.currentStep = Math.max(p.currentStep, options.step ?? lab.steps.length);
    });
  }
  return {
    session: session.name,
    built: [...parts.map((p) => p.key), ...ran.map((r) => `easyovs ${r}`)],
    commands: commands + ran.length + repairs,
    ...(fault ? { repaired: { fault: fault.name, title: textIn(fault.fault.title, options.language ?? 'en') } } : {}),
    elapsedMs: Math.round(performance.now() - started),
  };
}
