import type { CloudModel, NamespacePort, NodeModel, ResolvedRouter } from '../model';
import { deviceName } from '../names';
import { part, type PlanPart, type Step } from '../plan';
import { ref } from './ovs-agent';
import { DVR_TABLES, TUNNEL_TABLES } from './tunnel-flows';

/**
 * What Juno's OVS agent adds when it binds ports on a subnet a distributed router serves
 * (OVSDVRNeutronAgent, book §分布式路由 "流表规则"). Every host has the same qr- port, so:
 *
 *   br-tun table 1 (DVR process), for each qr- port on the host:
 *     priority 3: ARP for the gateway address never leaves the host (the local router answers);
 *     priority 2: frames to the gateway MAC never leave it either;
 *     priority 1: frames the router sends get the host's DVR MAC as source, then go on to table 2.
 *   br-int table 1 (DVR to source MAC), for frames from another host's DVR MAC:
 *     priority 4, per local port on the subnet: the gateway MAC back as source, out to the port;
 *     priority 2: the same for anything to the subnet, out to all of them.
 *
 * The SNAT node binds its sg- ports the same way (./dvr-l3-agent.ts, snatPart).
 * Ports are named (qvo…, sg-…); ovs-ofctl turns names into numbers.
 */

/** br-int's DVR_TO_SRC_MAC flows for the given ports of one subnet (VMs' qvo…, or sg-…). */
export function toSourceMacFlows(lvid: number, gateway: NamespacePort, ports: { mac: string; device: string }[]): string[] {
  const flows = ports.map(
    (p) =>
      `table=${DVR_TABLES.toSrcMac},priority=4,dl_vlan=${lvid},dl_dst=${p.mac},actions=strip_vlan,mod_dl_src:${gateway.mac},output:${p.device}`,
  );
  if (ports.length > 0) {
    const outputs = ports.map((p) => `output:${p.device}`).join(',');
    flows.push(
      `table=${DVR_TABLES.toSrcMac},priority=2,ip,dl_vlan=${lvid},nw_dst=${gateway.subnet.cidr},actions=strip_vlan,mod_dl_src:${gateway.mac},${outputs}`,
    );
  }
  return flows;
}

/** The flows for the distributed routers on this host, per bridge. */
function dvrFlows(model: CloudModel, node: NodeModel): { tun: string[]; int: string[] } {
  const tun: string[] = [];
  const int: string[] = [];
  const dvrMac = node.dvrMac as string;
  for (const router of hostedRouters(model, node)) {
    for (const qr of router.interfaces) {
      const lvid = node.localVlans.get(qr.network.name);
      if (lvid === undefined) continue;
      tun.push(
        `table=${DVR_TABLES.process},priority=3,arp,dl_vlan=${lvid},arp_tpa=${qr.address},actions=drop`,
        `table=${DVR_TABLES.process},priority=2,dl_vlan=${lvid},dl_dst=${qr.mac},actions=drop`,
        `table=${DVR_TABLES.process},priority=1,dl_vlan=${lvid},dl_src=${qr.mac},actions=mod_dl_src:${dvrMac},resubmit(,${TUNNEL_TABLES.juno.patchLvToTun})`,
      );
      const local = model.ports.filter((p) => p.owner === 'vm' && p.node === node.name && p.subnet === qr.subnet);
      int.push(
        ...toSourceMacFlows(
          lvid,
          qr,
          local.map((p) => ({ mac: p.mac, device: deviceName('qvo', p.portId) })),
        ),
      );
    }
  }
  return { tun, int };
}

export function hostedRouters(model: CloudModel, node: NodeModel): ResolvedRouter[] {
  return model.routers.filter((r) => r.distributed && r.hosts.includes(node.name));
}

export function dvrFlowsPart(model: CloudModel, node: NodeModel): PlanPart {
  const { tun, int } = dvrFlows(model, node);
  const steps: Step[] = [
    { argv: ['ovs-ofctl', 'add-flows', 'br-tun', '-'], input: `${tun.join('\n')}\n` },
    ...(int.length > 0 ? [{ argv: ['ovs-ofctl', 'add-flows', 'br-int', '-'], input: `${int.join('\n')}\n` }] : []),
    // The agent binds these before any traffic flows. In the lab a learner may have pinged first:
    // then another host's router answered too, and br-int learned the gateway MAC on patch-tun.
    { argv: ['ovs-appctl', 'fdb/flush', 'br-int'] },
  ];
  const vms = model.ports.filter((p) => p.owner === 'vm' && p.node === node.name);
  return part(
    ref(node, 'dvr-flows'),
    `DVR flows for ${hostedRouters(model, node)
      .map((r) => r.name)
      .join(
        ', ',
      )}: br-tun table 1 keeps the gateway local and sends routed frames from ${node.dvrMac}; br-int table 1 gives frames from other hosts the gateway MAC back`,
    [ref(node, 'tunnel-flows'), ...vms.map((vm) => ref(node, 'vm', vm.name))],
    steps,
  );
}
