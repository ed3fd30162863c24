import { portChains } from '../cloud/agents/security-groups';
import type { CloudModel } from '../cloud/model';
import { flowLine, matchText } from '../inspect/flows/format';
import type { Flow } from '../inspect/flows/types';
import type { IptablesRule } from '../inspect/iptables/types';
import { formatRule } from '../inspect/iptables/format';
import type { NodeSnapshot } from '../inspect/snapshot/types';
import type { BridgeSummary, PortView, VmRules } from './types';

/**
 * What easyOVS showed (book §easyOVS), read from a node's snapshot and the lab's cloud: the
 * bridges, each port with its VLAN tag and the Neutron port behind it (a VM's IP and MAC), a
 * bridge's flows numbered so one can be deleted by its number, and the security-group rules
 * that apply to a VM's address. Pure: the CLI and the app's inspector both use it.
 */

export function listBridges(snapshot: NodeSnapshot): BridgeSummary[] {
  return snapshot.ovs.bridges.map((b) => ({
    name: b.name,
    ports: b.ports.length,
    flows: snapshot.flows[b.name]?.length ?? 0,
    failMode: b.failMode,
  }));
}

/** Neutron port id → who holds it, with its address and MAC. */
function neutronPorts(model: CloudModel): Map<string, { owner: string; address: string; mac: string }> {
  const ports = new Map<string, { owner: string; address: string; mac: string }>();
  for (const p of model.ports)
    ports.set(p.portId, { owner: p.owner === 'vm' ? p.name : `DHCP of ${p.network.name}`, address: p.address, mac: p.mac });
  for (const r of model.routers) {
    for (const i of r.interfaces) ports.set(i.portId, { owner: `${r.name} (${i.device})`, address: i.address, mac: i.mac });
    if (r.gateway)
      ports.set(r.gateway.portId, { owner: `${r.name} (${r.gateway.device})`, address: r.gateway.address, mac: r.gateway.mac });
  }
  for (const pool of model.pools)
    ports.set(pool.vip.portId, { owner: `VIP of ${pool.name}`, address: pool.vip.address, mac: pool.vip.mac });
  return ports;
}

/** `show <bridge>`: every port with its OpenFlow number, VLAN tag, type, and the Neutron port behind it. */
export function showBridge(snapshot: NodeSnapshot, model: CloudModel, bridgeName: string): PortView[] | undefined {
  const bridge = snapshot.ovs.bridges.find((b) => b.name === bridgeName);
  if (!bridge) return undefined;
  const owners = neutronPorts(model);
  return bridge.ports
    .map((port): PortView => {
      const iface = port.interfaces[0];
      const owner = owners.get(iface?.externalIds['iface-id'] ?? '');
      return {
        port: port.name,
        ofport: iface?.ofport,
        tag: port.tag,
        type: iface?.type || 'system',
        owner: owner?.owner,
        address: owner?.address,
        mac: owner?.mac ?? iface?.externalIds['attached-mac'],
      };
    })
    .sort((a, b) => (a.ofport ?? 1e9) - (b.ofport ?? 1e9));
}

export interface NumberedFlow {
  /** 0-based, in dump order sorted by table then priority (highest first): what `delflow` takes. */
  id: number;
  flow: Flow;
}

/**
 * `dump <bridge>`: the flows numbered. The same flows always get the same numbers: ties are
 * broken by match and actions, never by the printed text, whose age and counters change between
 * the dump a learner reads and the delflow that uses its numbers.
 */
export function numberFlows(flows: readonly Flow[]): NumberedFlow[] {
  return [...flows]
    .sort((a, b) => Number(a.table) - Number(b.table) || b.priority - a.priority || flowLine(a).localeCompare(flowLine(b)))
    .map((flow, id) => ({ id, flow }));
}

/** The flow's exact identity for `ovs-ofctl --strict del-flows`: table, priority and match. */
export function strictMatch(flow: Flow): string {
  return [`table=${flow.table}`, `priority=${flow.priority}`, ...(flow.match.length ? [matchText(flow.match)] : [])].join(',');
}

/** `ipt <vm-ip>`: the security-group rules that apply to the VM with this address, on its node. */
export function vmRules(snapshot: NodeSnapshot, model: CloudModel, address: string): VmRules | undefined {
  const port = model.ports.find((p) => p.owner === 'vm' && p.address === address && p.node === snapshot.node);
  if (!port) return undefined;
  const filter = snapshot.namespaces.find((n) => n.name === '')?.iptables.tables.find((t) => t.name === 'filter');
  const names = portChains(port);
  const rulesOf = (name: string) =>
    (filter?.chains.find((c) => c.name === name)?.rules ?? []).map((r: IptablesRule) => ({
      packets: r.packets ?? 0,
      bytes: r.bytes ?? 0,
      rule: formatRule(r),
    }));
  return {
    vm: port.name,
    address: port.address,
    mac: port.mac,
    node: port.node,
    chains: [
      { chain: names.ingress, direction: 'ingress', rules: rulesOf(names.ingress) },
      { chain: names.egress, direction: 'egress', rules: rulesOf(names.egress) },
      { chain: names.spoof, direction: 'anti-spoofing', rules: rulesOf(names.spoof) },
    ],
  };
}
