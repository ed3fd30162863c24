import { randomBytes, randomUUID } from 'node:crypto';
import type { Cloud } from '../cloud/schema';
import { contains, formatIpv4, networkOf, parseCidr, parseIpv4 } from '../net/ipv4';
import type { Lab } from '../lab/schema';
import { NameSchema } from '../topology/schema';

/**
 * What the sandbox's neutron-server (and the bit of Nova it needs) holds and how it answers:
 * the cloud part of a lab, changed call by call. A call that fails changes nothing: it works on
 * a copy, which replaces the cloud only when the whole call succeeded.
 */

/** An API error as the server gives it; the client prints it and exits 1. */
export class ApiError extends Error {
  constructor(
    readonly kind: 'BadRequestException' | 'NotFoundException' | 'ConflictException',
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string): ApiError => new ApiError('BadRequestException', `Invalid input for operation: ${message}`);
export const conflict = (message: string): ApiError => new ApiError('ConflictException', message);

/** The lab being explored, and a copy of its cloud the call changes. */
export interface Sandbox {
  lab: Lab;
  cloud: Cloud;
}

export const copyOf = (lab: Lab): Sandbox => ({ lab, cloud: structuredClone(lab.cloud) });

/** Names are keys of the lab's cloud (and namespace names), so they follow its rule. */
export function checkName(what: string, name: string): void {
  const parsed = NameSchema.safeParse(name);
  if (!parsed.success) throw badRequest(`${what} name '${name}': ${parsed.error.issues[0]?.message ?? 'not a valid name'}.`);
}

/** A resource by its name or id, as the client looks it up (`No Network found for x`; the v1 client's words with `v1NotFound`). */
export function findIn<T extends { id?: string | undefined }>(
  what: string,
  entries: Record<string, T>,
  nameOrId: string,
  idOf: (name: string, value: T) => string,
  notFound: (nameOrId: string) => string = (x) => `No ${what} found for ${x}`,
): [string, T] {
  const found = Object.entries(entries).find(([name, value]) => name === nameOrId || idOf(name, value) === nameOrId);
  if (!found) throw new ApiError('NotFoundException', notFound(nameOrId));
  return found;
}

/** How the legacy client says it found nothing (`Unable to find pool with name or id 'x'`). */
export const v1NotFound =
  (resource: string) =>
  (nameOrId: string): string =>
    `Unable to find ${resource} with name or id '${nameOrId}'`;

export const newId = (): string => randomUUID();
/** OpenStack's base_mac fa:16:3e, the rest random as Neutron picks it. */
export const newMac = (): string => `fa:16:3e:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

/** The nodes whose agents do a job: the network node's DHCP and L3 agents, the computes' Nova. */
export const nodesWithRole = (lab: Lab, role: 'network' | 'compute'): string[] =>
  Object.entries(lab.topology.nodes)
    .filter(([, node]) => node.role === role)
    .map(([name]) => name);

/** Every address taken on a network: subnet gateways, DHCP ports, VMs, routers' gateway and SNAT ports, fg- ports, VIPs, floating IPs. */
export function takenOn(cloud: Cloud, network: string): Set<string> {
  const taken = new Set<string>();
  const net = cloud.networks[network];
  if (!net) return taken;
  for (const subnet of Object.values(net.subnets)) taken.add(gatewayOf(subnet));
  if (net.dhcp) taken.add(net.dhcp.address);
  for (const vm of Object.values(cloud.vms)) if (vm.network === network) taken.add(vm.address);
  for (const router of Object.values(cloud.routers)) {
    if (router.gateway?.network === network) taken.add(router.gateway.address);
    for (const iface of router.interfaces) if (iface.snat && iface.subnet.startsWith(`${network}/`)) taken.add(iface.snat.address);
  }
  for (const pool of Object.values(cloud.pools)) if (pool.vip && pool.subnet.startsWith(`${network}/`)) taken.add(pool.vip.address);
  // Floating IPs and DVR's fg- ports name no network: theirs is the one whose subnets hold them.
  const ranges = Object.values(net.subnets).map((s) => parseCidr(s.cidr)!);
  const here = (address: string) => ranges.some((r) => contains(r, parseIpv4(address) ?? -1));
  for (const fip of cloud.floatingIps) if (here(fip.address)) taken.add(fip.address);
  for (const host of Object.values(cloud.dvr ?? {}))
    if (host.fipGateway && here(host.fipGateway.address)) taken.add(host.fipGateway.address);
  return taken;
}

export const gatewayOf = (subnet: { cidr: string; gateway?: string | undefined }): string =>
  subnet.gateway ?? formatIpv4(networkOf(parseCidr(subnet.cidr)!) + 1);

/** A subnet's allocation pools as address ranges: its own, else every host address. */
export function poolsOf(subnet: { cidr: string; allocationPools?: { start: string; end: string }[] | undefined }): [number, number][] {
  if (subnet.allocationPools?.length) return subnet.allocationPools.map((p) => [parseIpv4(p.start)!, parseIpv4(p.end)!]);
  const range = parseCidr(subnet.cidr)!;
  return [[networkOf(range) + 1, networkOf(range) + 2 ** (32 - range.prefix) - 2]];
}

/** The lowest free address of a subnet's allocation pools, as Neutron's IPAM hands them out. */
export function freeAddress(
  cloud: Cloud,
  network: string,
  subnet: { cidr: string; allocationPools?: { start: string; end: string }[] | undefined },
): string {
  const taken = takenOn(cloud, network);
  for (const [first, last] of poolsOf(subnet)) for (let a = first; a <= last; a++) if (!taken.has(formatIpv4(a))) return formatIpv4(a);
  throw conflict(`No more IP addresses available on network ${cloud.networks[network]?.id ?? network}.`);
}

/** A requested address: inside the subnet, not its network or broadcast address, not taken. */
export function checkAddress(cloud: Cloud, network: string, cidr: string, address: string): void {
  const ip = parseIpv4(address);
  const range = parseCidr(cidr)!;
  if (ip === undefined || !contains(range, ip)) throw badRequest(`IP address ${address} is not a valid IP for the specified subnet.`);
  if (takenOn(cloud, network).has(address))
    throw conflict(
      `Unable to complete operation for network ${cloud.networks[network]?.id ?? network}. The IP address ${address} is in use.`,
    );
}
