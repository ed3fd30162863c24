import type { CloudModel, ResolvedPort } from '../cloud/model';
import { deviceName } from '../cloud/names';
import { AppError } from '../errors';
import { evaluateTable } from '../inspect/iptables/evaluate';
import { parseIptables } from '../inspect/iptables/parse';
import type { IptablesTable } from '../inspect/iptables/types';
import type { Runner } from './kinds/kind';
import { iptablesPacket, type WalkedAddresses } from './walk-packet';
import type { WalkFirewallLeg } from './walk-types';

/**
 * The security groups on a walk's way (walk.ts): a VM's frame crosses its Linux bridge qbr from
 * the tap to qvb as it leaves (and from qvb to the tap as it arrives), and the node's filter
 * table sees it there by physdev (the hybrid firewall driver). Each node's table is read once
 * per walk (`iptables-save -t filter`) and the packet evaluated through it from FORWARD.
 */

/**
 * The leg for a port's qbr crossing, `out` of its VM or `in` to it, with the packet's addresses
 * there (a router on the way may have NAT'd them); undefined when no rule met the frame.
 */
export type FirewallCrossing = (
  port: ResolvedPort,
  direction: 'out' | 'in',
  addresses: { src: string; dst: string },
) => Promise<WalkFirewallLeg | undefined>;

/** `from`: the VM that sends the walk's packet (its MAC is what the anti-spoofing rules see). */
export function firewallCrossing(
  model: CloudModel,
  run: Runner,
  from: ResolvedPort,
  proto: WalkedAddresses['proto'],
  port: number | undefined,
): FirewallCrossing {
  const tables = new Map<string, Promise<IptablesTable | undefined>>();
  const tableOf = (node: string) => {
    if (!tables.has(node)) tables.set(node, readFilterTable(run, node));
    return tables.get(node)!;
  };
  return async (vm, direction, addresses) => {
    if (vm.network.firewall !== 'hybrid' || !model.nodes.has(vm.node)) return undefined;
    const table = await tableOf(vm.node);
    if (!table) return undefined;
    const tap = deviceName('tap', vm.portId);
    const qvb = deviceName('qvb', vm.portId);
    const [physdevIn, physdevOut] = direction === 'out' ? [tap, qvb] : [qvb, tap];
    const packet = iptablesPacket({ proto, port, ...addresses }, { srcMac: from.mac, physdevIn, physdevOut });
    const evaluation = evaluateTable(table, 'FORWARD', packet);
    // Passed by the policy after nothing but the shared chains' jumps: no rule is about this port.
    if (evaluation.verdict === 'ACCEPT' && evaluation.steps.at(-1)?.rule.startsWith('-P ')) return undefined;
    return {
      kind: 'iptables',
      node: vm.node,
      bridge: deviceName('qbr', vm.portId),
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
