import { applyParts } from '../cloud/apply';
import type { Engine } from '../docker/engine';
import { execArgv } from '../docker/exec';
import { AppError } from '../errors';
import { resolveLab } from '../lab/catalog';
import { bootParts } from '../lab/parts';
import { requireSession } from '../session/sessions';
import { removeSession } from '../session/teardown';
import type { ResetResult } from './results';
import { faultToMake, runFault } from './faults';
import { containersOf, labOfSession, pinLab } from './running-lab';
import { awaitLeases, warmTunnels } from './settle';
import { startLab } from './start';

/**
 * Back to the boot state: each node clears what agents and learner built, then the boot parts are
 * applied again (a sandbox's: those of its file's cloud, before any openstack call). A break-fix lab's fault is made again: the same one; with `another`, another
 * drawn; with `fault`, that one.
 */
export async function resetLab(engine: Engine, name: string, options: { another?: boolean; fault?: string } = {}): Promise<ResetResult> {
  const started = performance.now();
  const session = await requireSession(engine, name);
  let { loaded, model, plan, fault: made } = await labOfSession(session);
  // A sandbox's pin follows its openstack calls: its boot state is its file's cloud, pinned again.
  if (loaded.lab.sandbox) ({ loaded, model, plan, fault: made } = await pinLab(session, await resolveLab(loaded.file)));
  const fault =
    options.fault !== undefined || options.another || !made
      ? faultToMake(loaded.lab, options.fault === undefined ? {} : { fault: options.fault }, made?.name)
      : made.name;
  if (session.state !== 'running') {
    // A node died: only new containers help.
    await removeSession(engine, session.id);
    await startLab(engine, loaded, { name: session.name, ...(fault === undefined ? {} : { fault: { fault } }) });
    return { session: name, recreated: true, elapsedMs: Math.round(performance.now() - started) };
  }
  const containers = containersOf(engine, session);
  const parts = bootParts(loaded.lab, plan);
  await Promise.all(
    [...containers].map(async ([node, container]) => {
      const cleared = await execArgv(container, ['nl-reset']);
      if (cleared.exitCode !== 0)
        throw new AppError('failed', `Resetting node ${node} failed: ${cleared.stderr.trim() || `nl-reset exited ${cleared.exitCode}`}`);
      await applyParts(
        container,
        node,
        parts.filter((p) => p.ref.node === node),
      );
    }),
  );
  await warmTunnels(containers, model);
  await awaitLeases(containers, model, parts);
  if (fault !== undefined) {
    const pinned = fault === made?.name ? made : (await pinLab(session, loaded, fault)).fault;
    if (pinned) await runFault(containers, pinned.name, pinned.fault, 'break');
  }
  return { session: name, recreated: false, elapsedMs: Math.round(performance.now() - started) };
}
