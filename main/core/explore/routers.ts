import { resolveCloud } from '../cloud/model';
import { stableUuid } from '../cloud/names';
import type { Cloud } from '../cloud/schema';
import { contains, parseCidr, parseIpv4 } from '../net/ipv4';
import type { Row } from './format';
import {
  ApiError,
  badRequest,
  checkAddress,
  checkName,
  conflict,
  freeAddress,
  newId,
  newMac,
  nodesWithRole,
  type Sandbox,
} from './neutron';
import { findNetwork, findSubnet } from './networks';
import { findServer } from './servers';

/**
 * Routers and floating IPs as the L3 plugin keeps them: a router is scheduled to the network
 * node's L3 agent; its gateway is a port on an external network (the first free address), an
 * interface the subnet's gateway address; a floating IP is an address of the external network
 * bound to a VM's port, served by the router between them.
 */

type Router = Cloud['routers'][string];

export function findRouter(sb: Sandbox, nameOrId: string): [string, Router] {
  const found = Object.entries(sb.cloud.routers).find(([name, r]) => name === nameOrId || r.id === nameOrId);
  if (!found) throw new ApiError('NotFoundException', `No Router found for ${nameOrId}`);
  return found;
}

export function createRouter(sb: Sandbox, name: string, distributed: boolean): string {
  checkName('router', name);
  if (sb.cloud.routers[name]) throw conflict(`A router named ${name} exists already: in this sandbox a router's name is its key.`);
  const node = nodesWithRole(sb.lab, 'network')[0];
  if (!node) throw conflict('No L3 agent is running: the sandbox has no network node.');
  // A distributed router's snat-<id> is on the network node (its L3 agent is dvr_snat); its
  // qrouter-<id> goes to each compute where a VM sits on one of its subnets.
  sb.cloud.routers[name] = { node, id: newId(), hostedBy: 'neutron-l3-agent', interfaces: [], distributed };
  return name;
}

/**
 * What DVR adds to a call, as the L3 plugin does it after every change: an SNAT port (sg-, the
 * next free address) on each subnet of a distributed router with a gateway, gone with the
 * gateway or the interface; and a floating-IP gateway port (fg-, an address of the external
 * network) for each host that serves a distributed router's floating IP, gone with the host's
 * last one. Kept ports keep their addresses.
 */
export function keepDvr(sb: Sandbox): void {
  const { cloud } = sb;
  const distributed = Object.values(cloud.routers).filter((r) => r.distributed);
  for (const router of distributed) {
    for (const iface of router.interfaces) {
      if (!router.gateway) delete iface.snat;
      else if (!iface.snat) {
        const [network, subnet] = iface.subnet.split('/') as [string, string];
        iface.snat = { address: freeAddress(cloud, network, cloud.networks[network]!.subnets[subnet]!), portId: newId(), mac: newMac() };
      }
    }
  }
  const served = new Map<string, string>();
  for (const fip of cloud.floatingIps) {
    const router = fip.router === undefined ? undefined : cloud.routers[fip.router];
    const host = fip.vm === undefined ? undefined : cloud.vms[fip.vm]?.node;
    if (router?.distributed && router.gateway && host) served.set(host, router.gateway.network);
  }
  // The hosts still serving keep their ports; a new host's port is allocated once those are taken.
  const kept = cloud.dvr;
  const hosts: NonNullable<Cloud['dvr']> = (cloud.dvr = {});
  for (const host of served.keys()) if (kept?.[host]?.fipGateway) hosts[host] = { fipGateway: kept[host].fipGateway };
  for (const [host, network] of served) {
    const subnet = Object.values(cloud.networks[network]!.subnets)[0]!;
    hosts[host] ??= { fipGateway: { address: freeAddress(cloud, network, subnet), portId: newId(), mac: newMac() } };
  }
  if (Object.keys(hosts).length === 0) delete cloud.dvr;
}

export function setGateway(sb: Sandbox, routerName: string, networkName: string, address?: string): void {
  const [, router] = findRouter(sb, routerName);
  const [netName, network] = findNetwork(sb, networkName);
  if (!network.external) throw badRequest(`Bad router request: Network ${network.id} is not an external network.`);
  const subnet = Object.values(network.subnets)[0];
  if (!subnet) throw badRequest(`Bad router request: network ${network.id} has no subnet for the gateway.`);
  if (router.gateway) throw conflict(`Router ${router.id} has a gateway already: unset it first.`);
  // Each host has one fg- port, on one external network, for every distributed router's floating IPs.
  const other = Object.values(sb.cloud.routers).find((r) => r.distributed && r.gateway && r.gateway.network !== netName);
  if (router.distributed && other?.gateway) {
    throw badRequest(
      `Bad router request: distributed routers in this sandbox share one external network (${other.gateway.network}): each host's fg- port is on it.`,
    );
  }
  if (address) checkAddress(sb.cloud, netName, subnet.cidr, address);
  router.gateway = { network: netName, address: address ?? freeAddress(sb.cloud, netName, subnet), portId: newId(), mac: newMac() };
}

export function unsetGateway(sb: Sandbox, routerName: string): void {
  const [name, router] = findRouter(sb, routerName);
  if (sb.cloud.floatingIps.some((f) => f.router === name)) {
    throw conflict(
      `Gateway cannot be updated for router ${router.id}, since a gateway to external network is required by one or more floating IPs.`,
    );
  }
  delete router.gateway;
}

export function addInterface(sb: Sandbox, routerName: string, subnetName: string): void {
  const [, router] = findRouter(sb, routerName);
  const at = findSubnet(sb, subnetName);
  const ref = `${at.network}/${at.subnet}`;
  const network = sb.cloud.networks[at.network]!;
  if (network.external)
    throw badRequest(
      `Bad router request: Router interfaces on external network ${network.id} are the gateway's: use router set --external-gateway.`,
    );
  if (router.interfaces.some((i) => i.subnet === ref)) {
    throw badRequest(`Bad router request: Router already has a port on subnet ${network.subnets[at.subnet]!.id}.`);
  }
  const cidr = parseCidr(network.subnets[at.subnet]!.cidr)!;
  for (const other of router.interfaces) {
    const [n, s] = other.subnet.split('/') as [string, string];
    const theirs = parseCidr(sb.cloud.networks[n]!.subnets[s]!.cidr)!;
    if (contains(theirs, cidr.address) || contains(cidr, theirs.address)) {
      throw badRequest(
        `Bad router request: Cidr ${network.subnets[at.subnet]!.cidr} of subnet ${network.subnets[at.subnet]!.id} overlaps with cidr ${sb.cloud.networks[n]!.subnets[s]!.cidr} of subnet on the router.`,
      );
    }
  }
  router.interfaces.push({ subnet: ref, portId: newId(), mac: newMac() });
}

export function removeInterface(sb: Sandbox, routerName: string, subnetName: string): void {
  const [name, router] = findRouter(sb, routerName);
  const at = findSubnet(sb, subnetName);
  const ref = `${at.network}/${at.subnet}`;
  if (!router.interfaces.some((i) => i.subnet === ref)) {
    throw new ApiError(
      'NotFoundException',
      `Router ${router.id} has no interface on subnet ${sb.cloud.networks[at.network]!.subnets[at.subnet]!.id}`,
    );
  }
  const served = sb.cloud.floatingIps.filter((f) => f.router === name && f.vm !== undefined && sb.cloud.vms[f.vm]?.network === at.network);
  if (served.length > 0) {
    throw conflict(
      `Router interface for subnet ${sb.cloud.networks[at.network]!.subnets[at.subnet]!.id} on router ${router.id} cannot be deleted, as it is required by one or more floating IPs.`,
    );
  }
  router.interfaces = router.interfaces.filter((i) => i.subnet !== ref);
}

export function deleteRouter(sb: Sandbox, nameOrId: string): void {
  const [name, router] = findRouter(sb, nameOrId);
  if (router.interfaces.length > 0) throw conflict(`Router ${router.id} still has ports`);
  const firewall = Object.entries(sb.cloud.firewalls).find(([, f]) => f.router === name);
  if (firewall) throw conflict(`Router ${router.id} is in use by firewall ${firewall[0]}: delete the firewall first.`);
  delete sb.cloud.routers[name];
}

function externalFixedIps(sb: Sandbox, router: Router): string | null {
  if (!router.gateway) return null;
  const network = sb.cloud.networks[router.gateway.network]!;
  const subnet = Object.values(network.subnets).find((s) => contains(parseCidr(s.cidr)!, parseIpv4(router.gateway!.address)!));
  return `network_id='${network.id}', enable_snat='True', external_fixed_ips='[{'subnet_id': '${subnet?.id}', 'ip_address': '${router.gateway.address}'}]'`;
}

export function routerRow(sb: Sandbox, name: string): Row {
  const router = sb.cloud.routers[name]!;
  return [
    ['admin_state_up', 'UP'],
    ['distributed', router.distributed],
    ['external_gateway_info', externalFixedIps(sb, router)],
    ['ha', false],
    ['id', router.id!],
    ['interfaces_info', router.interfaces.map((i) => `port_id='${i.portId}', subnet='${i.subnet}'`)],
    ['name', name],
    ['status', 'ACTIVE'],
  ];
}

export const ROUTER_LIST = ['ID', 'Name', 'Status', 'State', 'Distributed', 'HA'];
export const routerListRows = (sb: Sandbox): Row[] =>
  Object.entries(sb.cloud.routers).map(([name, r]) => [
    ['ID', r.id!],
    ['Name', name],
    ['Status', 'ACTIVE'],
    ['State', 'UP'],
    ['Distributed', r.distributed],
    ['HA', false],
  ]);

// Floating IPs.

/**
 * `floating ip create`: an address of the external network, associated with a server's port when
 * one is given (the router between the port's subnet and that network NATs it), else only
 * allocated, to be associated later (`floating ip set --port`, `server add floating ip`).
 */
export function createFloatingIp(sb: Sandbox, networkName: string, portOrServer: string | undefined, address?: string): string {
  const [netName, network] = findNetwork(sb, networkName);
  if (!network.external) throw badRequest(`Bad floatingip request: Network ${network.id} is not a valid external network.`);
  const subnet = Object.values(network.subnets)[0];
  if (!subnet) throw badRequest(`Bad floatingip request: Network ${network.id} has no subnet to allocate floating IPs from.`);
  if (address) checkAddress(sb.cloud, netName, subnet.cidr, address);
  const fipAddress = address ?? freeAddress(sb.cloud, netName, subnet);
  sb.cloud.floatingIps.push({ address: fipAddress, network: netName });
  if (portOrServer !== undefined) associateFloatingIp(sb, fipAddress, portOrServer);
  return fipAddress;
}

/** Associates floating IP `addressOrId` with a server's port (by port id, or the server's name). */
export function associateFloatingIp(sb: Sandbox, addressOrId: string, portOrServer: string): void {
  const fip = sb.cloud.floatingIps[findFloatingIp(sb, addressOrId)]!;
  const netName = fip.network ?? sb.cloud.routers[fip.router ?? '']?.gateway?.network ?? '';
  const network = sb.cloud.networks[netName]!;
  const ports = resolveCloud({ ...sb.lab, cloud: sb.cloud }).ports;
  const port = ports.find((p) => p.owner === 'vm' && (p.portId === portOrServer || p.name === portOrServer));
  if (!port) throw new ApiError('NotFoundException', `No Port found for ${portOrServer}`);
  const [vm] = findServer(sb, port.name);
  if (fip.vm === vm) return;
  if (fip.vm !== undefined)
    throw conflict(`Cannot associate floating IP ${fip.address} with port ${port.portId}: it is associated with another port already.`);
  if (sb.cloud.floatingIps.some((f) => f.vm === vm))
    throw conflict(`Cannot associate floating IP with port ${port.portId}: it has one already.`);
  const router = Object.entries(sb.cloud.routers).find(
    ([, r]) => r.gateway?.network === netName && r.interfaces.some((i) => i.subnet === `${port.network.name}/${port.subnet.name}`),
  );
  if (!router) {
    throw new ApiError(
      'NotFoundException',
      `External network ${network.id} is not reachable from subnet ${port.subnet.id}.  Therefore, cannot associate Port ${port.portId} with a Floating IP.`,
    );
  }
  fip.vm = vm;
  fip.router = router[0];
}

/** Disassociates floating IP `addressOrId`: it stays allocated, on its network; the router's NAT for it goes. */
export function disassociateFloatingIp(sb: Sandbox, addressOrId: string): void {
  const fip = sb.cloud.floatingIps[findFloatingIp(sb, addressOrId)]!;
  fip.network ??= sb.cloud.routers[fip.router ?? '']?.gateway?.network;
  delete fip.vm;
  delete fip.router;
}

export function findFloatingIp(sb: Sandbox, addressOrId: string): number {
  const index = sb.cloud.floatingIps.findIndex((f) => f.address === addressOrId || floatingIpId(sb, f.address) === addressOrId);
  if (index < 0) throw new ApiError('NotFoundException', `No FloatingIP found for ${addressOrId}`);
  return index;
}

export const floatingIpId = (sb: Sandbox, address: string): string => stableUuid(sb.lab.id, 'floating-ip', address);

export function deleteFloatingIp(sb: Sandbox, addressOrId: string): void {
  sb.cloud.floatingIps.splice(findFloatingIp(sb, addressOrId), 1);
}

export function floatingIpRow(sb: Sandbox, address: string): Row {
  const fip = sb.cloud.floatingIps.find((f) => f.address === address)!;
  const vm = fip.vm === undefined ? undefined : sb.cloud.vms[fip.vm];
  const network = fip.network ?? sb.cloud.routers[fip.router ?? '']?.gateway?.network;
  return [
    ['fixed_ip_address', vm?.address ?? null],
    ['floating_ip_address', fip.address],
    ['floating_network_id', (network && sb.cloud.networks[network]?.id) ?? null],
    ['id', floatingIpId(sb, fip.address)],
    ['port_id', vm?.portId ?? null],
    ['router_id', (fip.router && sb.cloud.routers[fip.router]?.id) ?? null],
    // A floating IP on no port is DOWN, as Neutron shows it.
    ['status', vm ? 'ACTIVE' : 'DOWN'],
  ];
}

export const FLOATING_IP_LIST = ['ID', 'Floating IP Address', 'Fixed IP Address', 'Port'];
export const floatingIpListRows = (sb: Sandbox): Row[] =>
  sb.cloud.floatingIps.map((f) => {
    const vm = f.vm === undefined ? undefined : sb.cloud.vms[f.vm];
    return [
      ['ID', floatingIpId(sb, f.address)],
      ['Floating IP Address', f.address],
      ['Fixed IP Address', vm?.address ?? null],
      ['Port', vm?.portId ?? null],
    ];
  });
