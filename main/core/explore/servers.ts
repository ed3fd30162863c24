import { stableUuid } from '../cloud/names';
import type { Vm } from '../cloud/schema';
import { parseCidr, parseIpv4, contains } from '../net/ipv4';
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
import { findNetwork } from './networks';
import { disassociateFloatingIp } from './routers';

/**
 * Servers, as much of Nova as the sandbox needs: a VM is a namespace on a compute node, its port
 * on the network made by Neutron (an address from the subnet's pool, a fa:16:3e MAC), plugged the
 * way Nova's hybrid driver plugs it. It takes its address by DHCP when its subnet serves DHCP.
 */

/** The sandbox's one image and its flavors (their sizes mean nothing to a namespace). */
export const IMAGES = ['cirros'];
export const FLAVORS = ['m1.tiny', 'm1.small'];

export interface ServerAsk {
  name: string;
  image: string;
  flavor: string;
  network: string;
  /** `nova:HOST` or `nova`: where it runs; else the compute with the fewest VMs. */
  zone?: string | undefined;
  /** `--nic net-id=…,v4-fixed-ip=…`: the address asked for. */
  address?: string | undefined;
  securityGroups: string[];
}

export const serverId = (sb: Sandbox, name: string): string => stableUuid(sb.lab.id, 'server', name);

export function findServer(sb: Sandbox, nameOrId: string): [string, Vm] {
  const found = Object.entries(sb.cloud.vms).find(([name]) => name === nameOrId || serverId(sb, name) === nameOrId);
  if (!found) throw new ApiError('NotFoundException', `No server with a name or ID of '${nameOrId}' exists.`);
  return found;
}

export function createServer(sb: Sandbox, ask: ServerAsk): string {
  checkName('server', ask.name);
  if (!IMAGES.includes(ask.image)) throw new ApiError('NotFoundException', `No image with a name or ID of '${ask.image}' exists.`);
  if (!FLAVORS.includes(ask.flavor)) throw new ApiError('NotFoundException', `No flavor with a name or ID of '${ask.flavor}' exists.`);
  if (sb.cloud.vms[ask.name])
    throw conflict(`A server named ${ask.name} exists already: in this sandbox a server's name is its namespace.`);
  const computes = nodesWithRole(sb.lab, 'compute');
  const node = placeOn(sb, computes, ask.zone);
  const [networkName, network] = findNetwork(sb, ask.network);
  const subnets = Object.entries(network.subnets);
  if (subnets.length === 0) throw badRequest(`Network ${network.id} requires a subnet in order to boot instances on.`);
  const [subnetName, subnet] =
    (ask.address ? subnets.find(([, s]) => contains(parseCidr(s.cidr)!, parseIpv4(ask.address!) ?? -1)) : undefined) ?? subnets[0]!;
  if (ask.address) checkAddress(sb.cloud, networkName, subnet.cidr, ask.address);
  for (const group of ask.securityGroups) {
    if (!sb.cloud.securityGroups[group]) throw new ApiError('NotFoundException', `Security group ${group} not found.`);
  }
  const address = ask.address ?? freeAddress(sb.cloud, networkName, subnet);
  sb.cloud.vms[ask.name] = {
    node,
    network: networkName,
    ...(subnets.length > 1 ? { subnet: subnetName } : {}),
    address,
    mac: newMac(),
    portId: newId(),
    securityGroups: ask.securityGroups,
    // A cirros guest asks for its address; without a DHCP server it would have none, so the
    // sandbox configures it then, as a config drive would.
    dhcp: network.dhcp !== undefined,
  };
  return ask.name;
}

function placeOn(sb: Sandbox, computes: string[], zone: string | undefined): string {
  if (computes.length === 0) throw conflict('No valid host was found. There are not enough hosts available.');
  if (zone !== undefined) {
    const [name, host] = zone.split(':');
    if (name !== 'nova') throw badRequest(`The requested availability zone is not available: ${name}.`);
    if (host) {
      if (!computes.includes(host)) throw badRequest(`Compute host ${host} could not be found.`);
      return host;
    }
  }
  const load = (node: string) => Object.values(sb.cloud.vms).filter((vm) => vm.node === node).length;
  return [...computes].sort((a, b) => load(a) - load(b))[0]!;
}

export function deleteServer(sb: Sandbox, nameOrId: string): void {
  const [name] = findServer(sb, nameOrId);
  // Neutron disassociates a floating IP when its port goes: it stays allocated, on its network.
  for (const fip of sb.cloud.floatingIps) if (fip.vm === name) disassociateFloatingIp(sb, fip.address);
  for (const pool of Object.values(sb.cloud.pools)) pool.members = pool.members.filter((m) => m.vm !== name);
  delete sb.cloud.vms[name];
}

export function serverRow(sb: Sandbox, name: string): Row {
  const vm = sb.cloud.vms[name]!;
  return [
    ['OS-EXT-AZ:availability_zone', 'nova'],
    ['OS-EXT-SRV-ATTR:host', vm.node],
    ['OS-EXT-STS:vm_state', 'active'],
    ['addresses', `${vm.network}=${vm.address}`],
    ['flavor', 'm1.tiny'],
    ['id', serverId(sb, name)],
    ['image', 'cirros'],
    ['name', name],
    ['security_groups', (vm.securityGroups ?? []).map((g) => `name='${g}'`)],
    ['status', 'ACTIVE'],
  ];
}

export const SERVER_LIST = ['ID', 'Name', 'Status', 'Networks', 'Image', 'Flavor'];
export const serverListRows = (sb: Sandbox): Row[] =>
  Object.entries(sb.cloud.vms).map(([name, vm]) => [
    ['ID', serverId(sb, name)],
    ['Name', name],
    ['Status', 'ACTIVE'],
    ['Networks', `${vm.network}=${vm.address}`],
    ['Image', 'cirros'],
    ['Flavor', 'm1.tiny'],
  ]);
