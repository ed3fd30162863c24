import { inNamespace } from '../../docker/exec';
import { parseIpv4 } from '../../net/ipv4';
import type { CloudModel, ExternalPort, NodeModel, ResolvedRouter } from '../model';
import { part, type PlanPart, type Step } from '../plan';
import { toSourceMacFlows } from './dvr-flows';
import { plugInternalPort } from './internal-port';
import { createNamespace, sysctl } from './namespace';
import { ensureRule } from './iptables-steps';
import { externalBridge, floatingIpRules, natTable, routerNamespace } from './l3-agent';
import { ref } from './ovs-agent';

/**
 * What Juno's L3 agent builds for a distributed router (book §分布式路由, NEUTRON-NOTES.md):
 *
 *   on each compute (agent_mode dvr): qrouter-<id> with the same qr- ports (address and MAC)
 *     as every other host, permanent ARP entries for every port on its subnets (no router ARPs
 *     across hosts), and per subnet a rule sending what has no better route to the subnet's
 *     SNAT port (table = the qr address as a number, as the agent numbers it);
 *   for a floating IP on a compute: fip-<external network id> with the host's fg- port on br-ex
 *     (proxy ARP answers for the floating IPs), the rfp-/fpr- veth pair from 169.254.30.0/23,
 *     and policy routing: `from <fixed> lookup 16`, table 16's default via fpr-;
 *   on the network node (dvr_snat): snat-<id> with an sg- port per subnet and the qg- port,
 *     SNAT to the router's gateway address.
 */

/** Table 16: where a VM with a floating IP finds its way out through rfp- (the agent's FIP_RT_TBL). */
const FIP_ROUTE_TABLE = 16;
/** Floating IPs' rule priorities count up from here (FIP_PR_START). */
const FIP_RULE_PRIORITY = 32768;

export const snatNamespace = (router: ResolvedRouter): string => `snat-${router.id}`;
export const fipNamespace = (gateway: ExternalPort): string => `fip-${gateway.network.id}`;

/** The table (and rule priority) of a subnet's SNAT redirect: the qr address as a number. */
const snatTable = (qrAddress: string): number => parseIpv4(qrAddress) as number;

/** An `ip rule add`, skipped when the same rule is there (a second add fails: "File exists"). */
function ipRule(ns: string, from: string, table: number, priority: number): Step {
  const selector = ['from', from, 'priority', String(priority), 'table', String(table)];
  return {
    argv: inNamespace(['ip', 'rule', 'add', ...selector], ns),
    unless: ['nl-prints', ...inNamespace(['ip', 'rule', 'show', ...selector], ns)],
  };
}

/** qrouter-<id> on one host of a distributed router. */
export function distributedRouterPart(model: CloudModel, node: NodeModel, router: ResolvedRouter): PlanPart {
  const ns = routerNamespace(router);
  const steps: Step[] = [...createNamespace(ns)];
  for (const qr of router.interfaces) steps.push(...plugInternalPort(ns, 'br-int', qr, node.localVlans.get(qr.network.name)));
  // The server hands every host the subnets' ports: the router never ARPs for them across hosts.
  for (const qr of router.interfaces) {
    const neighbours = [...model.ports.filter((p) => p.subnet === qr.subnet), ...router.snatPorts.filter((p) => p.subnet === qr.subnet)];
    for (const p of neighbours)
      steps.push({ argv: inNamespace(['ip', 'neigh', 'replace', p.address, 'lladdr', p.mac, 'dev', qr.device, 'nud', 'permanent'], ns) });
  }
  // What leaves without a floating IP goes to the subnet's SNAT port on the network node, out of
  // the qr- port it came in by: no ICMP redirects telling the VM about that shorter way (the
  // kernel sends them while either `all` or the device says so; Juno's agent sets the device's).
  const redirected = router.interfaces.filter((qr) => router.snatPorts.some((p) => p.subnet === qr.subnet));
  const quiet = redirected.map((qr) => [`net.ipv4.conf.${qr.device}.send_redirects`, '0']);
  if (quiet.length > 0) steps.push(sysctl(ns, Object.fromEntries([['net.ipv4.conf.all.send_redirects', '0'], ...quiet])));
  router.interfaces.forEach((qr) => {
    const snat = router.snatPorts.find((p) => p.subnet === qr.subnet);
    if (!snat) return;
    const table = snatTable(qr.address);
    steps.push(ipRule(ns, `${qr.address}/${qr.subnet.prefix}`, table, table));
    steps.push({
      argv: inNamespace(['ip', 'route', 'replace', 'default', 'via', snat.address, 'dev', qr.device, 'table', String(table)], ns),
    });
  });
  const servesFloatingIps = router.fipLink && router.floatingIps.some((f) => f.node === node.name);
  steps.push({
    argv: inNamespace(['iptables-restore'], ns),
    input: natTable(router.chainPrefix, servesFloatingIps ? { device: router.fipLink?.rfp ?? '' } : undefined),
  });
  return part(
    ref(node, 'router', router.name),
    `distributed router ${router.name} on ${node.name}: ${ns} with ${router.interfaces.map((i) => `${i.device} ${i.address}`).join(', ')}${router.snatPorts.length ? ', SNAT via the network node' : ''}`,
    [ref(node, 'integration-bridge')],
    steps,
  );
}

/** fip-<external network id> on a host serving floating IPs: the fg- port on br-ex. */
export function fipNamespacePart(model: CloudModel, node: NodeModel): PlanPart {
  const fg = node.fipGateway as ExternalPort;
  const ns = fipNamespace(fg);
  return part(
    ref(node, 'fip-namespace'),
    `${ns} with ${fg.device} ${fg.address} on ${fg.bridge}, answering ARP for the floating IPs`,
    [],
    [
      ...createNamespace(ns),
      externalBridge(fg),
      ...plugInternalPort(ns, fg.bridge, fg, undefined),
      { argv: inNamespace(['ip', 'route', 'replace', 'default', 'via', fg.nexthop, 'dev', fg.device], ns) },
      sysctl(ns, { [`net.ipv4.conf.${fg.device}.proxy_arp`]: '1' }),
    ],
  );
}

/** A floating IP of a distributed router, on the VM's host: the rfp-/fpr- link, policy routing and NAT. */
export function distributedFloatingIpPart(
  model: CloudModel,
  node: NodeModel,
  router: ResolvedRouter,
  fip: ResolvedRouter['floatingIps'][number],
): PlanPart {
  const ns = routerNamespace(router);
  const link = router.fipLink as NonNullable<ResolvedRouter['fipLink']>;
  const fipNs = fipNamespace(node.fipGateway as ExternalPort);
  const priority = FIP_RULE_PRIORITY + router.floatingIps.filter((f) => f.node === node.name).indexOf(fip);
  const steps: Step[] = [
    {
      argv: inNamespace(['ip', 'link', 'add', link.rfp, 'type', 'veth', 'peer', 'name', link.fpr, 'netns', fipNs], ns),
      unless: inNamespace(['ip', 'link', 'show', 'dev', link.rfp], ns),
    },
    // Checksums filled in here, not left to an offload the userspace datapath would not do.
    { argv: inNamespace(['ethtool', '-K', link.rfp, 'tx', 'off'], ns) },
    { argv: inNamespace(['ethtool', '-K', link.fpr, 'tx', 'off'], fipNs) },
    { argv: inNamespace(['ip', 'addr', 'replace', `${link.rfpAddress}/31`, 'dev', link.rfp], ns) },
    { argv: inNamespace(['ip', 'link', 'set', link.rfp, 'up'], ns) },
    { argv: inNamespace(['ip', 'addr', 'replace', `${link.fprAddress}/31`, 'dev', link.fpr], fipNs) },
    { argv: inNamespace(['ip', 'link', 'set', link.fpr, 'up'], fipNs) },
    {
      argv: inNamespace(
        ['ip', 'route', 'replace', 'default', 'via', link.fprAddress, 'dev', link.rfp, 'table', String(FIP_ROUTE_TABLE)],
        ns,
      ),
    },
    { argv: inNamespace(['ip', 'addr', 'replace', `${fip.address}/32`, 'dev', link.rfp], ns) },
    ipRule(ns, fip.fixed, FIP_ROUTE_TABLE, priority),
    { argv: inNamespace(['ip', 'route', 'replace', `${fip.address}/32`, 'via', link.rfpAddress, 'dev', link.fpr], fipNs) },
    ...floatingIpRules(router, fip).map((rule) => ensureRule(rule, { table: 'nat', namespace: ns })),
  ];
  return part(
    ref(node, 'floating-ip', fip.vm),
    `floating IP ${fip.address} → ${fip.vm} (${fip.fixed}) on ${node.name}: ${link.rfp} ${link.rfpAddress} ↔ ${link.fpr} ${link.fprAddress}, from ${fip.fixed} lookup ${FIP_ROUTE_TABLE}`,
    [ref(node, 'router', router.name), ref(node, 'fip-namespace')],
    steps,
  );
}

/** snat-<id> on the network node (dvr_snat): sg- ports per subnet, qg- out, and their br-int flows. */
export function snatPart(model: CloudModel, node: NodeModel, router: ResolvedRouter): PlanPart {
  const ns = snatNamespace(router);
  const gateway = router.gateway as ExternalPort;
  const steps: Step[] = [...createNamespace(ns)];
  for (const sg of router.snatPorts) steps.push(...plugInternalPort(ns, 'br-int', sg, node.localVlans.get(sg.network.name)));
  steps.push(externalBridge(gateway), ...plugInternalPort(ns, gateway.bridge, gateway, undefined));
  steps.push({ argv: inNamespace(['ip', 'route', 'replace', 'default', 'via', gateway.nexthop, 'dev', gateway.device], ns) });
  steps.push({
    argv: inNamespace(['iptables-restore'], ns),
    input: natTable(router.chainPrefix, {
      device: gateway.device,
      snat: { to: gateway.address, from: router.snatPorts.map((p) => p.subnet.cidr) },
    }),
  });
  // The L2 agent binds each sg- port as DVR's: frames from the hosts' DVR MACs reach it with the gateway MAC as source.
  const flows = router.snatPorts.flatMap((sg) => {
    const qr = router.interfaces.find((i) => i.subnet === sg.subnet);
    const lvid = node.localVlans.get(sg.network.name);
    return qr && lvid !== undefined ? toSourceMacFlows(lvid, qr, [sg]) : [];
  });
  if (flows.length > 0) steps.push({ argv: ['ovs-ofctl', 'add-flows', 'br-int', '-'], input: `${flows.join('\n')}\n` });
  return part(
    ref(node, 'snat', router.name),
    `${ns} for ${router.name}: ${router.snatPorts.map((p) => `${p.device} ${p.address}`).join(', ')}, ${gateway.device} ${gateway.address}, SNAT to ${gateway.address}`,
    [ref(node, 'integration-bridge'), ref(node, 'tunnel-flows')],
    steps,
  );
}
