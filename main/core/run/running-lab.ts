import { dirname } from 'node:path';
import type Docker from 'dockerode';
import { applyParts } from '../cloud/apply';
import { resolveCloud, type CloudModel } from '../cloud/model';
import type { PlanPart } from '../cloud/plan';
import { renderCloud } from '../cloud/render';
import type { Engine } from '../docker/engine';
import { AppError } from '../errors';
import { labWithFault } from '../lab/faults';
import type { LoadedLab } from '../lab/load';
import type { Fault } from '../lab/schema';
import { fileChangedSince, pinStamp, readPin, writePin } from '../session/pin';
import { requireSession, type SessionStatus } from '../session/sessions';

/** A booted lab as check, solve, reset and easyOVS find it: its session, its lab and its nodes' containers. */

export interface RunningLab extends LabInUse {
  session: SessionStatus;
  containers: Map<string, Docker.Container>;
}

/** The lab a session runs and its cloud, resolved and rendered once from it. */
export interface LabInUse {
  /** The lab as booted: with a break-fix lab's fault in its `repaired` checks. */
  loaded: LoadedLab;
  model: CloudModel;
  plan: ReturnType<typeof renderCloud>;
  /** A break-fix lab's fault made at boot. */
  fault?: { name: string; fault: Fault };
}

/**
 * Labs in use by session id, with the version of the pin each was read from. A pin changes only
 * through this module (a reset's new fault, an explore call's cloud), but in any process: the
 * app keeps serving a sandbox whose cloud a `neutron-lab openstack` just changed. So what was
 * read serves while the pin's stamp (a stat) is the same. Bounded: an app that runs for days and
 * boots hundreds of labs keeps the last ones — as many as a full workshop runs (200 seats), or
 * its background rounds would read every pin from disk again each time.
 */
const inUse = new Map<string, { stamp: string | undefined; lab: LabInUse }>();
const IN_USE_KEPT = 256;

/** Keeps the lab of pin version `stamp` (pinStamp) in use. */
function remember(sessionId: string, stamp: string | undefined, loaded: LoadedLab, fault: string | undefined): LabInUse {
  const lab = inUseOf(loaded, fault);
  inUse.delete(sessionId); // the newest last: the bound drops the oldest first
  inUse.set(sessionId, { stamp, lab });
  for (const id of inUse.keys()) if (inUse.size > IN_USE_KEPT) inUse.delete(id);
  return lab;
}

function inUseOf(loaded: LoadedLab, faultName: string | undefined): LabInUse {
  const model = resolveCloud(loaded.lab);
  const fault = faultName === undefined ? undefined : loaded.lab.faults[faultName];
  return {
    loaded: { ...loaded, lab: labWithFault(loaded.lab, faultName) },
    model,
    plan: renderCloud(loaded.lab, model),
    ...(fault ? { fault: { name: faultName as string, fault } } : {}),
  };
}

/**
 * At `up` (and at a reset that draws another fault): pins the session to the lab it was booted
 * from and its fault (see session/pin), and keeps it in use.
 */
export async function pinLab(session: SessionStatus, loaded: LoadedLab, fault?: string): Promise<LabInUse> {
  // The lab as its file says it, whatever fault it was given before (a reset's new draw).
  const lab = labWithFault(loaded.lab, undefined);
  await writePin({ sessionId: session.id, file: loaded.file, sha256: loaded.sha256, lab, ...(fault === undefined ? {} : { fault }) });
  return remember(session.id, await pinStamp(session.id), { ...loaded, lab }, fault);
}

/**
 * The lab a session was booted from: its pin. A session without one (booted by an older
 * version, or by a process with another data folder) falls back to its file when it still
 * exists, else the catalogue's lab of that id, read afresh each time as before pinning.
 */
export async function labOfSession(session: SessionStatus): Promise<LabInUse> {
  // A stat, not a read: another process may have pinned the session anew since (an explore call).
  const stamp = await pinStamp(session.id);
  const known = inUse.get(session.id);
  if (known && stamp !== undefined && known.stamp === stamp) return known.lab;
  const pin = await readPin(session.id);
  if (pin)
    return remember(
      session.id,
      stamp,
      { lab: pin.lab, file: pin.file, dir: dirname(pin.file), warnings: [], sha256: pin.sha256 },
      pin.fault,
    );
  // Without a pin the fault drawn is not known: a repaired check then fails, saying so.
  return inUseOf(await labFromFile(session), undefined);
}

/** Loads the lab file's parser only here: `up` pins what it boots and never reads a file again. */
async function labFromFile(session: SessionStatus): Promise<LoadedLab> {
  const { resolveLab } = await import('../lab/catalog');
  if (session.labFile) {
    try {
      return await resolveLab(session.labFile);
    } catch (error) {
      if (session.lab === '?') throw error;
    }
  }
  return resolveLab(session.lab);
}

/** Whether the session's lab file changed since it booted; undefined for a session without a pin. */
export async function labFileChanged(session: SessionStatus): Promise<boolean | undefined> {
  const known = inUse.get(session.id)?.lab;
  const pin = known ? { file: known.loaded.file, sha256: known.loaded.sha256 } : await readPin(session.id);
  return pin ? fileChangedSince(pin) : undefined;
}

/** The session called `name`, which must be running. */
export async function runningLab(engine: Engine, name: string): Promise<RunningLab> {
  const session = await requireSession(engine, name);
  if (session.state !== 'running') {
    throw new AppError('state', `Lab "${name}" is ${session.state}${session.problems.length ? ` (${session.problems.join('; ')})` : ''}.`, {
      hint:
        session.state === 'broken'
          ? `Start it afresh: neutron-lab down ${name} && neutron-lab up ${session.lab}${name === session.lab ? '' : ` --name ${name}`}`
          : 'Wait until it has booted.',
    });
  }
  return { session, ...(await labOfSession(session)), containers: containersOf(engine, session) };
}

export const containersOf = (engine: Engine, session: SessionStatus): Map<string, Docker.Container> =>
  new Map(session.nodes.map((n) => [n.name, engine.docker.getContainer(n.containerId)]));

export function containerOf(containers: Map<string, Docker.Container>, node: string): Docker.Container {
  const container = containers.get(node);
  if (!container) throw new AppError('state', `Node ${node} is not part of this session.`);
  return container;
}

/** Applies each node's parts, the nodes in parallel; returns how many commands ran. */
export async function applyPerNode(containers: Map<string, Docker.Container>, parts: readonly PlanPart[]): Promise<number> {
  const nodes = [...new Set(parts.map((p) => p.ref.node))];
  const results = await Promise.all(
    nodes.map((node) =>
      applyParts(
        containerOf(containers, node),
        node,
        parts.filter((p) => p.ref.node === node),
      ),
    ),
  );
  return results.reduce((sum, r) => sum + r.ran, 0);
}
