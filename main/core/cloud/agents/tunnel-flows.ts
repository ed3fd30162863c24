import type { CloudModel, NodeModel, ResolvedNetwork } from '../model';
import { hex } from '../names';

/**
 * br-tun's flow tables as the OVS agent of the lab's release writes them (NEUTRON-NOTES.md):
 *
 *   Icehouse (the book's GRE dump):  0 classify · 1 unicast/flood · 2 GRE→LV · 3 VXLAN→LV ·
 *                                    10 learn · 20 unicast · 21 flood
 *   Juno and later (its VXLAN dump): 0 classify · 2 unicast/flood · 3 GRE→LV · 4 VXLAN→LV ·
 *                                    10 learn · 20 unicast · 22 flood
 *   With distributed routing (Juno's OVSDVRNeutronAgent, book §分布式路由): from br-int through
 *   1 DVR process (./dvr-flows.ts) to 2; from tunnels through 9 DVR not-learn, where frames
 *   from another host's DVR MAC go straight to br-int, unlearned, and the rest to 10.
 *   With l2population: a unicast flow in 20 per remote port, floods only to the nodes that
 *   have ports on the network.
 *
 * Flows name ports (patch-int, gre-1); ovs-ofctl turns the names into the numbers a dump shows.
 */

export const TUNNEL_TABLES = {
  icehouse: { patchLvToTun: 1, gre: 2, vxlan: 3, learn: 10, unicast: 20, flood: 21 },
  juno: { patchLvToTun: 2, gre: 3, vxlan: 4, learn: 10, unicast: 20, flood: 22 },
} as const;

/** The DVR tables (Juno's constants.py): br-tun's DVR_PROCESS and DVR_NOT_LEARN, br-int's DVR_TO_SRC_MAC. */
export const DVR_TABLES = { process: 1, notLearn: 9, toSrcMac: 1 } as const;

/** The learn action of table 10: reply traffic to this MAC goes back out of the tunnel it came in on. */
export const LEARN_FROM_TUNNEL =
  'learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:NXM_OF_IN_PORT[])';

export function tunnelFlows(model: CloudModel, node: NodeModel): string[] {
  const t = model.junoOrLater ? TUNNEL_TABLES.juno : TUNNEL_TABLES.icehouse;
  const flows: string[] = [];
  const add = (flow: string) => flows.push(flow);

  // A node has a DVR MAC exactly when distributed routing is on.
  const dvr = node.dvrMac !== undefined;
  add(`table=0,priority=1,in_port=patch-int,actions=resubmit(,${dvr ? DVR_TABLES.process : t.patchLvToTun})`);
  for (const tunnel of node.tunnels) add(`table=0,priority=1,in_port=${tunnel.name},actions=resubmit(,${t[tunnel.type]})`);
  add('table=0,priority=0,actions=drop');

  if (dvr) {
    add(`table=${DVR_TABLES.process},priority=0,actions=resubmit(,${t.patchLvToTun})`);
    // Frames routed on another host carry its DVR MAC: to br-int as they are, never learned.
    for (const mac of remoteDvrMacs(model, node)) add(`table=${DVR_TABLES.notLearn},priority=1,dl_src=${mac},actions=output:patch-int`);
    add(`table=${DVR_TABLES.notLearn},priority=0,actions=resubmit(,${t.learn})`);
  }
  add(`table=${t.patchLvToTun},priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00,actions=resubmit(,${t.unicast})`);
  add(`table=${t.patchLvToTun},priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=resubmit(,${t.flood})`);

  const tunnelled = tunnelledNetworks(model, node);
  for (const type of ['gre', 'vxlan'] as const) {
    for (const { network, lvid } of tunnelled) {
      if (network?.type === type)
        add(
          `table=${t[type]},priority=1,tun_id=${hex(network.segment as number)},actions=mod_vlan_vid:${lvid},resubmit(,${dvr ? DVR_TABLES.notLearn : t.learn})`,
        );
    }
    add(`table=${t[type]},priority=0,actions=drop`);
  }

  add(`table=${t.learn},priority=1,actions=${LEARN_FROM_TUNNEL},output:patch-int`);
  add(`table=${t.unicast},priority=0,actions=resubmit(,${t.flood})`);
  if (model.l2population) {
    // l2population's forwarding entries: each remote port's MAC, straight to its host's tunnel.
    for (const { network, lvid } of tunnelled) {
      for (const port of remotePorts(model, node, network as ResolvedNetwork)) {
        add(
          `table=${t.unicast},priority=2,dl_vlan=${lvid},dl_dst=${port.mac},actions=strip_vlan,set_tunnel:${hex(network?.segment as number)},output:${port.tunnel}`,
        );
      }
    }
  }

  for (const { network, lvid } of tunnelled) {
    const reaches = (remoteNode: string) => !model.l2population || model.nodes.get(remoteNode)?.localVlans.has(network?.name ?? '');
    const outputs = node.tunnels
      .filter((tunnel) => tunnel.type === network?.type && reaches(tunnel.remoteNode))
      .map((tunnel) => `output:${tunnel.name}`);
    if (outputs.length === 0) continue;
    // Juno's agent writes the flood flow without a priority (OpenFlow's default, 32768), and
    // the book's dump shows it so.
    const priority = model.junoOrLater ? '' : 'priority=1,';
    add(
      `table=${t.flood},${priority}dl_vlan=${lvid},actions=strip_vlan,set_tunnel:${hex(network?.segment as number)},${outputs.join(',')}`,
    );
  }
  add(`table=${t.flood},priority=0,actions=drop`);
  return flows;
}

/** The DVR MACs of every other agent node (the agent's registered_dvr_macs). */
export function remoteDvrMacs(model: CloudModel, node: NodeModel): string[] {
  return [...model.nodes.values()].flatMap((other) => (other !== node && other.dvrMac ? [other.dvrMac] : []));
}

/**
 * The ports of a network on other nodes, as l2population announces them (MAC, and the tunnel to
 * their host): VMs, DHCP ports, centralised routers' qr- ports, SNAT sg- ports, VIPs. A
 * distributed router's qr- ports are on every host and never announced.
 */
export function remotePorts(
  model: CloudModel,
  node: NodeModel,
  network: ResolvedNetwork,
): { mac: string; address: string; tunnel: string }[] {
  const ports: { node: string; mac: string; address: string }[] = [
    ...model.ports.filter((p) => p.network === network),
    ...model.routers.flatMap((r) => [
      ...(r.distributed ? [] : r.interfaces.filter((i) => i.network === network).map((i) => ({ ...i, node: r.node }))),
      ...r.snatPorts.filter((p) => p.network === network).map((p) => ({ ...p, node: r.node })),
    ]),
    ...model.pools.filter((p) => p.network === network).map((p) => ({ ...p.vip, node: p.node })),
  ];
  return ports.flatMap((port) => {
    const tunnel = port.node === node.name ? undefined : node.tunnels.find((t) => t.remoteNode === port.node && t.type === network.type);
    return tunnel ? [{ mac: port.mac, address: port.address, tunnel: tunnel.name }] : [];
  });
}

/** A node's tunnelled networks with their local VLANs there. */
export function tunnelledNetworks(model: CloudModel, node: NodeModel): { network: ResolvedNetwork; lvid: number }[] {
  return [...node.localVlans].flatMap(([name, lvid]) => {
    const network = model.networks.get(name);
    return network && (network.type === 'gre' || network.type === 'vxlan') && network.segment !== undefined ? [{ network, lvid }] : [];
  });
}
