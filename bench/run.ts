/**
 * npm run bench — the foundation's speed and memory figures, as medians over several runs.
 *
 *   image build (offline builder): cold (no image, empty package cache), warm (no image,
 *     packages cached) and cached (image present: nothing to do)
 *   up (until every node reports OVS ready) and down, per lab: in-process and via the CLI
 *   memory per idle node (cgroup working set: usage minus inactive page cache)
 *
 * Options: --runs N (default 7 for up/down, 3 for builds), --skip-build (the builds take minutes).
 * Targets on a 2-core machine: 2-node up ≤ 1.5 s, down ≤ 1 s, ≤ 20 MB per idle node.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine, type Engine } from '../main/core/docker/engine';
import { execArgv } from '../main/core/docker/exec';
import { buildNodeImage } from '../main/core/image/node-image';
import { readRecipe } from '../main/core/image/recipe';
import { resolveLab } from '../main/core/lab/catalog';
import { appRoot } from '../main/core/paths';
import { up } from '../main/core/session/boot';
import { listSessions } from '../main/core/session/sessions';
import { removeSessionsNamed } from '../main/core/session/teardown';

const args = process.argv.slice(2);
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 7;
const BUILD_RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
const SKIP_BUILD = args.includes('--skip-build');
const LABS = ['ovs-basics', 'gre-tenant'];

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rows: [string, string, string][] = [];
const report = (what: string, value: string, target = '') => {
  rows.push([what, value, target]);
  process.stderr.write(`  ${what}: ${value}${target ? `  (${target})` : ''}\n`);
};

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function cli(argv: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(appRoot(), 'bin', 'neutron-lab.mjs'), ...argv], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`neutron-lab ${argv.join(' ')} failed: ${result.stderr}`);
  return performance.now() - started;
}

async function benchImageBuild(engine: Engine): Promise<void> {
  const { tag } = readRecipe();
  const running = await listSessions(engine);
  if (running.length > 0) {
    report('image build', `skipped: ${running.length} lab(s) are up and use the image`);
    return;
  }
  const removeImage = () => engine.docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  const cold: number[] = [];
  const warm: number[] = [];
  const previousCache = process.env.NEUTRON_LAB_CACHE;
  for (let run = 0; run < BUILD_RUNS; run++) {
    // Cold: a fresh, empty package cache, so every .deb is downloaded.
    const cache = mkdtempSync(join(tmpdir(), 'nl-bench-cache-'));
    process.env.NEUTRON_LAB_CACHE = cache;
    await removeImage();
    cold.push(await timed(() => buildNodeImage(engine, { builder: 'offline' })));
    // Warm: the same cache again, so only the build itself runs.
    await removeImage();
    warm.push(await timed(() => buildNodeImage(engine, { builder: 'offline' })));
    rmSync(cache, { recursive: true, force: true });
    process.stderr.write(`  image build run ${run + 1}/${BUILD_RUNS}: cold ${seconds(cold.at(-1)!)}, warm ${seconds(warm.at(-1)!)}\n`);
  }
  if (previousCache === undefined) delete process.env.NEUTRON_LAB_CACHE;
  else process.env.NEUTRON_LAB_CACHE = previousCache;
  const cached: number[] = [];
  for (let run = 0; run < RUNS; run++) cached.push(await timed(() => buildNodeImage(engine)));
  report('image build, offline, cold (no image, no package cache)', seconds(median(cold)));
  report('image build, offline, warm (packages cached)', seconds(median(warm)));
  report('image build, cached (recipe already built)', `${median(cached).toFixed(0)} ms`);
  const image = await engine.docker.getImage(tag).inspect();
  report('node image size', `${(image.Size / 1024 / 1024).toFixed(0)} MB`, 'target ≤ 200 MB');
}

/** Working set of a node: cgroup memory usage minus inactive page cache (what `docker stats` shows). */
async function nodeMemoryBytes(engine: Engine, containerId: string): Promise<number> {
  const container = engine.docker.getContainer(containerId);
  const v2 = await execArgv(container, ['cat', '/sys/fs/cgroup/memory.current', '/sys/fs/cgroup/memory.stat']);
  if (v2.exitCode === 0) {
    const [usage = '0'] = v2.stdout.split('\n');
    const inactive = /^inactive_file (\d+)$/m.exec(v2.stdout)?.[1] ?? '0';
    return Number(usage) - Number(inactive);
  }
  const v1 = await execArgv(container, ['cat', '/sys/fs/cgroup/memory/memory.usage_in_bytes', '/sys/fs/cgroup/memory/memory.stat']);
  const [usage = '0'] = v1.stdout.split('\n');
  const inactive = /^total_inactive_file (\d+)$/m.exec(v1.stdout)?.[1] ?? '0';
  return Number(usage) - Number(inactive);
}

async function benchLab(engine: Engine, labId: string): Promise<void> {
  const loaded = await resolveLab(labId);
  const nodes = Object.keys(loaded.lab.topology.nodes).length;
  const name = `bench-${labId}`;
  await removeSessionsNamed(engine, name);
  const ups: number[] = [];
  const downs: number[] = [];
  const memory: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let session: Awaited<ReturnType<typeof up>> | undefined;
    ups.push(await timed(async () => (session = await up(engine, loaded, { name }))));
    if (run === RUNS - 1 && session) {
      // Measured on the last run, when the image is hot in the page cache, after settling to idle.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      for (const node of session.nodes) memory.push(await nodeMemoryBytes(engine, node.containerId));
    }
    downs.push(await timed(() => removeSessionsNamed(engine, name)));
  }
  const cliUps: number[] = [];
  const cliDowns: number[] = [];
  for (let run = 0; run < Math.min(RUNS, 5); run++) {
    cliUps.push(cli(['up', labId, '--name', name]));
    cliDowns.push(cli(['down', name]));
  }
  const target = nodes === 2 ? 'target ≤ 1.5 s for 2 nodes' : '';
  report(`up ${labId} (${nodes} node${nodes === 1 ? '' : 's'}), until OVS is ready in every node`, seconds(median(ups)), target);
  report(`down ${labId}`, seconds(median(downs)), 'target ≤ 1 s');
  report(`neutron-lab up ${labId} (whole command, incl. CLI start-up)`, seconds(median(cliUps)));
  report(`neutron-lab down ${labId} (whole command)`, seconds(median(cliDowns)));
  report(`memory per idle node (${labId})`, `${(median(memory) / 1024 / 1024).toFixed(1)} MB`, 'target ≤ 20 MB');
}

async function main(): Promise<void> {
  const engine = await connectEngine();
  process.stderr.write(`Neutron Lab bench: Docker ${engine.info.version}, ${RUNS} runs (medians)\n`);
  if (SKIP_BUILD) report('image build', 'skipped (--skip-build)');
  else await benchImageBuild(engine);
  await buildNodeImage(engine); // labs need it, whatever happened above
  for (const lab of LABS) await benchLab(engine, lab);

  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`\n${'figure'.padEnd(width)}  median\n`);
  for (const [what, value, target] of rows) process.stdout.write(`${what.padEnd(width)}  ${value}${target ? `   (${target})` : ''}\n`);
}

await main();
