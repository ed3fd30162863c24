import type Docker from 'dockerode';
import { applyParts } from '../cloud/apply';
import type { PlanPart } from '../cloud/plan';
import type { Engine } from '../docker/engine';
import { AppError } from '../errors';
import { resolveLab } from '../lab/catalog';
import type { LoadedLab } from '../lab/load';
import { requireSession, type SessionStatus } from '../session/sessions';

/** A booted lab as check, solve, reset and easyOVS find it: its session, its lab and its nodes' containers. */

export interface RunningLab {
  session: SessionStatus;
  loaded: LoadedLab;
  containers: Map<string, Docker.Container>;
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

/** The session called `name`, which must be running. */
export async function runningLab(engine: Engine, name: string): Promise<RunningLab> {
  const session = await requireSession(engine, name);
  if (session.state !== 'running') {
    throw new AppError('state', `Lab "${name}" is ${session.state}${session.problems.length ? ` (${session.problems.join('; ')})` : ''}.`, {
      hint: session.state === 'broken' ? `Start it afresh: neutron-lab down ${name} && neutron-lab up ${session.lab}${name === session.lab ? '' : ` --name ${name}`}` : 'Wait until it has booted.',
    });
  }
  return { session, loaded: await labOfSession(session), containers: containersOf(engine, session) };
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
    nodes.map((node) => applyParts(containerOf(containers, node), node, parts.filter((p) => p.ref.node === node))),
  );
  return results.reduce((sum, r) => sum + r.ran, 0);
}
