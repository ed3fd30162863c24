import type Docker from 'dockerode';
import type { CloudModel } from '../cloud/model';
import { execArgv, type ExecResult } from '../docker/exec';
import { AppError } from '../errors';
import { flowLine } from '../inspect/flows/format';
import type { PortMap } from '../inspect/flows/normalize';
import type { Flow } from '../inspect/flows/types';
import { portMapOf } from '../inspect/ovsdb/parse';
import { collectSnapshot } from '../inspect/snapshot/snapshot';
import type { EasyOvsRecord, NodeSnapshot } from '../inspect/snapshot/types';
import type { DumpRow, OvsRequest, OvsResult } from './types';
import { listBridges, numberFlows, showBridge, strictMatch, vmRules, type NumberedFlow } from './views';

/**
 * easyOVS's actions on a live node of a running lab (book §easyOVS), one entry point for the
 * CLI, the app's inspector and `solve`: read the node and show a view, add a flow, delete flows
 * by the numbers `dump` gave them. Each action that succeeds is recorded on the node
 * (nl-easyovs-log), so the easyOVS tour's objectives can check that the learner ran it.
 */

export interface OvsTarget {
  node: string;
  container: Docker.Container;
  model: CloudModel;
}

export async function runOvsAction(target: OvsTarget, request: OvsRequest): Promise<OvsResult> {
  const result = await perform(target, request);
  await record(target, result);
  return result;
}

async function perform(target: OvsTarget, request: OvsRequest): Promise<OvsResult> {
  switch (request.action) {
    case 'list':
      return { action: 'list', bridges: listBridges(await readNode(target)) };
    case 'show': {
      const ports = showBridge(await readNode(target), target.model, request.bridge);
      if (!ports) return noBridge(target, request.bridge);
      return { action: 'show', bridge: request.bridge, ports };
    }
    case 'dump':
      return { action: 'dump', bridge: request.bridge, flows: await numberedFlows(target, request.bridge) };
    case 'addflow':
      return { action: 'addflow', bridge: request.bridge, flow: request.flow, added: await addFlow(target, request.bridge, request.flow) };
    case 'delflow':
      return { action: 'delflow', bridge: request.bridge, deleted: await deleteFlows(target, request.bridge, request.ids) };
    case 'ipt': {
      if (request.addresses.length === 0) throw new AppError('usage', 'ipt needs the address of a VM.');
      const snapshot = await readNode(target, 'all');
      const vms = request.addresses.map((address) => {
        const rules = vmRules(snapshot, target.model, address);
        if (rules) return rules;
        const here = target.model.ports.filter((p) => p.owner === 'vm' && p.node === target.node).map((p) => `${p.name} ${p.address}`);
        throw new AppError('input', `No VM at ${address} on ${target.node} (there: ${here.join(', ') || 'none'}).`);
      });
      return { action: 'ipt', vms };
    }
  }
}

/** What the node keeps of an action: enough for an objective to say which one ran, on what. */
async function record(target: OvsTarget, result: OvsResult): Promise<void> {
  const entry: EasyOvsRecord = { action: result.action, at: Date.now() / 1000 };
  if ('bridge' in result) entry.bridge = result.bridge;
  if (result.action === 'ipt') entry.addresses = result.vms.map((vm) => vm.address);
  // An add that replaced its identical twin shows no new flow: then the flow as given, in dump form.
  if (result.action === 'addflow')
    entry.flows = result.added.length
      ? result.added.map((f) => f.text.trim())
      : [result.flow.replace(/^(.*?)[,\s]\s*actions\s*=/, '$1 actions=')];
  if (result.action === 'delflow') entry.flows = result.deleted.map((row) => row.flow.text.trim());
  const written = await execArgv(target.container, ['nl-easyovs-log', JSON.stringify(entry)]);
  if (written.exitCode !== 0)
    throw new AppError('failed', `Recording the ${result.action} on ${target.node} failed: ${written.stderr.trim()}`);
}

/** The node as the actions read it: OVS alone, unless the action needs the iptables too (ipt). */
const readNode = (target: OvsTarget, scope: 'all' | 'ovs' = 'ovs'): Promise<NodeSnapshot> =>
  collectSnapshot(target.container, target.node, scope);

async function noBridge(target: OvsTarget, bridge: string): Promise<never> {
  const bridges = (await execArgv(target.container, ['ovs-vsctl', 'list-br'])).stdout.trim().split('\n').filter(Boolean);
  throw new AppError('input', `No bridge "${bridge}" on ${target.node} (there: ${bridges.join(', ') || 'none'}).`);
}

/** A bridge's flows numbered as `dump` numbers them, and its ports by number, without recording a dump (solve finds what to delete with it). */
export async function bridgeFlows(target: OvsTarget, bridge: string): Promise<{ rows: DumpRow[]; ports: PortMap }> {
  const snapshot = await readNode(target);
  const found = snapshot.ovs.bridges.find((b) => b.name === bridge);
  if (!found) return noBridge(target, bridge);
  return { rows: numberFlows(snapshot.flows[bridge] ?? []).map(dumpRow), ports: portMapOf(found) };
}

const numberedFlows = async (target: OvsTarget, bridge: string): Promise<DumpRow[]> => (await bridgeFlows(target, bridge)).rows;

const dumpRow = ({ id, flow }: NumberedFlow): DumpRow => ({
  id,
  table: flow.table,
  priority: flow.priority,
  packets: flow.packets ?? 0,
  flow,
});

/** ovs-ofctl, in OpenFlow 1.0 unless the bridge speaks only 1.3 (as the nl-snapshot dump does). */
async function ofctl(container: Docker.Container, args: string[]): Promise<ExecResult> {
  const first = await execArgv(container, ['ovs-ofctl', ...args]);
  if (first.exitCode === 0 || !/version negotiation failed/i.test(first.stderr)) return first;
  return execArgv(container, ['ovs-ofctl', '-O', 'OpenFlow13', ...args]);
}

/** `addflow <bridge> <flow>`: the flow as ovs-ofctl add-flow reads it. Returns the flows that appeared (none when it replaced its twin). */
async function addFlow(target: OvsTarget, bridge: string, flow: string): Promise<Flow[]> {
  const before = await numberedFlows(target, bridge);
  const result = await ofctl(target.container, ['add-flow', bridge, flow]);
  if (result.exitCode !== 0)
    throw new AppError('input', `ovs-ofctl could not add "${flow}" to ${bridge}: ${result.stderr.trim().split('\n')[0]}`);
  const known = new Set(before.map((row) => flowLine(row.flow)));
  return (await numberedFlows(target, bridge)).map((row) => row.flow).filter((f) => !known.has(flowLine(f)));
}

/** `delflow <bridge> <id…>`: deletes exactly the flows `dump` numbered so (every number is checked first). */
async function deleteFlows(target: OvsTarget, bridge: string, ids: readonly number[]): Promise<DumpRow[]> {
  if (ids.length === 0) throw new AppError('usage', 'delflow needs the numbers of the flows to delete (dump prints them).');
  const numbered = await numberedFlows(target, bridge);
  const unknown = ids.filter((id) => !numbered[id]);
  if (unknown.length > 0) {
    const range = numbered.length === 0 ? 'it has no flows' : `its flows are 0-${numbered.length - 1}; see dump`;
    throw new AppError('input', `${bridge} has no flow ${unknown.join(', ')} (${range}).`);
  }
  const chosen = ids.map((id) => numbered[id] as DumpRow);
  for (const { flow } of chosen) {
    const result = await ofctl(target.container, ['--strict', 'del-flows', bridge, strictMatch(flow)]);
    if (result.exitCode !== 0)
      throw new AppError('internal', `ovs-ofctl could not delete "${strictMatch(flow)}": ${result.stderr.trim().split('\n')[0]}`);
  }
  return chosen;
}
