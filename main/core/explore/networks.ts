import { resolveCloud } from '../cloud/model';
import type { CloudNetwork, NetworkType } from '../cloud/schema';
import { contains, formatIpv4, overlaps, parseCidr, parseIpv4 } from '../net/ipv4';
import type { Row } from './format';
import {
  ApiError,
  badRequest,
  checkAddress,
  checkName,
  conflict,
  findIn,
  freeAddress,
  gatewayOf,
  newId,
  newMac,
  nodesWithRole,
  poolsOf,
  type Sandbox,
} from './neutron';

/**
 * Networks and subnets as neutron-server's ML2 plugin keeps them: the type driver allocates a
 * tenant network's segment (the lowest free VNI or GRE key), a provider network takes the one
 * asked for; a subnet with DHCP gets the DHCP agent's port on the network node, the first free
 * address after the gateway.
 */

/** ML2's ranges: tenant tunnels from 1 (vni_ranges / tunnel_id_ranges 1:1000), VLANs 1–4094. */
const TUNNEL_RANGE = 1000;
const SEGMENT_LIMIT: Record<'vlan' | 'gre' | 'vxlan', number> = { vlan: 4094, gre: 2 ** 32 - 1, vxlan: 2 ** 24 - 1 };

export interface NetworkAsk {
  name: string;
  type?: NetworkType | undefined;
  segment?: number | undefined;
  physnet?: string | undefined;
  external: boolean;
  shared: boolean;
}

const idOfNetwork = (_: string, n: CloudNetwork): string => n.id!;

export function findNetwork(sb: Sandbox, nameOrId: string): [string, CloudNetwork] {
  return findIn('Network', sb.cloud.networks, nameOrId, idOfNetwork);
}

/** The tenant network type: ML2's tenant_network_types, a tunnel when the sandbox has a tunnel network. */
function tenantType(sb: Sandbox): NetworkType {
  if (!sb.cloud.tunnelNetwork) throw conflict('Unable to create the network. No tenant network is available for allocation.');
  return sb.lab.release === 'icehouse' ? 'gre' : 'vxlan';
}

export function createNetwork(sb: Sandbox, ask: NetworkAsk): string {
  checkName('network', ask.name);
  if (sb.cloud.networks[ask.name])
    throw conflict(`A network named ${ask.name} exists already: in this sandbox a network's name is its key.`);
  const type = ask.type ?? tenantType(sb);
  const network: CloudNetwork = {
    type,
    external: ask.external,
    shared: ask.shared,
    id: newId(),
    subnets: {},
    agent: 'openvswitch',
    firewall: 'hybrid',
  };
  if (type === 'flat' || type === 'vlan') {
    const physnet = ask.physnet ?? Object.keys(sb.cloud.physnets)[0];
    if (!physnet || !sb.cloud.physnets[physnet]) {
      throw badRequest(
        `physical_network '${ask.physnet ?? ''}' unknown for ${type} provider network (known: ${Object.keys(sb.cloud.physnets).join(', ') || 'none'}).`,
      );
    }
    network.physnet = physnet;
    if (type === 'flat') {
      if (ask.segment !== undefined) throw badRequest('segmentation_id specified for flat provider network.');
      const taken = Object.values(sb.cloud.networks).some((n) => n.type === 'flat' && n.physnet === physnet);
      if (taken) throw conflict(`Unable to create the flat network. Physical network ${physnet} is in use.`);
    }
  } else if (ask.physnet !== undefined) {
    throw badRequest(`provider:physical_network specified for ${type} network.`);
  }
  if (type === 'vlan' && ask.segment === undefined) throw badRequest('segmentation_id required for VLAN provider network.');
  if (type === 'local' && ask.segment !== undefined) throw badRequest('segmentation_id specified for local network.');
  if (type === 'vlan' || type === 'gre' || type === 'vxlan') {
    const limit = SEGMENT_LIMIT[type];
    const inUse = (segment: number) =>
      Object.values(sb.cloud.networks).some(
        (n) => n.type === type && n.segment === segment && (type !== 'vlan' || n.physnet === network.physnet),
      );
    if (ask.segment !== undefined) {
      if (ask.segment < 1 || ask.segment > limit) throw badRequest(`segmentation_id out of range (1 through ${limit}).`);
      if (inUse(ask.segment)) {
        throw conflict(
          type === 'vlan'
            ? `Unable to create the network. The VLAN ${ask.segment} on physical network ${network.physnet} is in use.`
            : `Unable to create the network. The tunnel ID ${ask.segment} is in use.`,
        );
      }
      network.segment = ask.segment;
    } else {
      const free = Array.from({ length: TUNNEL_RANGE }, (_, i) => i + 1).find((s) => !inUse(s));
      if (free === undefined) throw conflict('Unable to create the network. No tenant network is available for allocation.');
      network.segment = free;
    }
  }
  sb.cloud.networks[ask.name] = network;
  return ask.name;
}

/**
 * `network set`: sharing and router:external, the attributes this sandbox keeps that an update
 * may change. A network still holding a router's gateway stays external, as Neutron refuses to
 * take away what it stands on.
 */
export function setNetwork(
  sb: Sandbox,
  nameOrId: string,
  change: { shared?: boolean | undefined; external?: boolean | undefined },
): string {
  const [name, network] = findNetwork(sb, nameOrId);
  if (change.external === false && network.external) {
    // A floating IP stands on its router's gateway: the gateways say it all.
    if (Object.values(sb.cloud.routers).some((r) => r.gateway?.network === name))
      throw conflict(`Unable to complete operation on network ${network.id}. There are one or more ports still in use on the network.`);
  }
  if (change.shared !== undefined) network.shared = change.shared;
  if (change.external !== undefined) network.external = change.external;
  return name;
}

/**
 * What each node's OVS agent holds: a network keeps the local VLAN it got on a node for as long
 * as it is there, whatever comes or goes beside it (the agent hands out a free one and takes it
 * back only when the network's last port on the node goes). Run after every change.
 */
export function keepLocalVlans(sb: Sandbox): void {
  const nodes = [...resolveCloud({ ...sb.lab, cloud: sb.cloud }).nodes.values()];
  for (const [name, network] of Object.entries(sb.cloud.networks)) {
    const vlans = Object.fromEntries(
      nodes.flatMap((node) => {
        const vlan = node.localVlans.get(name);
        return vlan === undefined ? [] : [[node.name, vlan] as const];
      }),
    );
    if (Object.keys(vlans).length > 0) network.localVlans = vlans;
    else delete network.localVlans;
  }
}

export function deleteNetwork(sb: Sandbox, nameOrId: string): void {
  const [name, network] = findNetwork(sb, nameOrId);
  // The DHCP port goes with its network; a VM's or a router's does not.
  const used =
    Object.values(sb.cloud.vms).some((vm) => vm.network === name) ||
    Object.values(sb.cloud.routers).some((r) => r.gateway?.network === name || r.interfaces.some((i) => i.subnet.startsWith(`${name}/`)));
  if (used)
    throw conflict(`Unable to complete operation on network ${network.id}. There are one or more ports still in use on the network.`);
  delete sb.cloud.networks[name];
}

export function networkRow(sb: Sandbox, name: string): Row {
  const network = sb.cloud.networks[name]!;
  const mtu = resolveCloud({ ...sb.lab, cloud: sb.cloud }).networks.get(name)!.mtu;
  return [
    ['admin_state_up', 'UP'],
    ['id', network.id!],
    ['mtu', mtu],
    ['name', name],
    ['provider:network_type', network.type],
    ['provider:physical_network', network.physnet ?? null],
    ['provider:segmentation_id', network.segment ?? null],
    ['router:external', network.external ? 'External' : 'Internal'],
    ['shared', network.shared],
    ['status', 'ACTIVE'],
    ['subnets', Object.values(network.subnets).map((s) => s.id!)],
  ];
}

export const NETWORK_LIST = ['ID', 'Name', 'Subnets'];
export const networkListRows = (sb: Sandbox): Row[] =>
  Object.entries(sb.cloud.networks).map(([name, n]) => [
    ['ID', n.id!],
    ['Name', name],
    ['Subnets', Object.values(n.subnets).map((s) => s.id!)],
  ]);

// Subnets.

export interface SubnetAsk {
  name: string;
  network: string;
  cidr: string;
  gateway?: string | undefined;
  pools: { start: string; end: string }[];
  dhcp: boolean;
  dnsNameservers: string[];
}

export function findSubnet(sb: Sandbox, nameOrId: string): { network: string; subnet: string } {
  const found = Object.entries(sb.cloud.networks).flatMap(([network, n]) =>
    Object.entries(n.subnets)
      .filter(([name, s]) => name === nameOrId || s.id === nameOrId)
      .map(([subnet]) => ({ network, subnet })),
  );
  if (found.length === 0) throw new ApiError('NotFoundException', `No Subnet found for ${nameOrId}`);
  if (found.length > 1) throw conflict(`More than one Subnet exists with the name '${nameOrId}'.`);
  return found[0]!;
}

export function createSubnet(sb: Sandbox, ask: SubnetAsk): { network: string; subnet: string } {
  checkName('subnet', ask.name);
  const [networkName, network] = findNetwork(sb, ask.network);
  const range = parseCidr(ask.cidr);
  if (!range || parseIpv4(ask.cidr.split('/')[0]!) === undefined) throw badRequest(`'${ask.cidr}' is not a valid IP subnet.`);
  if (range.prefix > 30) throw badRequest(`The subnet ${ask.cidr} is too small: a /30 is the smallest with a gateway and a port.`);
  const canonical = `${ask.cidr.split('/')[0]}/${range.prefix}`;
  for (const other of Object.values(network.subnets)) {
    if (overlaps(parseCidr(other.cidr)!, range)) {
      throw badRequest(`Requested subnet with cidr: ${canonical} for network: ${network.id} overlaps with another subnet.`);
    }
  }
  if (network.subnets[ask.name]) throw conflict(`A subnet named ${ask.name} exists already on network ${networkName}.`);
  const subnet = {
    cidr: canonical,
    id: newId(),
    ...(ask.gateway ? { gateway: ask.gateway } : {}),
    ...(ask.pools.length ? { allocationPools: ask.pools } : {}),
    ...(ask.dnsNameservers.length ? { dnsNameservers: ask.dnsNameservers } : {}),
  };
  for (const server of ask.dnsNameservers) {
    if (parseIpv4(server) === undefined) throw badRequest(`'${server}' is not a valid nameserver. '${server}' is not a valid IP address.`);
  }
  if (new Set(ask.dnsNameservers).size < ask.dnsNameservers.length)
    throw badRequest(`Duplicate nameserver in ${ask.dnsNameservers.join(', ')}.`);
  if (ask.dnsNameservers.length > 5) throw badRequest('Number of DNS nameservers exceeds the limit 5.');
  if (ask.gateway) checkAddress(sb.cloud, networkName, canonical, ask.gateway);
  for (const pool of ask.pools) {
    const [start, end] = [parseIpv4(pool.start), parseIpv4(pool.end)];
    if (start === undefined || end === undefined || !contains(range, start) || !contains(range, end) || start > end) {
      throw badRequest(`The allocation pool ${pool.start}-${pool.end} spans beyond the subnet cidr ${canonical}.`);
    }
    const gateway = parseIpv4(gatewayOf(subnet))!;
    if (gateway >= start && gateway <= end)
      throw conflict(`Gateway ip ${gatewayOf(subnet)} conflicts with allocation pool ${pool.start}-${pool.end}.`);
  }
  network.subnets[ask.name] = subnet;
  if (ask.dhcp && !network.dhcp) {
    // The DHCP agent's port: on the network node, the first free address (after the gateway).
    const node = nodesWithRole(sb.lab, 'network')[0];
    if (!node) throw conflict('No DHCP agent is running: the sandbox has no network node.');
    network.dhcp = { node, address: freeAddress(sb.cloud, networkName, subnet), mac: newMac(), portId: newId() };
  }
  return { network: networkName, subnet: ask.name };
}

export function deleteSubnet(sb: Sandbox, nameOrId: string): void {
  const { network, subnet } = findSubnet(sb, nameOrId);
  const net = sb.cloud.networks[network]!;
  const cidr = parseCidr(net.subnets[subnet]!.cidr)!;
  const onIt = (address: string) => {
    const ip = parseIpv4(address);
    return ip !== undefined && overlaps(cidr, { address: ip, prefix: 32 });
  };
  const used =
    Object.values(sb.cloud.vms).some((vm) => vm.network === network && onIt(vm.address)) ||
    Object.values(sb.cloud.routers).some((r) => r.interfaces.some((i) => i.subnet === `${network}/${subnet}`));
  if (used)
    throw conflict(
      `Unable to complete operation on subnet ${net.subnets[subnet]!.id}: One or more ports have an IP allocation from this subnet.`,
    );
  const pool = Object.entries(sb.cloud.pools).find(([, p]) => p.subnet === `${network}/${subnet}`);
  if (pool) throw conflict(`Unable to complete operation on subnet ${net.subnets[subnet]!.id}: pool ${pool[0]} is on it.`);
  if (net.dhcp && onIt(net.dhcp.address)) delete net.dhcp;
  delete net.subnets[subnet];
}

export function subnetRow(sb: Sandbox, at: { network: string; subnet: string }): Row {
  const network = sb.cloud.networks[at.network]!;
  const subnet = network.subnets[at.subnet]!;
  // Neutron's default pool leaves the gateway out: it starts after it.
  const gateway = parseIpv4(gatewayOf(subnet))!;
  const pools = poolsOf(subnet).map(([first, last]) => [first === gateway ? first + 1 : first, last === gateway ? last - 1 : last]);
  return [
    ['allocation_pools', pools.map(([first, last]) => `${formatIpv4(first!)}-${formatIpv4(last!)}`)],
    ['cidr', subnet.cidr],
    ['dns_nameservers', subnet.dnsNameservers ?? []],
    ['enable_dhcp', network.dhcp !== undefined],
    ['gateway_ip', gatewayOf(subnet)],
    ['id', subnet.id!],
    ['ip_version', 4],
    ['name', at.subnet],
    ['network_id', network.id!],
  ];
}

export const SUBNET_LIST = ['ID', 'Name', 'Network', 'Subnet'];
export const subnetListRows = (sb: Sandbox): Row[] =>
  Object.values(sb.cloud.networks).flatMap((n) =>
    Object.entries(n.subnets).map(([name, s]): Row => [
      ['ID', s.id!],
      ['Name', name],
      ['Network', n.id!],
      ['Subnet', s.cidr],
    ]),
  );
