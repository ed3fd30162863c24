import type { CloudModel, NodeModel } from '../model';
import { hex } from '../names';

/**
 * br-tun's flow tables as the OVS agent of the lab's release writes them (NEUTRON-NOTES.md):
 *
 *   Icehouse (the book's GRE dump):  0 classify · 1 unicast/flood · 2 GRE→LV · 3 VXLAN→LV ·
 *                                    10 learn · 20 unicast · 21 flood
 *   Juno and later (its VXLAN dump): 0 classify · 2 unicast/flood · 3 GRE→LV · 4 VXLAN→LV ·
 *                                    10 learn · 20 unicast · 22 flood
 *
 * Flows name ports (patch-int, gre-1); ovs-ofctl turns the names into the numbers a dump shows.
 */

export const TUNNEL_TABLES = {
  icehouse: { patchLvToTun: 1, gre: 2, vxlan: 3, learn: 10, unicast: 20, flood: 21 },
  juno: { patchLvToTun: 2, gre: 3, vxlan: 4, learn: 10, unicast: 20, flood: 22 },
} as const;

/** The learn action of table 10: reply traffic to this MAC goes back out of the tunnel it came in on. */
export const LEARN_FROM_TUNNEL =
  'learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:NXM_OF_IN_PORT[])';

export function tunnelFlows(model: CloudModel, node: NodeModel): string[] {
  const t = model.junoOrLater ? TUNNEL_TABLES.juno : TUNNEL_TABLES.icehouse;
  const flows: string[] = [];
  const add = (flow: string) => flows.push(flow);

  add(`table=0,priority=1,in_port=patch-int,actions=resubmit(,${t.patchLvToTun})`);
  for (const tunnel of node.tunnels) add(`table=0,priority=1,in_port=${tunnel.name},actions=resubmit(,${t[tunnel.type]})`);
  add('table=0,priority=0,actions=drop');

  add(`table=${t.patchLvToTun},priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00,actions=resubmit(,${t.unicast})`);
  add(`table=${t.patchLvToTun},priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=resubmit(,${t.flood})`);

  const tunnelled = [...node.localVlans]
    .map(([name, lvid]) => ({ network: model.networks.get(name), lvid }))
    .filter((n) => n.network && (n.network.type === 'gre' || n.network.type === 'vxlan') && n.network.segment !== undefined);
  for (const type of ['gre', 'vxlan'] as const) {
    for (const { network, lvid } of tunnelled) {
      if (network?.type === type) add(`table=${t[type]},priority=1,tun_id=${hex(network.segment as number)},actions=mod_vlan_vid:${lvid},resubmit(,${t.learn})`);
    }
    add(`table=${t[type]},priority=0,actions=drop`);
  }

  add(`table=${t.learn},priority=1,actions=${LEARN_FROM_TUNNEL},output:patch-int`);
  add(`table=${t.unicast},priority=0,actions=resubmit(,${t.flood})`);

  for (const { network, lvid } of tunnelled) {
    const outputs = node.tunnels.filter((tunnel) => tunnel.type === network?.type).map((tunnel) => `output:${tunnel.name}`);
    if (outputs.length === 0) continue;
    // Juno's agent writes the flood flow without a priority (OpenFlow's default, 32768), and
    // the book's dump shows it so.
    const priority = model.junoOrLater ? '' : 'priority=1,';
    add(`table=${t.flood},${priority}dl_vlan=${lvid},actions=strip_vlan,set_tunnel:${hex(network?.segment as number)},${outputs.join(',')}`);
  }
  add(`table=${t.flood},priority=0,actions=drop`);
  return flows;
}
