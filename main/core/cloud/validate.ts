import { contains, formatIpv4, networkOf, parseCidr, parseIpv4 } from '../net/ipv4';
import type { Problem } from '../topology/validate';
import type { CloudSource, FirewallRule } from './schema';

/**
 * What the cloud's schema cannot check: references between the cloud and the topology, and
 * addresses that must agree. One function per resource kind, run in the order of RESOURCES
 * (VMs count the DHCP ports' addresses as taken; pools count the VMs' and SNAT ports').
 */

type Path = (string | number)[];

interface Context {
  lab: CloudSource;
  error(path: Path, message: string): void;
  /** The node an agent runs on must be declared, and no external host. */
  agentNode(path: Path, name: string, what: string): void;
  /** An address must be in a subnet of its network. */
  addressIn(path: Path, address: string, networkName: string): void;
  /** Addresses taken, by "network/address": whose they are. */
  addresses: Map<string, string>;
}

const RESOURCES: readonly ((ctx: Context) => void)[] = [
  underlay,
  networks,
  vms,
  routers,
  floatingIps,
  dvr,
  securityGroups,
  firewalls,
  pools,
  metadata,
];

export function validateCloud(lab: CloudSource): Problem[] {
  const problems: Problem[] = [];
  const { topology, cloud } = lab;
  const nodes = topology.nodes;
  const error = (path: Path, message: string) => problems.push({ path, message, severity: 'error' });
  const ctx: Context = {
    lab,
    error,
    agentNode: (path, name, what) => {
      const node = nodes[name];
      if (!node)
        error(path, `${what} names node "${name}", which topology.nodes does not declare (declared: ${Object.keys(nodes).join(', ')})`);
      else if (node.role === 'external') error(path, `${what} is on node "${name}", an external host: Neutron's agents do not run there`);
    },
    addressIn: (path, address, networkName) => {
      const ip = parseIpv4(address);
      const network = cloud.networks[networkName];
      if (ip === undefined || !network) return;
      const inside = Object.values(network.subnets).some((s) => {
        const c = parseCidr(s.cidr);
        return c !== undefined && contains(c, ip);
      });
      if (!inside)
        error(
          path,
          `${address} is in no subnet of network "${networkName}" (${
            Object.values(network.subnets)
              .map((s) => s.cidr)
              .join(', ') || 'it has none'
          })`,
        );
    },
    addresses: new Map(),
  };
  for (const validate of RESOURCES) validate(ctx);
  return problems;
}

/** The networks tunnels, VXLAN and physnets run over are the topology's. */
function underlay(ctx: Context): void {
  const { topology, cloud } = ctx.lab;
  const { error } = ctx;
  if (cloud.tunnelNetwork && !topology.networks[cloud.tunnelNetwork]) {
    error(['cloud', 'tunnelNetwork'], `tunnel network "${cloud.tunnelNetwork}" is not in topology.networks`);
  }
  if (cloud.linuxbridge && !topology.networks[cloud.linuxbridge.localNetwork]) {
    error(['cloud', 'linuxbridge', 'localNetwork'], `"${cloud.linuxbridge.localNetwork}" is not in topology.networks`);
  }
  if (cloud.arpResponder && !cloud.l2population)
    error(['cloud', 'arpResponder'], "the ARP responder answers from l2population's entries: set cloud.l2population: true");
  else if (cloud.arpResponder && ctx.lab.release === 'icehouse')
    error(['cloud', 'arpResponder'], "the ARP responder is table 21 of Juno's br-tun (Icehouse floods there): set release: juno or kilo");
  for (const [name, physnet] of Object.entries(cloud.physnets)) {
    if (!topology.networks[physnet.network])
      error(
        ['cloud', 'physnets', name, 'network'],
        `physnet "${name}" maps to "${physnet.network}", which topology.networks does not declare`,
      );
  }
}

/** Networks: segments within their type's range, physnets, subnets that agree, what each agent can wire. */
function networks(ctx: Context): void {
  const { cloud } = ctx.lab;
  const { error, agentNode, addressIn } = ctx;
  for (const [name, network] of Object.entries(cloud.networks)) {
    const at = (...path: (string | number)[]) => ['cloud', 'networks', name, ...path];
    const segmentMax = { vlan: 4094, vxlan: 2 ** 24 - 1, gre: 2 ** 32 - 1 } as const;
    if (network.type === 'vlan' || network.type === 'gre' || network.type === 'vxlan') {
      if (network.segment === undefined)
        error(
          at('type'),
          `a ${network.type} network needs a segment (its ${network.type === 'vlan' ? 'VLAN id' : network.type === 'vxlan' ? 'VNI' : 'GRE key'})`,
        );
      else if (network.segment > segmentMax[network.type])
        error(at('segment'), `segment ${network.segment} is too large for ${network.type} (at most ${segmentMax[network.type]})`);
    } else if (network.segment !== undefined) error(at('segment'), `a ${network.type} network has no segment`);
    if ((network.type === 'vlan' || network.type === 'flat') && !network.physnet)
      error(at('type'), `a ${network.type} network needs a physnet`);
    if (network.physnet && !cloud.physnets[network.physnet]) error(at('physnet'), `physnet "${network.physnet}" is not in cloud.physnets`);
    if ((network.type === 'gre' || network.type === 'vxlan') && network.agent === 'openvswitch' && !cloud.tunnelNetwork)
      error(at('type'), `a ${network.type} network needs cloud.tunnelNetwork (the topology network tunnels run over)`);
    for (const [node, vlan] of Object.entries(network.localVlans ?? {})) {
      if (!ctx.lab.topology.nodes[node]) error(at('localVlans', node), `no node "${node}" in the topology`);
      const other = Object.entries(cloud.networks).find(([n, o]) => n < name && o.localVlans?.[node] === vlan);
      if (other) error(at('localVlans', node), `local VLAN ${vlan} on ${node} is network "${other[0]}"'s already`);
    }
    const subnets = Object.entries(network.subnets);
    subnets.forEach(([subnetName, subnet], i) => {
      const cidr = parseCidr(subnet.cidr);
      if (cidr && networkOf(cidr) !== cidr.address)
        error(at('subnets', subnetName, 'cidr'), `${subnet.cidr} has host bits set; write ${formatIpv4(networkOf(cidr))}/${cidr.prefix}`);
      if (cidr && subnet.gateway) {
        const gateway = parseIpv4(subnet.gateway);
        if (gateway !== undefined && !contains(cidr, gateway))
          error(at('subnets', subnetName, 'gateway'), `gateway ${subnet.gateway} is outside ${subnet.cidr}`);
      }
      for (const [otherName, other] of subnets.slice(0, i)) {
        const a = parseCidr(other.cidr);
        if (a && cidr && (contains(a, cidr.address) || contains(cidr, a.address)))
          error(
            at('subnets', subnetName, 'cidr'),
            `subnet ${subnet.cidr} overlaps subnet "${otherName}" (${other.cidr}) of the same network`,
          );
      }
    });
    if (network.agent === 'linuxbridge') {
      if (network.type !== 'vxlan') error(at('agent'), `the lab's Linux bridge agent wires vxlan networks only, not ${network.type}`);
      else if (!cloud.linuxbridge)
        error(at('agent'), 'a Linux bridge network needs cloud.linuxbridge.localNetwork (the topology network its VXLAN runs over)');
      if (network.firewall === 'noop') error(at('firewall'), 'firewall noop is for OVS networks (a Linux bridge VM is on brq either way)');
      if (network.dhcp) error(at('dhcp'), "the lab's Linux bridge agent serves no DHCP");
    }
    if (network.dhcp) {
      agentNode(at('dhcp', 'node'), network.dhcp.node, `the DHCP port of "${name}"`);
      addressIn(at('dhcp', 'address'), network.dhcp.address, name);
    }
  }
}

/** VMs: on agent nodes, in their network's subnets, each address one port's, reachable over the tunnel or VXLAN network. */
function vms(ctx: Context): void {
  const { topology, cloud } = ctx.lab;
  const nodes = topology.nodes;
  const { error, agentNode, addressIn, addresses } = ctx;
  for (const [name, network] of Object.entries(cloud.networks))
    if (network.dhcp) addresses.set(`${name}/${network.dhcp.address}`, `the DHCP port`);
  for (const [name, vm] of Object.entries(cloud.vms)) {
    const at = (...path: (string | number)[]) => ['cloud', 'vms', name, ...path];
    agentNode(at('node'), vm.node, `VM "${name}"`);
    vm.securityGroups?.forEach((group, i) => {
      if (!cloud.securityGroups[group]) error(at('securityGroups', i), `no security group "${group}" in cloud.securityGroups`);
    });
    const network = cloud.networks[vm.network];
    if (!network) {
      error(at('network'), `VM "${name}" is on network "${vm.network}", which cloud.networks does not declare`);
      continue;
    }
    if (vm.subnet && !network.subnets[vm.subnet]) error(at('subnet'), `network "${vm.network}" has no subnet "${vm.subnet}"`);
    addressIn(at('address'), vm.address, vm.network);
    const owner = addresses.get(`${vm.network}/${vm.address}`);
    if (owner) error(at('address'), `${vm.address} on "${vm.network}" is already ${owner}'s`);
    addresses.set(`${vm.network}/${vm.address}`, `VM "${name}"`);
    const node = nodes[vm.node];
    // (Only when node and tunnel network themselves are right: one mistake, one message.)
    if (
      (network.type === 'gre' || network.type === 'vxlan') &&
      network.agent === 'openvswitch' &&
      cloud.tunnelNetwork &&
      topology.networks[cloud.tunnelNetwork] &&
      node &&
      node.role !== 'external' &&
      !node.links.some((l) => l.network === cloud.tunnelNetwork && l.address)
    ) {
      error(
        at('node'),
        `VM "${name}" is on a ${network.type} network, but node "${vm.node}" has no address on the tunnel network "${cloud.tunnelNetwork}"`,
      );
    }
    if (vm.dhcp && !network.dhcp) error(at('dhcp'), `VM "${name}" asks for DHCP, but network "${vm.network}" has no DHCP port`);
    const lbNetwork = cloud.linuxbridge?.localNetwork;
    if (network.agent === 'linuxbridge' && lbNetwork && node && !node.links.some((l) => l.network === lbNetwork && l.address)) {
      error(
        at('node'),
        `VM "${name}" is on a Linux bridge network, but node "${vm.node}" has no address on "${lbNetwork}" (cloud.linuxbridge.localNetwork)`,
      );
    }
    if (network.firewall === 'noop' && vm.securityGroups?.length)
      error(at('securityGroups'), `network "${vm.network}" has firewall noop: its ports are not filtered`);
    if (network.type === 'local') {
      const others = Object.values(cloud.vms).filter(
        (v) => cloud.networks[v.network]?.type === 'local' && v.network === vm.network && v.node !== vm.node,
      );
      if (others.length > 0) error(at('node'), `network "${vm.network}" is local: all its VMs must be on one node`);
    }
  }
}

/** Routers: interfaces on internal subnets, gateways on external networks, DVR's SNAT ports and release. */
function routers(ctx: Context): void {
  const { cloud } = ctx.lab;
  const { error, agentNode, addressIn, addresses } = ctx;
  for (const [name, router] of Object.entries(cloud.routers)) {
    const at = (...path: (string | number)[]) => ['cloud', 'routers', name, ...path];
    agentNode(at('node'), router.node, `router "${name}"`);
    if (router.distributed) {
      if (ctx.lab.release === 'icehouse') error(at('distributed'), 'distributed routers came with Juno: set release: juno or kilo');
      if (!cloud.l2population)
        error(at('distributed'), 'distributed routers need cloud.l2population: true (the DVR flows rely on its unicast entries)');
    }
    router.interfaces.forEach((iface, i) => {
      const [networkName = '', subnetName = ''] = iface.subnet.split('/');
      const network = cloud.networks[networkName];
      if (!network?.subnets[subnetName]) error(at('interfaces', i, 'subnet'), `no subnet "${iface.subnet}" in cloud.networks`);
      else if (network.external)
        error(at('interfaces', i, 'subnet'), `"${networkName}" is external: a router joins it through its gateway, not an interface`);
      else if (router.distributed && network.type !== 'vxlan' && network.type !== 'gre')
        error(at('interfaces', i, 'subnet'), `Juno distributes routers over tunnel networks only: "${networkName}" is ${network.type}`);
      else if (iface.snat && !(router.distributed && router.gateway))
        error(at('interfaces', i, 'snat'), 'an SNAT port belongs to a distributed router with a gateway');
      else if (iface.snat) {
        addressIn(at('interfaces', i, 'snat', 'address'), iface.snat.address, networkName);
        const owner = addresses.get(`${networkName}/${iface.snat.address}`);
        if (owner) error(at('interfaces', i, 'snat', 'address'), `${iface.snat.address} on "${networkName}" is already ${owner}'s`);
        addresses.set(`${networkName}/${iface.snat.address}`, `router "${name}"'s SNAT port`);
      } else if (router.distributed && router.gateway)
        error(at('interfaces', i), `router "${name}" is distributed with a gateway: give each interface its SNAT port (snat: { address })`);
    });
    if (router.gateway) {
      const network = cloud.networks[router.gateway.network];
      if (!network) error(at('gateway', 'network'), `no network "${router.gateway.network}" in cloud.networks`);
      else {
        if (!network.external) error(at('gateway', 'network'), `network "${router.gateway.network}" is not external (external: true)`);
        addressIn(at('gateway', 'address'), router.gateway.address, router.gateway.network);
      }
    }
  }
}

/**
 * Floating IPs: one per VM, on a router with a gateway (and, distributed, a host with an fg-
 * port); one not associated names its external network, and has no router.
 */
function floatingIps(ctx: Context): void {
  const { cloud } = ctx.lab;
  const { error, addressIn } = ctx;
  cloud.floatingIps.forEach((fip, i) => {
    const at = (...path: (string | number)[]) => ['cloud', 'floatingIps', i, ...path];
    if (cloud.floatingIps.findIndex((f) => f.address === fip.address) !== i)
      error(at('address'), `floating IP ${fip.address} is listed twice`);
    if (fip.vm === undefined) {
      if (fip.router !== undefined) error(at('router'), 'a floating IP without a VM has no router: it is only allocated');
      const network = fip.network === undefined ? undefined : cloud.networks[fip.network];
      if (fip.network === undefined) error(at('network'), 'a floating IP without a VM names its external network');
      else if (!network) error(at('network'), `no network "${fip.network}" in cloud.networks`);
      else if (!network.external)
        error(at('network'), `network "${fip.network}" is not external: floating IPs come from external networks`);
      else addressIn(at('address'), fip.address, fip.network);
      return;
    }
    if (!cloud.vms[fip.vm]) error(at('vm'), `no VM "${fip.vm}" in cloud.vms`);
    const router = fip.router === undefined ? undefined : cloud.routers[fip.router];
    if (fip.router === undefined) error(at('router'), 'a floating IP with a VM names the router that NATs it');
    else if (!router) error(at('router'), `no router "${fip.router}" in cloud.routers`);
    else if (!router.gateway) error(at('router'), `router "${fip.router}" has no gateway: a floating IP lives on its external network`);
    else if (fip.network !== undefined && fip.network !== router.gateway.network)
      error(at('network'), `router "${fip.router}"'s gateway is on network "${router.gateway.network}", not "${fip.network}"`);
    else addressIn(at('address'), fip.address, router.gateway.network);
    if (cloud.floatingIps.findIndex((f) => f.vm === fip.vm) !== i) error(at('vm'), `VM "${fip.vm}" has a floating IP already`);
    const host = cloud.vms[fip.vm]?.node;
    if (router?.distributed && router.gateway && host && !cloud.dvr?.[host]?.fipGateway) {
      error(
        at('router'),
        `router "${fip.router}" is distributed, so node "${host}" serves this floating IP: give it cloud.dvr.${host}.fipGateway (its fg- port's address)`,
      );
    }
  });
}

/** Per-host DVR settings: only with distributed routers, one MAC per host. */
function dvr(ctx: Context): void {
  const { cloud } = ctx.lab;
  const { error, agentNode, addressIn } = ctx;
  const distributed = Object.values(cloud.routers).filter((r) => r.distributed);
  const dvrMacs = new Map<string, string>();
  for (const [name, host] of Object.entries(cloud.dvr ?? {})) {
    const at = (...path: (string | number)[]) => ['cloud', 'dvr', name, ...path];
    agentNode(at(), name, 'cloud.dvr');
    if (distributed.length === 0) error(at(), 'cloud.dvr configures distributed routing, but no router is distributed');
    if (host.mac) {
      const other = dvrMacs.get(host.mac);
      if (other) error(at('mac'), `DVR MAC ${host.mac} is node "${other}"'s already: each host has its own`);
      dvrMacs.set(host.mac, name);
    }
    const external = distributed.find((r) => r.gateway)?.gateway?.network;
    if (host.fipGateway && external) addressIn(at('fipGateway', 'address'), host.fipGateway.address, external);
  }
}

/** Security group rules: remotes that exist, ports with a protocol, in range. */
function securityGroups(ctx: Context): void {
  const { cloud } = ctx.lab;
  const { error } = ctx;
  for (const [name, group] of Object.entries(cloud.securityGroups)) {
    group.rules.forEach((rule, i) => {
      const at = (...path: (string | number)[]) => ['cloud', 'securityGroups', name, 'rules', i, ...path];
      if (rule.remote && !rule.remote.includes('/') && !cloud.securityGroups[rule.remote])
        error(
          at('remote'),
          `no security group "${rule.remote}" in cloud.securityGroups (a remote is a CIDR like 10.0.0.0/24 or a group's name)`,
        );
      if (rule.port !== undefined && !rule.protocol) error(at('port'), 'a port needs a protocol (tcp, udp, or icmp for an ICMP type)');
      const [min = 0, max = min] = String(rule.port ?? '')
        .split(':')
        .map(Number);
      if (rule.port !== undefined && rule.protocol !== 'icmp' && (min < 1 || max > 65535 || min > max))
        error(at('port'), `"${rule.port}" is not a port or a range low:high within 1-65535`);
    });
  }
}

/** FWaaS v1: one firewall per centralised router, with its rules or a policy of known rules; ports with tcp or udp. */
function firewalls(ctx: Context): void {
  const { cloud } = ctx.lab;
  const { error } = ctx;
  const guarded = new Set<string>();
  for (const [name, firewall] of Object.entries(cloud.firewalls)) {
    const at = (...path: (string | number)[]) => ['cloud', 'firewalls', name, ...path];
    if (!cloud.routers[firewall.router]) error(at('router'), `no router "${firewall.router}" in cloud.routers`);
    else if (cloud.routers[firewall.router]?.distributed)
      error(at('router'), `router "${firewall.router}" is distributed: Neutron Lab renders FWaaS on centralised routers only`);
    else if (guarded.has(firewall.router))
      error(at('router'), `router "${firewall.router}" has a firewall already (FWaaS v1: one per router)`);
    guarded.add(firewall.router);
    if ((firewall.rules === undefined) === (firewall.policy === undefined))
      error(at(), 'a firewall has its rules, or names its policy: one of the two');
    else if (firewall.policy !== undefined && !cloud.firewallPolicies?.[firewall.policy])
      error(at('policy'), `no policy "${firewall.policy}" in cloud.firewallPolicies`);
    firewall.rules?.forEach((rule, i) => firewallRule(ctx, at('rules', i), rule));
  }
  for (const [name, policy] of Object.entries(cloud.firewallPolicies ?? {})) {
    policy.rules.forEach((rule, i) => {
      const at = ['cloud', 'firewallPolicies', name, 'rules', i];
      if (!cloud.firewallRules?.[rule]) error(at, `no rule "${rule}" in cloud.firewallRules`);
      else if (policy.rules.indexOf(rule) !== i) error(at, `rule "${rule}" is in this policy twice`);
    });
  }
  for (const [name, rule] of Object.entries(cloud.firewallRules ?? {})) firewallRule(ctx, ['cloud', 'firewallRules', name], rule);
}

function firewallRule(ctx: Context, at: Path, rule: FirewallRule): void {
  for (const field of ['sourcePort', 'destinationPort'] as const) {
    if (rule[field] !== undefined && rule.protocol !== 'tcp' && rule.protocol !== 'udp')
      ctx.error([...at, field], 'ports need protocol tcp or udp');
  }
}

/** LBaaS v1 pools: a VIP in their subnet, members on their network, a path for HTTP monitors only. */
function pools(ctx: Context): void {
  const { cloud } = ctx.lab;
  const { error, agentNode, addressIn, addresses } = ctx;
  for (const [name, pool] of Object.entries(cloud.pools)) {
    const at = (...path: (string | number)[]) => ['cloud', 'pools', name, ...path];
    agentNode(at('node'), pool.node, `pool "${name}"`);
    const [networkName = '', subnetName = ''] = pool.subnet.split('/');
    const network = cloud.networks[networkName];
    if (!network?.subnets[subnetName]) error(at('subnet'), `no subnet "${pool.subnet}" in cloud.networks`);
    else if (pool.vip) {
      addressIn(at('vip', 'address'), pool.vip.address, networkName);
      const owner = addresses.get(`${networkName}/${pool.vip.address}`);
      if (owner) error(at('vip', 'address'), `${pool.vip.address} on "${networkName}" is already ${owner}'s`);
      addresses.set(`${networkName}/${pool.vip.address}`, `pool "${name}"'s VIP`);
    }
    pool.members.forEach((member, i) => {
      const vm = cloud.vms[member.vm];
      if (!vm) error(at('members', i, 'vm'), `no VM "${member.vm}" in cloud.vms`);
      else if (vm.network !== networkName)
        error(at('members', i, 'vm'), `VM "${member.vm}" is on "${vm.network}", not on the pool's network "${networkName}"`);
    });
    if (typeof pool.monitor === 'string') {
      if (!cloud.healthMonitors?.[pool.monitor]) error(at('monitor'), `no health monitor "${pool.monitor}" in cloud.healthMonitors`);
    } else if (pool.monitor?.path && pool.monitor.type !== 'HTTP') error(at('monitor', 'path'), 'only an HTTP monitor has a path');
  }
  for (const [name, monitor] of Object.entries(cloud.healthMonitors ?? {})) {
    if (monitor.path && monitor.type !== 'HTTP') error(['cloud', 'healthMonitors', name, 'path'], 'only an HTTP monitor has a path');
  }
}

/** The metadata service: on a controller, at one of its addresses, reachable from every node with a router. */
function metadata(ctx: Context): void {
  const { topology, cloud } = ctx.lab;
  const meta = cloud.metadata;
  if (!meta) return;
  const node = topology.nodes[meta.node];
  if (!node) {
    ctx.error(
      ['cloud', 'metadata', 'node'],
      `node "${meta.node}" is not in topology.nodes (declared: ${Object.keys(topology.nodes).join(', ')})`,
    );
    return;
  }
  if (node.role !== 'controller')
    ctx.error(['cloud', 'metadata', 'node'], `Nova's metadata service runs on a controller: "${meta.node}" is ${node.role}`);
  const own = node.links.flatMap((l) => (l.address ? [{ network: l.network, address: l.address.split('/')[0] }] : []));
  const link = own.find((l) => l.address === meta.address);
  if (!link) {
    ctx.error(
      ['cloud', 'metadata', 'address'],
      `${meta.address} is not an address of node "${meta.node}" (it has ${own.map((l) => l.address).join(', ') || 'none'})`,
    );
    return;
  }
  for (const [name, router] of Object.entries(cloud.routers)) {
    if (router.distributed) {
      ctx.error(
        ['cloud', 'routers', name, 'distributed'],
        "the metadata path is modelled for centralised routers only (a proxy in the network node's qrouter-)",
      );
      continue;
    }
    const host = topology.nodes[router.node];
    if (host && !host.links.some((l) => l.network === link.network && l.address))
      ctx.error(
        ['cloud', 'routers', name, 'node'],
        `router "${name}"'s metadata agent on "${router.node}" cannot reach ${meta.address}: "${router.node}" has no address on network "${link.network}"`,
      );
  }
}
