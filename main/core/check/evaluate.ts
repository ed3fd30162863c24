import type { FollowResult } from '../capture/types';
import type { CloudModel } from '../cloud/model';
import { AppError, toAppError } from '../errors';
import type { NodeSnapshot } from '../inspect/snapshot/types';
import { orderOf, runProbe, type ProbeContext, type Runner } from './probes';
import { isComposite, subchecks } from './composite';
import { ACTIVE_KINDS, type Check, type ProbeCheck, type StateCheck } from './schema';
import { evaluateState, readsNamespace, readsOvsOnly, type Outcome, type Where } from './state';
import type { VmPacketAsk } from './vm-packet';
import { walkLab } from './walk';

/**
 * A check round in two passes. First every probe of every objective runs, all in parallel (they
 * send traffic, so state read afterwards shows its effects: learned flows, neighbours, counters).
 * Then one snapshot per node is taken and each objective's tree is evaluated against it, with
 * the probes' outcomes in place; all/any/not say which part decided.
 */

export function probesOf(check: Check): ProbeCheck[] {
  if (isComposite(check)) return subchecks(check).flatMap(probesOf);
  return ACTIVE_KINDS.has(check.kind) ? [check as ProbeCheck] : [];
}

/** Follows a VM's packet in the running lab: what the follow check asks of the lab (run/follow.ts). */
export type Follower = (ask: VmPacketAsk) => Promise<FollowResult>;

export async function runProbes(
  checks: readonly ProbeCheck[],
  model: CloudModel,
  run: Runner,
  follow: Follower,
): Promise<Map<Check, Outcome>> {
  const ctx = probeContext(model, run, follow);
  const probe = async (check: ProbeCheck): Promise<[Check, Outcome]> => [
    check,
    await runProbe(check, ctx).catch((error: unknown) => couldNotRun(check, error)),
  ];
  // Each kind says when it runs (its module's `order`): DHCP first, as a VM asks for its address
  // before it talks; then all other probes at once; last and one at a time, those that need the
  // lab to themselves: outages stop what the others use, counters that must stay flat would
  // count the others' traffic, and measurements would measure the others' load.
  const leases = await Promise.all(checks.filter((c) => orderOf(c) === 'first').map(probe));
  const others = await Promise.all(checks.filter((c) => orderOf(c) === 'together').map(probe));
  const last: [Check, Outcome][] = [];
  for (const check of checks.filter((c) => orderOf(c) === 'alone')) last.push(await probe(check));
  return new Map([...leases, ...others, ...last]);
}

export interface EvaluationContext {
  model: CloudModel;
  snapshots: ReadonlyMap<string, NodeSnapshot>;
  probed: ReadonlyMap<Check, Outcome>;
}

export function evaluate(check: Check, ctx: EvaluationContext): Outcome {
  try {
    return evaluateUnsafe(check, ctx);
  } catch (error) {
    return couldNotRun(check, error);
  }
}

function evaluateUnsafe(check: Check, ctx: EvaluationContext): Outcome {
  switch (check.kind) {
    case 'all': {
      const outcomes = check.of.map((c) => evaluate(c, ctx));
      const failed = outcomes.find((o) => !o.passed);
      return (
        failed ?? { passed: true, expected: outcomes.map((o) => o.expected).join('; and '), found: outcomes.map((o) => o.found).join('; ') }
      );
    }
    case 'any': {
      const outcomes = check.of.map((c) => evaluate(c, ctx));
      const passed = outcomes.find((o) => o.passed);
      return (
        passed ?? { passed: false, expected: outcomes.map((o) => o.expected).join('; or '), found: outcomes.map((o) => o.found).join('; ') }
      );
    }
    case 'not': {
      const inner = evaluate(check.check, ctx);
      return { passed: !inner.passed, expected: `not: ${inner.expected}`, found: inner.found };
    }
    case 'repaired': {
      // What the fault's check looks for would name the fault: the learner sees only whether.
      const expected = 'the cause of the fault repaired, not only its symptom';
      if (!check.check) return { passed: false, expected, found: 'this lab was booted without a fault to repair' };
      const inner = evaluate(check.check, ctx);
      return { passed: inner.passed, expected, found: inner.passed ? 'repaired' : 'the cause is still there' };
    }
  }
  if (ACTIVE_KINDS.has(check.kind)) {
    const outcome = ctx.probed.get(check);
    if (!outcome) throw new AppError('internal', `the ${check.kind} probe did not run`);
    return outcome;
  }
  const state = check as StateCheck;
  const where = whereOf(state, ctx.model);
  const snapshot = ctx.snapshots.get(where.node);
  if (!snapshot) return { passed: false, expected: describeCheck(check), found: `node ${where.node} could not be read` };
  return evaluateState(state, snapshot, where);
}

function couldNotRun(check: Check, error: unknown): Outcome {
  return { passed: false, expected: describeCheck(check), found: `the check could not run: ${toAppError(error).message}` };
}

function whereOf(check: StateCheck, model: CloudModel): Where {
  if ('vm' in check && check.vm) {
    const port = model.ports.find((p) => p.owner === 'vm' && p.name === check.vm);
    if (!port) throw new AppError('input', `no VM "${check.vm}" in the lab's cloud`);
    return { node: port.node, namespace: check.namespace ?? port.name };
  }
  const namespace = readsNamespace(check) && 'namespace' in check ? (check.namespace ?? '') : '';
  if (!check.node) throw new AppError('input', `the ${check.kind} check names neither a node nor a VM`);
  return { node: check.node, namespace };
}

function probeContext(model: CloudModel, run: Runner, follow: Follower): ProbeContext {
  const vm = (name: string) => {
    const port = model.ports.find((p) => p.owner === 'vm' && p.name === name);
    if (!port) throw new AppError('input', `no VM "${name}" in the lab's cloud`);
    return { node: port.node, namespace: port.name, address: port.address, dhcp: port.dhcp, http: port.http };
  };
  const ctx: ProbeContext = {
    run,
    vm,
    where: (place) =>
      place.vm ? { node: vm(place.vm).node, namespace: place.vm } : { node: place.node ?? '', namespace: place.namespace ?? '' },
    address: (target) => (/^\d+\.\d+\.\d+\.\d+$/.test(target) ? target : vm(target).address),
    // Traffic and an outage's checks are probes of the registered kinds (their schemas say which).
    probe: (check) => runProbe(check as ProbeCheck, ctx),
    walk: (ask) => walkLab(model, run, model.labId, ask),
    follow,
  };
  return ctx;
}

/** The nodes whose snapshot a check reads (probes read none: they run their own commands). */
export function nodesRead(check: Check, model: CloudModel): string[] {
  return snapshotsRead(check, model).map((read) => read.node);
}

/** What of a node's snapshot a check needs: its OVS part alone, or all of it. */
export type SnapshotScope = 'ovs' | 'all';

/** Each node a check reads, and how much of its snapshot (in tree order; a node may repeat). */
export function snapshotsRead(check: Check, model: CloudModel): { node: string; scope: SnapshotScope }[] {
  if (isComposite(check)) return subchecks(check).flatMap((c) => snapshotsRead(c, model));
  if (ACTIVE_KINDS.has(check.kind)) return [];
  const state = check as StateCheck;
  return [{ node: whereOf(state, model).node, scope: readsOvsOnly(state) ? 'ovs' : 'all' }];
}

export function describeCheck(check: Check): string {
  const { kind, ...rest } = check;
  return `${kind} ${JSON.stringify(rest)}`;
}
