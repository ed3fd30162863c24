import type { CloudModel, ResolvedPort } from '../cloud/model';
import { deviceName } from '../cloud/names';
import { AppError } from '../errors';
import { evaluateTable } from '../inspect/iptables/evaluate';
import { parseIptables } from '../inspect/iptables/parse';
import type { IptablesTable } from '../inspect/iptables/types';
import type { Runner } from './kinds/kind';
import { iptablesPacket } from './walk-packet';
import type { WalkFirewallLeg } from './walk-types';

/**
 * The security groups on a walk's way (walk.ts): a VM's frame crosses its Linux bridge qbr from
 * the tap to qvb as it leaves (and from qvb to the tap as it arrives), and the node's filter
 * table sees it there by physdev (the hybrid firewall driver). Each node's table is read once
 * per walk (`iptables-save -t filter`) and the packet evaluated through it from FORWARD.
 */

export interface WalkedPacket {
  from: ResolvedPort;
  to: string;
  proto: 'icmp' | 'tcp' | 'http';
  port: number | undefined;
}

/**
 * The leg for a port's qbr crossing, `out` of its VM or `in` to it; undefined when no rule met the
 * frame. `addresses`: the packet's as it arrives, when a router NAT'd it on the way (default: the
 * VM's and the target's).
 */
export type FirewallCrossing = (
  port: ResolvedPort,
  direction: 'out' | 'in',
  addresses?: { src: string; dst: string },
) => Promise<WalkFirewallLeg | undefined>;

export function firewallCrossing(model: CloudModel, run: Runner, walked: WalkedPacket): FirewallCrossing {
  const tables = new Map<string, Promise<IptablesTable | undefined>>();
  const tableOf = (node: string) => {
    if (!tables.has(node)) tables.set(node, readFilterTable(run, node));
    return tables.get(node)!;
  };
  return async (port, direction, addresses = { src: walked.from.address, dst: walked.to }) => {
    if (port.network.firewall !== 'hybrid' || !model.nodes.has(port.node)) return undefined;
    const table = await tableOf(port.node);
    if (!table) return undefined;
    const tap = deviceName('tap', port.portId);
    const qvb = deviceName('qvb', port.portId);
    const [physdevIn, physdevOut] = direction === 'out' ? [tap, qvb] : [qvb, tap];
    const packet = iptablesPacket(
      { proto: walked.proto, port: walked.port, ...addresses },
      { srcMac: walked.from.mac, physdevIn, physdevOut },
    );
    const evaluation = evaluateTable(table, 'FORWARD', packet);
    // Passed by the policy after nothing but the shared chains' jumps: no rule is about this port.
    if (evaluation.verdict === 'ACCEPT' && evaluation.steps.at(-1)?.rule.startsWith('-P ')) return undefined;
    return {
      kind: 'iptables',
      node: port.node,
      bridge: deviceName('qbr', port.portId),
      crossing: `${physdevIn} → ${physdevOut}`,
      ...evaluation,
    };
  };
}

async function readFilterTable(run: Runner, node: string): Promise<IptablesTable | undefined> {
  const saved = await run(node, ['iptables-save', '-t', 'filter']);
  if (saved.exitCode !== 0) {
    throw new AppError('failed', `Reading ${node}'s iptables for the walk failed: ${saved.stderr.trim() || `exit ${saved.exitCode}`}`);
  }
  return parseIptables(saved.stdout, `${node}: iptables-save -t filter`).tables.find((t) => t.name === 'filter');
}
