import type Docker from 'dockerode';
import { resolveCloud, type CloudModel } from '../cloud/model';
import type { Engine } from '../docker/engine';
import { execArgv, type ExecResult } from '../docker/exec';
import { AppError } from '../errors';
import { collectSnapshot } from '../inspect/snapshot/snapshot';
import type { NodeSnapshot } from '../inspect/snapshot/types';
import { labOfSession } from '../lab/lifecycle';
import { nodeContainer, requireSession } from '../session/sessions';
import { numberFlows, strictMatch, type NumberedFlow } from './views';

/**
 * easyOVS's actions on a live node of a running lab: read the node (its snapshot and the lab's
 * cloud, for the views), add a flow, delete flows by the numbers `dump` gave them.
 */

export interface OvsTarget {
  node: string;
  container: Docker.Container;
  model: CloudModel;
}

export async function ovsTarget(engine: Engine, sessionName: string, node: string): Promise<OvsTarget> {
  const session = await requireSession(engine, sessionName);
  const container = nodeContainer(engine, session, node);
  return { node, container, model: resolveCloud((await labOfSession(session)).lab) };
}

export const readNode = (target: OvsTarget): Promise<NodeSnapshot> => collectSnapshot(target.container, target.node);

/** A clear error for a bridge the node does not have (asked only once ovs-ofctl failed). */
async function requireBridge(target: OvsTarget, bridge: string): Promise<void> {
  if ((await execArgv(target.container, ['ovs-vsctl', 'br-exists', bridge])).exitCode === 0) return;
  const bridges = (await execArgv(target.container, ['ovs-vsctl', 'list-br'])).stdout.trim().split('\n').filter(Boolean);
  throw new AppError('input', `No bridge "${bridge}" on ${target.node} (there: ${bridges.join(', ') || 'none'}).`);
}

/** ovs-ofctl, in OpenFlow 1.0 unless the bridge speaks only 1.3 (as the nl-snapshot dump does). */
async function ofctl(container: Docker.Container, args: string[]): Promise<ExecResult> {
  const first = await execArgv(container, ['ovs-ofctl', ...args]);
  if (first.exitCode === 0 || !/version negotiation failed/i.test(first.stderr)) return first;
  return execArgv(container, ['ovs-ofctl', '-O', 'OpenFlow13', ...args]);
}

/** `addflow <bridge> <flow>`: the flow as ovs-ofctl add-flow reads it, one argument. */
export async function addFlow(target: OvsTarget, bridge: string, flow: string): Promise<void> {
  const result = await ofctl(target.container, ['add-flow', bridge, flow]);
  if (result.exitCode === 0) return;
  await requireBridge(target, bridge);
  throw new AppError('input', `ovs-ofctl could not add "${flow}" to ${bridge}: ${result.stderr.trim().split('\n')[0]}`);
}

/** `delflow <bridge> <id…>`: deletes exactly the flows `dump` numbered so (every number is checked first). */
export async function deleteFlows(target: OvsTarget, bridge: string, ids: readonly number[]): Promise<NumberedFlow[]> {
  const snapshot = await readNode(target);
  if (!snapshot.ovs.bridges.some((b) => b.name === bridge)) await requireBridge(target, bridge);
  const numbered = numberFlows(snapshot.flows[bridge] ?? []);
  const unknown = ids.filter((id) => !numbered[id]);
  if (unknown.length > 0) throw new AppError('input', `${bridge} has no flow ${unknown.join(', ')} (its flows are 0-${numbered.length - 1}; see dump).`);
  const chosen = ids.map((id) => numbered[id] as NumberedFlow);
  for (const { flow } of chosen) {
    const result = await ofctl(target.container, ['--strict', 'del-flows', bridge, strictMatch(flow)]);
    if (result.exitCode !== 0) throw new AppError('internal', `ovs-ofctl could not delete "${strictMatch(flow)}": ${result.stderr.trim().split('\n')[0]}`);
  }
  return chosen;
}
