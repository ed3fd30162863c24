import { parseIpv4 } from '../../net/ipv4';
import type { CloudModel, NodeModel } from '../model';
import { hex } from '../names';
import { part, type PlanPart } from '../plan';
import { ref } from './ovs-agent';
import { remotePorts, TUNNEL_TABLES, tunnelledNetworks } from './tunnel-flows';

/**
 * Juno's ARP responder (the OVS agent's `arp_responder = True`, with l2population): br-tun's
 * table 2 sends a VM's ARP broadcasts to table 21, where l2population's entry for each remote
 * port turns the request into its reply and sends it back in (IN_PORT); what table 21 does not
 * know floods on, as before (22). The actions are the agent's ARP_RESPONDER_ACTIONS.
 */

const ARP_RESPONDER = 21;

/** Table 21's answer for `address` at `mac`: the request's sender becomes the target, the port the sender. */
export function arpReply(mac: string, address: string): string {
  const ip = parseIpv4(address) as number;
  return [
    'move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]',
    `mod_dl_src:${mac}`,
    'load:0x2->NXM_OF_ARP_OP[]',
    'move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[]',
    'move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[]',
    `load:0x${mac.replaceAll(':', '')}->NXM_NX_ARP_SHA[]`,
    `load:0x${ip.toString(16)}->NXM_OF_ARP_SPA[]`,
    'IN_PORT',
  ].join(',');
}

export function arpResponderFlows(model: CloudModel, node: NodeModel): string[] {
  const t = TUNNEL_TABLES.juno;
  const flows = [
    `table=${t.patchLvToTun},priority=1,arp,dl_dst=ff:ff:ff:ff:ff:ff,actions=resubmit(,${ARP_RESPONDER})`,
    `table=${ARP_RESPONDER},priority=0,actions=resubmit(,${t.flood})`,
  ];
  for (const { network, lvid } of tunnelledNetworks(model, node)) {
    for (const port of remotePorts(model, node, network)) {
      flows.push(
        `table=${ARP_RESPONDER},priority=1,arp,dl_vlan=${lvid},arp_tpa=${port.address},actions=${arpReply(port.mac, port.address)}`,
      );
    }
  }
  return flows;
}

export function arpResponderPart(model: CloudModel, node: NodeModel): PlanPart {
  const flows = arpResponderFlows(model, node);
  return part(
    ref(node, 'arp-responder'),
    `br-tun's ARP responder: table 21 answers for ${flows.length - 2} remote ports (${[...new Set(tunnelledNetworks(model, node).map((n) => hex(n.network.segment as number)))].join(', ')})`,
    [ref(node, 'tunnel-flows')],
    [{ argv: ['ovs-ofctl', 'add-flows', 'br-tun', '-'], input: `${flows.join('\n')}\n` }],
  );
}
