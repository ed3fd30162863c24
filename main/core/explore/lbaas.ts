import { stableUuid } from '../cloud/names';
import type { HealthMonitor, Pool } from '../cloud/schema';
import type { Row } from './format';
import {
  ApiError,
  badRequest,
  checkAddress,
  checkName,
  conflict,
  findIn,
  freeAddress,
  newId,
  newMac,
  nodesWithRole,
  v1NotFound,
  type Sandbox,
} from './neutron';
import { findSubnet } from './networks';

/**
 * LBaaS v1 as its plugin keeps it (the book's `lb-pool-create`, `lb-vip-create`,
 * `lb-member-create`, `lb-healthmonitor-create` and `-associate`): a pool on a subnet, scheduled
 * to the network node's LBaaS agent, which deploys haproxy in qlbaas-<pool id> once the pool has
 * its VIP; members by address (here: a server's on the pool's network); health monitors on their
 * own, associated with a pool. This sandbox gives a pool one monitor at a time.
 */

export const PROTOCOLS = ['HTTP', 'TCP'] as const;
export const METHODS = ['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP'] as const;
export const MONITOR_TYPES = ['PING', 'TCP', 'HTTP'] as const;

export const poolId = (sb: Sandbox, name: string): string => sb.cloud.pools[name]?.id ?? stableUuid(sb.lab.id, 'pool', name);

export function findPool(sb: Sandbox, nameOrId: string): [string, Pool] {
  return findIn('pool', sb.cloud.pools, nameOrId, (name) => poolId(sb, name), v1NotFound('pool'));
}

export interface PoolAsk {
  name: string;
  subnet: string;
  protocol: Pool['protocol'];
  method: Pool['method'];
}

export function createPool(sb: Sandbox, ask: PoolAsk): string {
  checkName('pool', ask.name);
  if (sb.cloud.pools[ask.name]) throw conflict(`A pool named ${ask.name} exists already: in this sandbox a pool's name is its key.`);
  const node = nodesWithRole(sb.lab, 'network')[0];
  if (!node) throw conflict('No LBaaS agent is running: the sandbox has no network node.');
  const at = findSubnet(sb, ask.subnet);
  if (sb.cloud.networks[at.network]!.external) throw badRequest('a pool on an external network is not modelled by this sandbox.');
  sb.cloud.pools[ask.name] = {
    node,
    id: newId(),
    subnet: `${at.network}/${at.subnet}`,
    protocol: ask.protocol,
    method: ask.method,
    members: [],
  };
  return ask.name;
}

export function deletePool(sb: Sandbox, nameOrId: string): void {
  const [name, pool] = findPool(sb, nameOrId);
  if (pool.vip) throw conflict(`Pool ${poolId(sb, name)} is still in use`);
  delete sb.cloud.pools[name];
}

// VIPs: one per pool, kept in it.

export const vipId = (sb: Sandbox, pool: string): string => sb.cloud.pools[pool]?.vip?.id ?? stableUuid(sb.lab.id, 'vip', pool);
const vipName = (pool: string, vip: NonNullable<Pool['vip']>): string => vip.name ?? pool;

/** The pool whose VIP is `nameOrId` (its name or id). */
export function findVip(sb: Sandbox, nameOrId: string): string {
  const found = Object.entries(sb.cloud.pools).find(
    ([name, pool]) => pool.vip && (vipName(name, pool.vip) === nameOrId || vipId(sb, name) === nameOrId),
  );
  if (!found) throw new ApiError('NotFoundException', `Unable to find vip with name or id '${nameOrId}'`);
  return found[0];
}

export interface VipAsk {
  name: string;
  pool: string;
  subnet: string;
  protocol: Pool['protocol'];
  port: number;
  address?: string | undefined;
}

export function createVip(sb: Sandbox, ask: VipAsk): string {
  const [name, pool] = findPool(sb, ask.pool);
  if (pool.vip) throw conflict(`Another Vip already exists for pool ${poolId(sb, name)}`);
  if (ask.port < 1 || ask.port > 65535)
    throw badRequest(`Invalid input for protocol_port. Reason: '${ask.port}' is not in range 0 through 65535.`);
  if (ask.protocol !== pool.protocol) throw badRequest(`Protocol ${ask.protocol} does not match the pool protocol ${pool.protocol}`);
  const at = findSubnet(sb, ask.subnet);
  if (`${at.network}/${at.subnet}` !== pool.subnet)
    throw badRequest(`this sandbox puts a VIP on its pool's subnet (${pool.subnet}), not on ${at.network}/${at.subnet}.`);
  const subnet = sb.cloud.networks[at.network]!.subnets[at.subnet]!;
  if (ask.address !== undefined) checkAddress(sb.cloud, at.network, subnet.cidr, ask.address);
  pool.vip = {
    name: ask.name,
    address: ask.address ?? freeAddress(sb.cloud, at.network, subnet),
    port: ask.port,
    id: newId(),
    portId: newId(),
    mac: newMac(),
  };
  return name;
}

export function deleteVip(sb: Sandbox, nameOrId: string): void {
  delete sb.cloud.pools[findVip(sb, nameOrId)]!.vip;
}

// Members: a server's address and port, in one pool.

export const memberId = (sb: Sandbox, pool: string, vm: string): string =>
  sb.cloud.pools[pool]?.members.find((m) => m.vm === vm)?.id ?? stableUuid(sb.lab.id, 'member', pool, vm);

function findMember(sb: Sandbox, id: string): { pool: string; index: number } {
  for (const [name, pool] of Object.entries(sb.cloud.pools)) {
    const index = pool.members.findIndex((m) => memberId(sb, name, m.vm) === id);
    if (index >= 0) return { pool: name, index };
  }
  throw new ApiError('NotFoundException', `Unable to find member with name or id '${id}'`);
}

export function createMember(sb: Sandbox, ask: { pool: string; address: string; port: number; weight: number }): string {
  const [name, pool] = findPool(sb, ask.pool);
  const network = pool.subnet.split('/')[0]!;
  const vm = Object.entries(sb.cloud.vms).find(([, v]) => v.network === network && v.address === ask.address)?.[0];
  if (!vm) throw badRequest(`this sandbox's members are servers: no server has address ${ask.address} on the pool's network ${network}.`);
  if (pool.members.some((m) => m.vm === vm))
    throw conflict(`Member with address ${ask.address} and port ${ask.port} already present in pool ${poolId(sb, name)}`);
  if (ask.weight < 0 || ask.weight > 256)
    throw badRequest(`Invalid input for weight. Reason: '${ask.weight}' is not in range 0 through 256.`);
  const id = newId();
  pool.members.push({ vm, port: ask.port, weight: ask.weight, id });
  return id;
}

export function deleteMember(sb: Sandbox, id: string): void {
  const at = findMember(sb, id);
  sb.cloud.pools[at.pool]!.members.splice(at.index, 1);
}

// Health monitors: on their own, associated with pools.

export const monitorId = (sb: Sandbox, name: string): string =>
  sb.cloud.healthMonitors?.[name]?.id ?? stableUuid(sb.lab.id, 'health-monitor', name);

export function findMonitor(sb: Sandbox, nameOrId: string): [string, HealthMonitor] {
  return findIn('health monitor', sb.cloud.healthMonitors ?? {}, nameOrId, (name) => monitorId(sb, name), v1NotFound('health_monitor'));
}

/** A monitor has no name in LBaaS v1: the sandbox keys it monitor-1, monitor-2… (the lowest free). */
export function createMonitor(sb: Sandbox, monitor: Omit<HealthMonitor, 'id'>): string {
  if (monitor.timeout > monitor.delay) throw badRequest('delay must be greater than or equal to timeout');
  if (monitor.path !== undefined && monitor.type !== 'HTTP') throw badRequest('url_path is for HTTP monitors only');
  const monitors = (sb.cloud.healthMonitors ??= {});
  let n = 1;
  while (monitors[`monitor-${n}`]) n++;
  monitors[`monitor-${n}`] = { id: newId(), ...monitor };
  return `monitor-${n}`;
}

/** Deleting a monitor takes it off its pools first, as the v1 plugin does. */
export function deleteMonitor(sb: Sandbox, nameOrId: string): void {
  const [name] = findMonitor(sb, nameOrId);
  for (const pool of Object.values(sb.cloud.pools)) if (pool.monitor === name) delete pool.monitor;
  delete sb.cloud.healthMonitors![name];
  if (Object.keys(sb.cloud.healthMonitors!).length === 0) delete sb.cloud.healthMonitors;
}

export function associateMonitor(sb: Sandbox, monitorNameOrId: string, poolNameOrId: string): void {
  const [monitor] = findMonitor(sb, monitorNameOrId);
  const [name, pool] = findPool(sb, poolNameOrId);
  if (pool.monitor === monitor) throw conflict(`Monitor ${monitorId(sb, monitor)} is already associated with pool ${poolId(sb, name)}`);
  if (pool.monitor !== undefined)
    throw conflict(`Pool ${poolId(sb, name)} has a health monitor already: this sandbox gives a pool one. Disassociate it first.`);
  pool.monitor = monitor;
}

export function disassociateMonitor(sb: Sandbox, monitorNameOrId: string, poolNameOrId: string): void {
  const [monitor] = findMonitor(sb, monitorNameOrId);
  const [name, pool] = findPool(sb, poolNameOrId);
  if (pool.monitor !== monitor)
    throw new ApiError('NotFoundException', `Monitor ${monitorId(sb, monitor)} is not associated with Pool ${poolId(sb, name)}`);
  delete pool.monitor;
}

// What they print: the v1 client's fields and list columns.

const subnetIdOf = (sb: Sandbox, ref: string): string => {
  const [network, subnet] = ref.split('/') as [string, string];
  return sb.cloud.networks[network]?.subnets[subnet]?.id ?? '';
};
/** A pool's monitor's id: its own, or (one a lab file writes into the pool) one derived from the pool. */
const monitorOf = (sb: Sandbox, name: string, pool: Pool): string[] =>
  typeof pool.monitor === 'string'
    ? [monitorId(sb, pool.monitor)]
    : pool.monitor
      ? [stableUuid(sb.lab.id, 'health-monitor', 'pool', name)]
      : [];

export function poolRow(sb: Sandbox, name: string): Row {
  const pool = sb.cloud.pools[name]!;
  return [
    ['admin_state_up', true],
    ['description', ''],
    ['health_monitors', monitorOf(sb, name, pool)],
    ['id', poolId(sb, name)],
    ['lb_method', pool.method],
    ['members', pool.members.map((m) => memberId(sb, name, m.vm))],
    ['name', name],
    ['protocol', pool.protocol],
    ['provider', 'haproxy'],
    ['status', 'ACTIVE'],
    ['subnet_id', subnetIdOf(sb, pool.subnet)],
    ['vip_id', pool.vip ? vipId(sb, name) : null],
  ];
}
export const POOL_LIST = ['id', 'name', 'provider', 'lb_method', 'protocol', 'admin_state_up', 'status'];
export const poolListRows = (sb: Sandbox): Row[] => Object.keys(sb.cloud.pools).map((name) => poolRow(sb, name));

export function vipRow(sb: Sandbox, pool: string): Row {
  const vip = sb.cloud.pools[pool]!.vip!;
  return [
    ['address', vip.address],
    ['admin_state_up', true],
    ['connection_limit', -1],
    ['id', vipId(sb, pool)],
    ['name', vipName(pool, vip)],
    ['pool_id', poolId(sb, pool)],
    ['port_id', vip.portId ?? stableUuid(sb.lab.id, 'vip-port', pool)],
    ['protocol', sb.cloud.pools[pool]!.protocol],
    ['protocol_port', vip.port],
    ['status', 'ACTIVE'],
    ['subnet_id', subnetIdOf(sb, sb.cloud.pools[pool]!.subnet)],
  ];
}
export const VIP_LIST = ['id', 'name', 'address', 'protocol', 'admin_state_up', 'status'];
export const vipListRows = (sb: Sandbox): Row[] =>
  Object.entries(sb.cloud.pools).flatMap(([name, pool]) => (pool.vip ? [vipRow(sb, name)] : []));

export function memberListRows(sb: Sandbox): Row[] {
  return Object.entries(sb.cloud.pools).flatMap(([name, pool]) =>
    pool.members.map((m): Row => [
      ['address', sb.cloud.vms[m.vm]?.address ?? ''],
      ['admin_state_up', true],
      ['id', memberId(sb, name, m.vm)],
      ['pool_id', poolId(sb, name)],
      ['protocol_port', m.port],
      ['status', 'ACTIVE'],
      ['weight', m.weight],
    ]),
  );
}
export const MEMBER_LIST = ['id', 'address', 'protocol_port', 'weight', 'admin_state_up', 'status'];
export function memberRow(sb: Sandbox, id: string): Row {
  const row = memberListRows(sb).find((r) => r.some(([k, v]) => k === 'id' && v === id));
  if (!row) throw new ApiError('NotFoundException', `Unable to find member with name or id '${id}'`);
  return row;
}

export function monitorRow(sb: Sandbox, name: string): Row {
  const monitor = sb.cloud.healthMonitors![name]!;
  const pools = Object.entries(sb.cloud.pools).filter(([, p]) => p.monitor === name);
  return [
    ['admin_state_up', true],
    ['delay', monitor.delay],
    ['id', monitorId(sb, name)],
    ['max_retries', monitor.retries],
    ['pools', pools.map(([p]) => `pool_id='${poolId(sb, p)}', status='ACTIVE'`)],
    ['timeout', monitor.timeout],
    ['type', monitor.type],
    ...(monitor.type === 'HTTP' ? ([['url_path', monitor.path ?? '/']] as const) : []),
  ];
}
export const MONITOR_LIST = ['id', 'type', 'admin_state_up'];
export const monitorListRows = (sb: Sandbox): Row[] => Object.keys(sb.cloud.healthMonitors ?? {}).map((name) => monitorRow(sb, name));
