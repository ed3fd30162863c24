import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Engine } from '../docker/engine';
import { AppError } from '../errors';
import { withHostLock } from '../host-lock';
import { userCacheDir } from '../paths';
import { formatIpv4, networkOf, overlaps, parseCidr, type Ipv4Cidr } from '../net/ipv4';

/**
 * Lab networks take their subnets from a pool the app manages, not from Docker's default pools
 * (about thirty networks, so ten to fifteen labs): a class of forty needs more. The subnets only
 * tell a node's interfaces apart at boot (nl-init renames each by its Docker route, then gives it
 * the lab's own address), so each network takes a small block.
 *
 * The default range is off the ones home, office and Docker networks use (192.168/16,
 * 172.16/12, 10.0/16, 10.1/16); NEUTRON_LAB_ADDRESS_POOL sets another, e.g. where 10.213/16 is a
 * real network the host must still reach.
 */
export const DEFAULT_ADDRESS_POOL = '10.213.0.0/16';
export const ADDRESS_POOL_VARIABLE = 'NEUTRON_LAB_ADDRESS_POOL';
/** A /26 per lab network: 61 addresses for its nodes, 1024 networks in the default pool. */
export const LAB_NETWORK_PREFIX = 26;

export interface AddressPool {
  text: string;
  cidr: Ipv4Cidr;
}

/** The pool this process uses; a bad setting names the variable and what is wrong with it. */
export function addressPool(env: NodeJS.ProcessEnv = process.env): AddressPool {
  const text = env[ADDRESS_POOL_VARIABLE]?.trim() || DEFAULT_ADDRESS_POOL;
  const cidr = parseCidr(text);
  const wrong = (why: string) =>
    new AppError('input', `${ADDRESS_POOL_VARIABLE}="${text}": ${why}.`, {
      hint: `Give an IPv4 range like ${DEFAULT_ADDRESS_POOL} that no network the host needs uses, or unset it for that default.`,
    });
  if (!cidr) throw wrong('not an IPv4 range written address/prefix');
  if (cidr.prefix > LAB_NETWORK_PREFIX)
    throw wrong(`a range of /${LAB_NETWORK_PREFIX} or larger is needed (a lab network takes a /${LAB_NETWORK_PREFIX})`);
  if (networkOf(cidr) !== cidr.address) throw wrong(`it is not the start of its range (${formatIpv4(networkOf(cidr))}/${cidr.prefix} is)`);
  return { text, cidr };
}

/** The first block of the pool that overlaps none of `used`, or undefined when all are taken. */
export function firstFreeSubnet(pool: AddressPool, used: readonly string[]): string | undefined {
  const taken = used.flatMap((text) => parseCidr(text) ?? []);
  const blocks = 2 ** (LAB_NETWORK_PREFIX - pool.cidr.prefix);
  const size = 2 ** (32 - LAB_NETWORK_PREFIX);
  for (let i = 0; i < blocks; i++) {
    const block = { address: pool.cidr.address + i * size, prefix: LAB_NETWORK_PREFIX };
    if (!taken.some((t) => overlaps(t, block))) return `${formatIpv4(block.address)}/${LAB_NETWORK_PREFIX}`;
  }
  return undefined;
}

/** How often a process waiting for another's network creation looks again. */
const LOCK_POLL_MS = 25;

/**
 * Creates a network on the pool's first free block. Listing the engine's subnets and creating the
 * network is one step under a lock every process of this machine takes (a server, a second `up`,
 * parallel test files), so two never pick the same block. A process elsewhere on a shared remote
 * engine takes no such lock: Docker then refuses the block as overlapping, and the next try lists
 * again.
 */
export async function createPooledNetwork(
  engine: Engine,
  options: Docker.NetworkCreateOptions,
  pool: AddressPool,
): Promise<{ network: Docker.Network; subnet: string }> {
  const lock = join(userCacheDir(), 'locks', 'address-pool.lock');
  for (let attempt = 0; attempt < 10; attempt++) {
    const created = await withHostLock(lock, () => createOnFirstFree(engine, options, pool), { pollMs: LOCK_POLL_MS });
    if (created) return created;
  }
  throw new AppError('failed', `Could not find a free subnet in ${pool.text} for network ${options.Name}: others kept taking them.`);
}

/** One try: the created network, or undefined when Docker found the block taken meanwhile. */
async function createOnFirstFree(
  engine: Engine,
  options: Docker.NetworkCreateOptions,
  pool: AddressPool,
): Promise<{ network: Docker.Network; subnet: string } | undefined> {
  const networks = await engine.call("listing the engine's networks", (abortSignal) => engine.docker.listNetworks({ abortSignal }));
  const used = networks.flatMap((n) => (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet ? [c.Subnet] : [])));
  const subnet = firstFreeSubnet(pool, used);
  if (!subnet) {
    throw new AppError(
      'environment',
      `The address pool ${pool.text} has no free /${LAB_NETWORK_PREFIX} left for network ${options.Name}.`,
      {
        hint: `Stop labs you no longer use (neutron-lab down --all), or give a larger range in ${ADDRESS_POOL_VARIABLE}.`,
      },
    );
  }
  try {
    const network = await engine.call(`creating network ${options.Name}`, (abortSignal) =>
      engine.docker.createNetwork({ ...options, IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] }, abortSignal }),
    );
    return { network, subnet };
  } catch (error) {
    if (/overlaps/i.test((error as Error).message ?? '')) return undefined;
    throw error;
  }
}
