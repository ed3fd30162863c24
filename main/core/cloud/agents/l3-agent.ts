import { inNamespace } from '../../docker/exec';
import type { CloudModel, ExternalPort, NodeModel, ResolvedRouter } from '../model';
import { part, vsctl, type PlanPart, type Step } from '../plan';
import { plugInternalPort } from './internal-port';
import { createNamespace } from './namespace';
import { ensureRule } from './iptables-steps';
import { ref } from './ovs-agent';

/**
 * What the L3 agent builds for a centralised router on the network node (book §路由服务): the
 * namespace qrouter-<id> with a qr- port on br-int per tenant subnet (the subnet's gateway
 * address) and a qg- port on br-ex (the router's external address and default route), and the
 * nat table that SNATs the tenant subnets to the qg address. A floating IP adds its address
 * to qg- and a DNAT/SNAT pair.
 * The ports are OVS internal ports moved into the namespace (./internal-port.ts).
 */

export const routerNamespace = (router: ResolvedRouter): string => `qrouter-${router.id}`;

/** The nat table the agent writes, in iptables-save form, as `iptables -t nat -S` prints it in the book. */
export function routerNatTable(router: ResolvedRouter): string {
  return natTable(
    router.chainPrefix,
    router.gateway && {
      device: router.gateway.device,
      snat: { to: router.gateway.address, from: router.interfaces.map((i) => i.subnet.cidr) },
    },
  );
}

/**
 * A router namespace's nat table: the agent's wrapped chains, the metadata redirect and, when
 * the namespace has a way out (`outward`: qg-, or a distributed router's rfp-), the rule that
 * keeps traffic not leaving by it untouched, and the tenant subnets' SNAT (`snat`) if it does it.
 */
export function natTable(p: string, outward: { device: string; snat?: { to: string; from: string[] } } | undefined): string {
  const lines = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':neutron-postrouting-bottom - [0:0]',
    `:${p}-OUTPUT - [0:0]`,
    `:${p}-POSTROUTING - [0:0]`,
    `:${p}-PREROUTING - [0:0]`,
    `:${p}-float-snat - [0:0]`,
    `:${p}-snat - [0:0]`,
    `-A PREROUTING -j ${p}-PREROUTING`,
    `-A OUTPUT -j ${p}-OUTPUT`,
    `-A POSTROUTING -j ${p}-POSTROUTING`,
    '-A POSTROUTING -j neutron-postrouting-bottom',
    `-A neutron-postrouting-bottom -j ${p}-snat`,
  ];
  if (outward) {
    const dev = outward.device;
    // Traffic that is not leaving by the way out (east-west between the router's subnets) keeps its addresses.
    lines.push(`-A ${p}-POSTROUTING ! -i ${dev} ! -o ${dev} -m conntrack ! --ctstate DNAT -j ACCEPT`);
  }
  // The metadata service's address, redirected to the proxy's port (./metadata.ts: a lab with cloud.metadata runs it).
  lines.push(`-A ${p}-PREROUTING -d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697`);
  lines.push(`-A ${p}-snat -j ${p}-float-snat`);
  for (const cidr of outward?.snat?.from ?? []) lines.push(`-A ${p}-snat -s ${cidr} -j SNAT --to-source ${outward?.snat?.to}`);
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}

/** The DNAT/SNAT rules of one floating IP, in the order the agent adds them. */
export function floatingIpRules(router: ResolvedRouter, fip: { address: string; fixed: string }): string[][] {
  const p = router.chainPrefix;
  return [
    ['-A', `${p}-OUTPUT`, '-d', `${fip.address}/32`, '-j', 'DNAT', '--to-destination', fip.fixed],
    ['-A', `${p}-PREROUTING`, '-d', `${fip.address}/32`, '-j', 'DNAT', '--to-destination', fip.fixed],
    ['-A', `${p}-float-snat`, '-s', `${fip.fixed}/32`, '-j', 'SNAT', '--to-source', fip.address],
  ];
}

/** br-ex: the external network's bridge, owning the node's NIC on it (Icehouse's external_network_bridge). */
export function externalBridge(gateway: ExternalPort): Step {
  return {
    argv: vsctl(
      ['--may-exist', 'add-br', gateway.bridge],
      ['set', 'bridge', gateway.bridge, 'datapath_type=netdev'],
      ...(gateway.nic ? [['--may-exist', 'add-port', gateway.bridge, gateway.nic]] : []),
    ),
  };
}

export function routerPart(model: CloudModel, node: NodeModel, router: ResolvedRouter): PlanPart {
  const ns = routerNamespace(router);
  const steps: Step[] = [...createNamespace(ns)];
  for (const iface of router.interfaces) steps.push(...plugInternalPort(ns, 'br-int', iface, node.localVlans.get(iface.network.name)));
  const gateway = router.gateway;
  if (gateway) {
    steps.push(externalBridge(gateway));
    steps.push(...plugInternalPort(ns, gateway.bridge, gateway, undefined));
    steps.push({ argv: inNamespace(['ip', 'route', 'replace', 'default', 'via', gateway.nexthop, 'dev', gateway.device], ns) });
  }
  steps.push({ argv: inNamespace(['iptables-restore'], ns), input: routerNatTable(router) });
  const ports = [...router.interfaces.map((i) => `${i.device} ${i.address}`), ...(gateway ? [`${gateway.device} ${gateway.address}`] : [])];
  return part(
    ref(node, 'router', router.name),
    `router ${router.name}: ${ns} with ${ports.join(', ')}${gateway ? `, SNAT to ${gateway.address}` : ''}`,
    [ref(node, 'integration-bridge')],
    steps,
  );
}

export function floatingIpPart(
  model: CloudModel,
  node: NodeModel,
  router: ResolvedRouter,
  fip: ResolvedRouter['floatingIps'][number],
): PlanPart {
  const ns = routerNamespace(router);
  const steps: Step[] = [];
  if (router.gateway) steps.push({ argv: inNamespace(['ip', 'addr', 'replace', `${fip.address}/32`, 'dev', router.gateway.device], ns) });
  for (const rule of floatingIpRules(router, fip)) steps.push(ensureRule(rule, { table: 'nat', namespace: ns }));
  return part(
    ref(node, 'floating-ip', fip.vm),
    `floating IP ${fip.address} → ${fip.vm} (${fip.fixed}) on ${router.name}`,
    [ref(node, 'router', router.name)],
    steps,
  );
}
