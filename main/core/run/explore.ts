import { applyParts } from '../cloud/apply';
import { planChanges } from '../cloud/diff';
import { renderCloud } from '../cloud/render';
import { CloudSchema } from '../cloud/schema';
import type { Engine } from '../docker/engine';
import { AppError } from '../errors';
import { neutronClient } from '../explore/neutron-client';
import { openstack } from '../explore/openstack';
import { diffSnapshots } from '../inspect/snapshot/diff';
import { collectSnapshot } from '../inspect/snapshot/snapshot';
import { formatPath } from '../lab/load';
import { solutionParts } from '../lab/parts';
import type { Lab } from '../lab/schema';
import { validateLab } from '../lab/validate';
import type { ExploreResult } from './results';
import { containerOf, pinLab, runningLab } from './running-lab';

/**
 * Explore mode: an `openstack` command against a running lab's cloud. The sandbox's server
 * answers it; when it changed the cloud, the agents render the difference on the nodes that
 * host it (cloud/diff) and the session is pinned to the new cloud, so check, walk, reset and
 * the next call all see it. Calls to one session run one at a time.
 */

const queues = new Map<string, Promise<unknown>>();

/** `diff`: each changed node's snapshot before and after, diffed (what the agents did, in the node's own terms). */
export function exploreLab(
  engine: Engine,
  name: string,
  argv: readonly string[],
  options: { diff?: boolean } = {},
): Promise<ExploreResult> {
  const before = queues.get(name) ?? Promise.resolve();
  const call = before.catch(() => undefined).then(() => callOnce(engine, name, argv, options.diff ?? false));
  queues.set(name, call);
  // Forgotten once done, either way (finally() would hand its rejection on, unhandled).
  const forget = () => {
    if (queues.get(name) === call) queues.delete(name);
  };
  call.then(forget, forget);
  return call;
}

async function callOnce(engine: Engine, name: string, argv: readonly string[], diff: boolean): Promise<ExploreResult> {
  const started = performance.now();
  const running = await runningLab(engine, name);
  const lab = running.loaded.lab;
  const left = solutionParts(lab, running.plan);
  if (left.length > 0 || running.fault) {
    throw new AppError(
      'state',
      `Lab ${lab.id} leaves ${running.fault ? 'a fault' : `${left.length} parts`} to you: its cloud is not yours to change.`,
      {
        hint: 'Explore the sandbox: neutron-lab up explore',
      },
    );
  }
  // `neutron VERB …`: the legacy client's verbs, the same calls.
  const answer = argv[0] === 'neutron' ? neutronClient(lab, argv.slice(1)) : openstack(lab, argv);
  // The call and the agents' work; the snapshots of a diff asked for are not theirs.
  let snapshotting = 0;
  const elapsed = () => Math.round(performance.now() - started - snapshotting);
  if (!answer.cloud) return { ...answer, agents: [], vms: vmsOf(lab), elapsedMs: elapsed() };

  const next: Lab = { ...lab, cloud: CloudSchema.parse(answer.cloud) };
  // What the server allowed, the lab's own rules may not (an address the topology holds): refused, as the server would.
  const refused = validateLab(next, undefined).filter((p) => p.severity === 'error');
  if (refused.length > 0) {
    const why = refused.map((p) => `${p.message} (${formatPath(p.path)})`).join('; ');
    return {
      exitCode: 1,
      stdout: '',
      stderr: `BadRequestException: Invalid input for operation: ${why}\n`,
      agents: [],
      vms: vmsOf(lab),
      elapsedMs: elapsed(),
    };
  }
  const changes = planChanges(running.plan, renderCloud(next));
  const snapshots = async () => {
    const from = performance.now();
    const taken = await Promise.all(changes.map((c) => collectSnapshot(containerOf(running.containers, c.node), c.node)));
    snapshotting += performance.now() - from;
    return taken;
  };
  const before = diff ? await snapshots() : [];
  await Promise.all(
    changes.map((change) =>
      applyParts(containerOf(running.containers, change.node), change.node, [{ key: `${change.node}/agents`, steps: change.steps }]),
    ),
  );
  const after = diff ? await snapshots() : [];
  const diffs = after.map((snapshot, i) => diffSnapshots(before[i]!, snapshot));
  await pinLab(running.session, { ...running.loaded, lab: next });
  return {
    exitCode: 0,
    stdout: answer.stdout,
    stderr: answer.stderr,
    agents: changes.map((c, i) => ({
      node: c.node,
      added: c.added,
      removed: c.removed,
      changed: c.changed,
      commands: c.steps.length,
      ...(diffs[i] ? { diff: diffs[i] } : {}),
    })),
    vms: vmsOf(next),
    elapsedMs: elapsed(),
  };
}

const vmsOf = (lab: Lab): ExploreResult['vms'] =>
  Object.entries(lab.cloud.vms).map(([name, vm]) => ({ name, node: vm.node, address: vm.address }));
