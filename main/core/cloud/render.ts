import { firewallPart } from './agents/fwaas-agent';
import { arpResponderPart } from './agents/arp-responder';
import { dvrFlowsPart, hostedRouters } from './agents/dvr-flows';
import { distributedFloatingIpPart, distributedRouterPart, fipNamespacePart, snatPart } from './agents/dvr-l3-agent';
import { floatingIpPart, routerPart } from './agents/l3-agent';
import { linuxBridgePart } from './agents/linuxbridge-agent';
import { poolPart } from './agents/lbaas-agent';
import { metadataAgentPart, metadataProxyPart, metadataServicePart } from './agents/metadata';
import { dhcpMtuPart, dhcpPart, vmPart } from './agents/ports';
import { securityGroupPart } from './agents/security-groups';
import { integrationBridge, physicalBridge, ref, tunnelBridge, tunnelFlowsPart, vlanFlowsPart } from './agents/ovs-agent';
import { resolveCloud, type CloudModel } from './model';
import { part, type CloudPlan, type PlanPart } from './plan';
import type { CloudSource } from './schema';

/**
 * Renders a lab's cloud into the parts Neutron's agents would build on each node, in the order
 * they apply. Pure: the same lab always gives the same plan.
 */
export function renderCloud(lab: CloudSource, model: CloudModel = resolveCloud(lab)): CloudPlan {
  const parts: PlanPart[] = [];
  // The agents build their bridges once the cloud has a network, or could have one (a sandbox
  // that starts empty: its tunnel network or physical networks are set).
  const hasNetworks = model.networks.size > 0 || lab.cloud.tunnelNetwork !== undefined || Object.keys(lab.cloud.physnets).length > 0;
  const metadata = model.metadata;
  const metadataNode = metadata && model.nodes.get(metadata.node);
  if (metadata && metadataNode) parts.push(metadataServicePart(model, metadataNode, metadata));
  for (const node of model.nodes.values()) {
    if (!node.agents || !hasNetworks) continue;
    if (node.underlay) {
      // The container's stand-in for a host NIC that carries tunnels (DESIGN.md §3): br-phy owns
      // the tunnel address so the userspace datapath can route encapsulated packets.
      parts.push(
        part(
          ref(node, 'underlay'),
          `br-phy owning ${node.underlay.cidr} (userspace tunnels)`,
          [],
          [{ argv: ['nl-underlay', node.underlay.interface, node.underlay.cidr] }],
        ),
      );
    }
    parts.push(integrationBridge(model, node));
    if (node.tunnels.length > 0) parts.push(tunnelBridge(model, node), tunnelFlowsPart(model, node));
    if (node.tunnels.length > 0 && model.arpResponder) parts.push(arpResponderPart(model, node));
    if (node.physicalBridges.length > 0) parts.push(physicalBridge(model, node), vlanFlowsPart(model, node));
    for (const network of model.networks.values()) {
      if (network.agent === 'linuxbridge' && model.ports.some((p) => p.node === node.name && p.network === network))
        parts.push(linuxBridgePart(model, node, network));
    }
    for (const port of model.ports) {
      if (port.node !== node.name) continue;
      parts.push(port.owner === 'dhcp' ? dhcpPart(model, node, port) : vmPart(model, node, port));
      const advertised = port.owner === 'dhcp' ? dhcpMtuPart(node, port) : undefined;
      if (advertised) parts.push(advertised);
      if (port.securityGroups.length > 0) parts.push(securityGroupPart(model, node, port));
    }
    const centralised = model.routers.filter((r) => !r.distributed && r.node === node.name);
    if (metadata && centralised.length > 0) parts.push(metadataAgentPart(node, metadata));
    for (const router of centralised) {
      parts.push(routerPart(model, node, router));
      if (metadata) parts.push(metadataProxyPart(node, router));
      for (const fip of router.floatingIps) parts.push(floatingIpPart(model, node, router, fip));
      for (const firewall of model.firewalls) if (firewall.router === router) parts.push(firewallPart(model, node, firewall));
    }
    const distributed = hostedRouters(model, node);
    if (distributed.length > 0) parts.push(dvrFlowsPart(model, node));
    for (const router of distributed) parts.push(distributedRouterPart(model, node, router));
    if (node.fipGateway) parts.push(fipNamespacePart(model, node));
    for (const router of distributed) {
      for (const fip of router.floatingIps) if (fip.node === node.name) parts.push(distributedFloatingIpPart(model, node, router, fip));
    }
    for (const router of model.routers)
      if (router.distributed && router.node === node.name && router.snatPorts.length > 0) parts.push(snatPart(model, node, router));
    for (const pool of model.pools) if (pool.node === node.name) parts.push(poolPart(model, node, pool));
  }
  return { parts };
}
