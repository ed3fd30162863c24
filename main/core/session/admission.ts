import { readFile } from 'node:fs/promises';
import type { Engine } from '../docker/engine';
import { AppError } from '../errors';

/**
 * Admission by memory: a lab starts only when the machine can hold it, so a full server says so
 * at once instead of booting a lab whose nodes the kernel then kills (a class's worst hour).
 *
 * What a node takes: about 20 MB idle (OVS, its database, the init; `npm run bench` measures
 * it), more with agents at work (dnsmasq, haproxy, keepalived) and a learner's shells. The
 * estimate is generous on purpose; the reserve keeps the machine itself (the server, dockerd,
 * the page cache) breathing.
 */
export const NODE_MEMORY_ESTIMATE_BYTES = 64 * 1024 * 1024;
export const MEMORY_RESERVE_BYTES = 512 * 1024 * 1024;

const MB = 1024 * 1024;

/** MemAvailable of /proc/meminfo, or undefined where there is none (macOS, Windows). */
export async function memoryAvailableBytes(file = '/proc/meminfo'): Promise<number | undefined> {
  try {
    const match = /^MemAvailable:\s+(\d+) kB$/m.exec(await readFile(file, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Why a lab of `nodes` nodes does not fit in `available` bytes, or undefined when it does. */
export function memoryShortfall(nodes: number, available: number): AppError | undefined {
  const needed = nodes * NODE_MEMORY_ESTIMATE_BYTES + MEMORY_RESERVE_BYTES;
  if (available >= needed) return undefined;
  return new AppError(
    'environment',
    `Not enough memory for another lab: its ${nodes === 1 ? 'one node needs' : `${nodes} nodes need`} about ${Math.round((nodes * NODE_MEMORY_ESTIMATE_BYTES) / MB)} MB and the machine has ${Math.round(available / MB)} MB available (${Math.round(MEMORY_RESERVE_BYTES / MB)} MB are kept for the machine itself).`,
    { hint: 'Stop labs no one uses (neutron-lab status lists them), or run the class on a machine with more memory.' },
  );
}

/**
 * Refuses a lab that would not fit. Only an engine on this machine shares its memory: for a
 * remote engine (or Docker Desktop's VM) this machine's figure says nothing, and it is skipped.
 */
export async function admitByMemory(engine: Engine, nodes: number, available?: number): Promise<void> {
  if (!engine.info.endpoint.startsWith('unix://')) return;
  const bytes = available ?? (await memoryAvailableBytes());
  if (bytes === undefined) return;
  const shortfall = memoryShortfall(nodes, bytes);
  if (shortfall) throw shortfall;
}
