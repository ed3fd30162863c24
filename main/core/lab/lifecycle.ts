import type Docker from 'dockerode';
import { evaluate, nodesRead, probesOf, runProbes } from '../check/evaluate';
import type { Runner } from '../check/probes';
import { applyParts } from '../cloud/apply';
import { resolveCloud, type CloudModel } from '../cloud/model';
import type { PlanPart } from '../cloud/plan';
import { renderCloud } from '../cloud/render';
import type { Engine } from '../docker/engine';
import { execArgv } from '../docker/exec';
import { easyOvsChecksOf, runEasyOvsChecks } from '../easyovs/solve';
import { AppError } from '../errors';
import { collectSnapshot } from '../inspect/snapshot/snapshot';
import type { NodeSnapshot } from '../inspect/snapshot/types';
import { up, type UpOptions } from '../session/boot';
import { requireSession, type SessionStatus } from '../session/sessions';
import { removeSession } from '../session/teardown';
import { resolveLab } from './catalog';
import type { LoadedLab } from './load';
import { bootParts, solutionParts } from './parts';
import type { ProgressStore } from './progress-store';
import type { CheckReport, ObjectiveResult, ResetResult, SolveResult } from './results';
import { textIn, type Language, type LocalizedText } from './schema';


/**
 * A lab's life: `up` boots the topology and builds the cloud minus the learner's parts; `check`
 * reads every node once and evaluates every objective; `solve` builds the learner's parts (all,
 * or one step's); `reset` takes the nodes back to the boot state without recreating them.
 */

export async function startLab(engine: Engine, loaded: LoadedLab, options: Omit<UpOptions, 'parts'> = {}): Promise<SessionStatus> {
  const model = resolveCloud(loaded.lab);
  const parts = bootParts(loaded.lab, renderCloud(loaded.lab, model));
  const session = await up(engine, loaded, { ...options, parts });
  await warmTunnels(containersOf(engine, session), model);
  await awaitLeases(containersOf(engine, session), loaded, parts);
  return session;
}

/**
 * OVS's userspace tunnels drop a packet while they look up the remote endpoint's MAC. So that no
 * learner's (or check's) first packet is the one lost, every node asks its tunnel peers for their
 * MACs over the underlay once all are built: OVS learns them from the ARP replies crossing br-phy.
 * arping, not ping: a ping finds the peer's MAC already known from the peer's own request, so no
 * reply would come back to teach OVS. Best effort: a peer that does not answer is the checks' to report.
 */
async function warmTunnels(containers: Map<string, Docker.Container>, model: CloudModel): Promise<void> {
  await Promise.all(
    [...containers].flatMap(([node, container]) => {
      const peers = new Set(model.nodes.get(node)?.tunnels.map((t) => t.remoteIp) ?? []);
      return [...peers].map((ip) => execArgv(container, ['arping', '-c', '1', '-w', '1', '-I', 'br-phy', ip]).catch(() => undefined));
    }),
  );
}

/**
 * VMs that take their address by DHCP have one once their network's DHCP server runs, a second
 * later (their client asks every second). Booting and solving wait for that, as a
 * cloud is not up until its VMs have their addresses; a lease that does not come is left for
 * the check to report.
 */
async function awaitLeases(containers: Map<string, Docker.Container>, loaded: LoadedLab, built: readonly PlanPart[], timeoutMs = 10_000): Promise<void> {
  const model = resolveCloud(loaded.lab);
  const served = new Set(built.filter((p) => p.ref.kind === 'dhcp').map((p) => p.ref.subject));
  const waiting = model.ports.filter((p) => p.owner === 'vm' && p.dhcp && served.has(p.network.name));
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    waiting.map(async (vm) => {
      const container = containers.get(vm.node);
      if (!container) return;
      while (Date.now() < deadline) {
        // One read shows both: the subnet's route names the leased address (src), and the
        // default route comes last (the client's script sets it after the address).
        const routes = (await execArgv(container, ['ip', '-n', vm.name, '-4', 'route', 'show'])).stdout;
        const words = routes.split(/\s+/);
        if (words.some((w, i) => w === 'src' && words[i + 1] === vm.address) && /^default /m.test(routes)) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }),
  );
}

/** The lab a session was booted from: its file when it still exists, else the catalogue's lab of that id. */
export async function labOfSession(session: SessionStatus): Promise<LoadedLab> {
  if (session.labFile) {
    try {
      return await resolveLab(session.labFile);
    } catch (error) {
      if (session.lab === '?') throw error;
    }
  }
  return resolveLab(session.lab);
}

interface RunningLab {
  session: SessionStatus;
  loaded: LoadedLab;
  containers: Map<string, Docker.Container>;
}

async function runningLab(engine: Engine, name: string): Promise<RunningLab> {
  const session = await requireSession(engine, name);
  if (session.state !== 'running') {
    throw new AppError('state', `Lab "${name}" is ${session.state}${session.problems.length ? ` (${session.problems.join('; ')})` : ''}.`, {
      hint: session.state === 'broken' ? `Start it afresh: neutron-lab down ${name} && neutron-lab up ${session.lab}` : 'Wait until it has booted.',
    });
  }
  return { session, loaded: await labOfSession(session), containers: containersOf(engine, session) };
}

const containersOf = (engine: Engine, session: SessionStatus): Map<string, Docker.Container> =>
  new Map(session.nodes.map((n) => [n.name, engine.docker.getContainer(n.containerId)]));

function containerOf(containers: Map<string, Docker.Container>, node: string): Docker.Container {
  const container = containers.get(node);
  if (!container) throw new AppError('state', `Node ${node} is not part of this session.`);
  return container;
}

async function applyPerNode(containers: Map<string, Docker.Container>, parts: readonly PlanPart[]): Promise<number> {
  const nodes = [...new Set(parts.map((p) => p.ref.node))];
  const results = await Promise.all(
    nodes.map(async (node) => {
      return applyParts(containerOf(containers, node), node, parts.filter((p) => p.ref.node === node));
    }),
  );
  return results.reduce((sum, r) => sum + r.ran, 0);
}

// ---- check ------------------------------------------------------------------------------



export interface CheckOptions {
  store?: ProgressStore;
  language?: Language;
  /** Check only these objectives. */
  only?: readonly string[];
}

export async function checkLab(engine: Engine, name: string, options: CheckOptions = {}): Promise<CheckReport> {
  const started = performance.now();
  const { session, loaded, containers } = await runningLab(engine, name);
  const lab = loaded.lab;
  const model = resolveCloud(lab);
  const language = options.language ?? 'en';
  const progressRead = options.store ? await options.store.read(lab.id) : undefined;
  const progress = progressRead?.progress;

  const run: Runner = (node, argv, runOptions = {}) => {
    const container = containers.get(node);
    if (!container) throw new AppError('input', `no node "${node}" in this lab`);
    return execArgv(container, argv, runOptions);
  };
  const objectives = lab.steps.flatMap((step) => step.objectives.map((objective) => ({ step, objective })));
  if (options.only) {
    const unknown = options.only.filter((id) => !objectives.some(({ objective }) => objective.id === id));
    if (unknown.length) throw new AppError('input', `No objective ${unknown.join(', ')} in lab ${lab.id} (there: ${objectives.map(({ objective }) => objective.id).join(', ')}).`);
  }
  const chosen = options.only ? objectives.filter(({ objective }) => options.only?.includes(objective.id)) : objectives;

  // Probes first (their traffic shows in the state read next), then one snapshot per node.
  const probed = await runProbes(chosen.flatMap(({ objective }) => probesOf(objective.check)), model, run);
  // Only the nodes the objectives read (a node named twice is read once).
  const read = new Set(chosen.flatMap(({ objective }) => {
    try {
      return nodesRead(objective.check, model);
    } catch {
      return []; // a check naming an unknown VM fails on its own, with that message
    }
  }));
  const snapshots = new Map<string, NodeSnapshot>();
  await Promise.all(
    [...containers].filter(([node]) => read.has(node)).map(async ([node, container]) => {
      snapshots.set(node, await collectSnapshot(container, node));
    }),
  );
  const results = chosen.map(({ step, objective }): ObjectiveResult => {
    const outcome = evaluate(objective.check, { model, snapshots, probed });
    const used = progress?.hints[objective.id] ?? 0;
    const next: LocalizedText | undefined = objective.hints[Math.min(used, objective.hints.length - 1)];
    return {
      id: objective.id,
      title: textIn(objective.title, language),
      step: step.id,
      given: objective.given,
      ...outcome,
      ...(outcome.passed && objective.check.kind === 'measure' ? { measured: outcome.found } : {}),
      ...(!outcome.passed && next ? { hint: textIn(next, language) } : {}),
      hintsUsed: used,
      hintsTotal: objective.hints.length,
    };
  });

  const failedStep = lab.steps.findIndex((step) => step.objectives.some((o) => results.some((r) => r.id === o.id && !r.passed)));
  const currentStep = failedStep < 0 ? lab.steps.length : failedStep;
  const notices = progressRead?.problem ? [progressRead.problem] : [];
  if (options.store) {
    const now = new Date().toISOString();
    await options.store.update(lab.id, (p) => {
      for (const r of results) if (r.passed && !r.given && !p.objectives[r.id]) p.objectives[r.id] = { metAt: now };
      if (!options.only) p.currentStep = currentStep;
    });
  }
  return {
    session: session.name,
    lab: lab.id,
    passed: results.filter((r) => r.passed).length,
    total: results.length,
    objectives: results,
    currentStep,
    elapsedMs: Math.round(performance.now() - started),
    notices,
  };
}

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

// ---- solve and reset ----------------------------------------------------------------------


/**
 * Builds what the learner would: every learner part, or the state after step N (1-based):
 * the parts of steps 1 to N, since a step stands on the ones before it. Parts apply
 * idempotently, so what the learner already built right is left as it is. easyOVS actions
 * that objectives ask for are run too.
 */
export async function solveLab(engine: Engine, name: string, options: { step?: number } = {}): Promise<SolveResult> {
  const started = performance.now();
  const { session, loaded, containers } = await runningLab(engine, name);
  const lab = loaded.lab;
  if (options.step !== undefined && (options.step < 1 || options.step > lab.steps.length)) {
    throw new AppError('usage', `Lab ${lab.id} has steps 1 to ${lab.steps.length}; there is no step ${options.step}.`);
  }
  const steps = options.step === undefined ? undefined : Array.from({ length: options.step }, (_, i) => i);
  const model = resolveCloud(lab);
  const parts = solutionParts(lab, renderCloud(lab, model), steps);
  const commands = await applyPerNode(containers, parts);
  await awaitLeases(containers, loaded, parts);
  // Objectives met by running easyOVS actions: run them, after the parts they may look at.
  const solved = (steps ?? lab.steps.map((_, i) => i)).flatMap((i) => lab.steps[i]?.objectives ?? []).filter((o) => !o.given);
  const targetOf = (node: string) => ({ node, container: containerOf(containers, node), model });
  const ran = await runEasyOvsChecks(solved.flatMap((o) => easyOvsChecksOf(o.check)), targetOf);
  return { session: session.name, built: [...parts.map((p) => p.key), ...ran.map((r) => `easyovs ${r}`)], commands: commands + ran.length, elapsedMs: Math.round(performance.now() - started) };
}


/** Back to the boot state: each node clears what agents and learner built, then the boot parts are applied again. */
export async function resetLab(engine: Engine, name: string): Promise<ResetResult> {
  const started = performance.now();
  const session = await requireSession(engine, name);
  const loaded = await labOfSession(session);
  if (session.state !== 'running') {
    // A node died: only new containers help.
    await removeSession(engine, session.id);
    await startLab(engine, loaded, { name: session.name });
    return { session: name, recreated: true, elapsedMs: Math.round(performance.now() - started) };
  }
  const containers = containersOf(engine, session);
  const model = resolveCloud(loaded.lab);
  const parts = bootParts(loaded.lab, renderCloud(loaded.lab, model));
  await Promise.all(
    [...containers].map(async ([node, container]) => {
      const cleared = await execArgv(container, ['nl-reset']);
      if (cleared.exitCode !== 0) throw new AppError('failed', `Resetting node ${node} failed: ${cleared.stderr.trim() || `nl-reset exited ${cleared.exitCode}`}`);
      await applyParts(container, node, parts.filter((p) => p.ref.node === node));
    }),
  );
  await warmTunnels(containers, model);
  await awaitLeases(containers, loaded, parts);
  return { session: name, recreated: false, elapsedMs: Math.round(performance.now() - started) };
}
