import { readFileSync } from 'node:fs';
import type { Engine } from '../main/core/docker/engine';
import { execArgv } from '../main/core/docker/exec';

/** Figures the benchmarks share: order statistics and a node's memory. */

export const median = (values: readonly number[]): number => percentile(values, 50);

/** The nearest-rank percentile (p95 of 20 values is the 19th smallest). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  if (p === 50 && sorted.length % 2 === 0) return (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Working set of a node: cgroup memory usage minus inactive page cache (what `docker stats` shows). */
export async function nodeMemoryBytes(engine: Engine, containerId: string): Promise<number> {
  const container = engine.docker.getContainer(containerId);
  // Read by docker exec (a user given takes it), not the node's command channel: its server
  // (9 MB) runs only while commands come, and would be counted in an idle node it is not in.
  const read = (argv: string[]) => execArgv(container, argv, { user: 'root' });
  const v2 = await read(['cat', '/sys/fs/cgroup/memory.current', '/sys/fs/cgroup/memory.stat']);
  if (v2.exitCode === 0) {
    const [usage = '0'] = v2.stdout.split('\n');
    const inactive = /^inactive_file (\d+)$/m.exec(v2.stdout)?.[1] ?? '0';
    return Number(usage) - Number(inactive);
  }
  const v1 = await read(['cat', '/sys/fs/cgroup/memory/memory.usage_in_bytes', '/sys/fs/cgroup/memory/memory.stat']);
  const [usage = '0'] = v1.stdout.split('\n');
  const inactive = /^total_inactive_file (\d+)$/m.exec(v1.stdout)?.[1] ?? '0';
  return Number(usage) - Number(inactive);
}

/** CPU time the whole machine has spent so far (user, nice, system, irq, softirq), in ms: every process, the engine's too. */
export function machineCpuMs(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields.map(Number);
  return ((user + nice + system + irq + softirq) * 1000) / 100; // USER_HZ is 100 on Linux
}

/** Wall time of one call, in ms. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Median of `runs` timed calls after `warmup` untimed ones. */
export async function timedAsync(fn: () => Promise<unknown>, runs: number, warmup = 5): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timed(fn));
  return median(times);
}
