import type Docker from 'dockerode';
import { evaluate, probesOf, runProbes, snapshotsRead, type Follower, type SnapshotScope } from '../check/evaluate';
import type { Check } from '../check/schema';
import type { Outcome } from '../check/state';
import type { CloudModel } from '../cloud/model';
import type { Runner } from '../check/probes';
import type { Engine } from '../docker/engine';
import { execArgv } from '../docker/exec';
import { AppError } from '../errors';
import { collectSnapshot } from '../inspect/snapshot/snapshot';
import type { NodeSnapshot } from '../inspect/snapshot/types';
import { textIn, type Language, type LocalizedText } from '../lab/schema';
import { asksRepair } from '../lab/faults';
import { creditMark, creditOf, faultMark } from './credit';
import { checkHintNumber, hintsShown, recordHint } from './hints';
import { emptyProgress, type ProgressStore } from './progress-store';
import type { CheckReport, ObjectiveResult } from './results';
import { followIn } from './follow';
import { runningLab } from './running-lab';

/** `check`: probes first, then one snapshot per node read, then every chosen objective evaluated. */

export interface CheckOptions {
  store?: ProgressStore;
  language?: Language;
  /** Check only these objectives. */
  only?: readonly string[];
}

export async function checkLab(engine: Engine, name: string, options: CheckOptions = {}): Promise<CheckReport> {
  const started = performance.now();
  const running = await runningLab(engine, name);
  const { session, loaded, model, containers, fault } = running;
  const lab = loaded.lab;
  const language = options.language ?? 'en';
  const progressRead = options.store ? await options.store.read(lab.id) : undefined;
  const progress = progressRead?.progress ?? emptyProgress(lab.id);

  const objectives = lab.steps.flatMap((step) => step.objectives.map((objective) => ({ step, objective })));
  if (options.only) {
    const unknown = options.only.filter((id) => !objectives.some(({ objective }) => objective.id === id));
    if (unknown.length)
      throw new AppError(
        'input',
        `No objective ${unknown.join(', ')} in lab ${lab.id} (there: ${objectives.map(({ objective }) => objective.id).join(', ')}).`,
      );
  }
  const chosen = options.only ? objectives.filter(({ objective }) => options.only?.includes(objective.id)) : objectives;

  const outcomes = await checkRound(
    containers,
    model,
    chosen.map(({ objective }) => objective.check),
    (ask) => followIn(engine, running, name, ask),
  );
  const results = chosen.map(({ step, objective }, index): ObjectiveResult => {
    const outcome = outcomes[index] as Outcome;
    const shown = hintsShown(progress, session.id, objective.id);
    const hintNumber = outcome.passed ? undefined : checkHintNumber(shown, objective.hints.length);
    const hint: LocalizedText | undefined = hintNumber === undefined ? undefined : objective.hints[hintNumber - 1];
    return {
      id: objective.id,
      title: textIn(objective.title, language),
      step: step.id,
      given: objective.given,
      ...outcome,
      ...(outcome.passed && objective.check.kind === 'measure' ? { measured: outcome.found } : {}),
      ...(hint && hintNumber ? { hint: textIn(hint, language), hintNumber } : {}),
      hintsUsed: Math.max(shown, hintNumber ?? 0),
      hintsTotal: objective.hints.length,
    };
  });

  const failedStep = lab.steps.findIndex((step) => step.objectives.some((o) => results.some((r) => r.id === o.id && !r.passed)));
  const currentStep = failedStep < 0 ? lab.steps.length : failedStep;
  const notices = progressRead?.problem ? [progressRead.problem] : [];
  let recorded = progress;
  if (options.store) {
    const now = new Date().toISOString();
    const read = await options.store.update(lab.id, (p) => {
      // Met by the learner: unless `solve` built it first, then it stays "solved for you".
      for (const r of results) {
        if (r.given || creditMark(p, r.id)) continue;
        // An attempt: a check of it while it was not done yet, the one that meets it included.
        p.attempts[r.id] = (p.attempts[r.id] ?? 0) + 1;
        if (r.passed) p.objectives[r.id] = { metAt: now };
      }
      for (const r of results) if (r.hintNumber) recordHint(p, session.id, r.id, r.hintNumber);
      // The drawn fault is the learner's once an objective asking for its repair passes (unless
      // `solve` repaired it first: as with objectives, it stays "solved for you").
      const repaired = chosen.some(({ objective }, i) => results[i]?.passed && asksRepair(objective.check));
      if (fault && repaired && !faultMark(p, fault.name)) p.faults[fault.name] = { repairedAt: now };
      if (!options.only) p.currentStep = currentStep;
    });
    recorded = read.progress;
  }
  for (const r of results) if (creditMark(recorded, r.id) === 'solved') r.solvedForYou = true;
  // The headline counts what `progress` and the card count: the learner's objectives, given ones
  // left out; a failing given objective still fails the check (`allPassed`).
  const learner = results.filter((r) => !r.given);
  return {
    session: session.name,
    lab: lab.id,
    passed: learner.filter((r) => r.passed).length,
    total: learner.length,
    allPassed: results.every((r) => r.passed),
    credit: creditOf(lab, recorded),
    objectives: results,
    currentStep,
    elapsedMs: Math.round(performance.now() - started),
    notices,
  };
}

/**
 * One round over `checks` in a running lab: their probes first (their traffic shows in the state
 * read next), then one snapshot per node they read, then each check evaluated; the outcomes in
 * the checks' order.
 */
export async function checkRound(
  containers: Map<string, Docker.Container>,
  model: CloudModel,
  checks: readonly Check[],
  follow: Follower,
): Promise<Outcome[]> {
  const run: Runner = (node, argv, runOptions = {}) => {
    const container = containers.get(node);
    if (!container) throw new AppError('input', `no node "${node}" in this lab`);
    return execArgv(container, argv, runOptions);
  };
  const probed = await runProbes(checks.flatMap(probesOf), model, run, follow);
  // Only the nodes the checks read (a node named twice is read once), and of a node only its
  // OVS part when that is all they read there: a third of the time.
  const scopes = new Map<string, SnapshotScope>();
  for (const check of checks) {
    let reads: ReturnType<typeof snapshotsRead> = [];
    try {
      reads = snapshotsRead(check, model);
    } catch {
      // a check naming an unknown VM fails on its own, with that message
    }
    for (const { node, scope } of reads) if (scopes.get(node) !== 'all') scopes.set(node, scope);
  }
  const snapshots = new Map<string, NodeSnapshot>();
  await Promise.all(
    [...containers]
      .filter(([node]) => scopes.has(node))
      .map(async ([node, container]) => {
        snapshots.set(node, await collectSnapshot(container, node, scopes.get(node)));
      }),
  );
  return checks.map((check) => evaluate(check, { model, snapshots, probed }));
}
