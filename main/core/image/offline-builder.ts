import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Engine } from '../docker/engine';
import { AppError } from '../errors';
import { findExecutable, isRoot } from '../host';
import { userCacheDir } from '../paths';
import type { ProgressListener } from '../progress';
import { DEBOOTSTRAP_DONE_PERCENT, DebootstrapProgress } from './debootstrap-progress';
import { imageChanges } from './image-config';
import { DEBIAN_SUITE, RECIPE_FILES, type Recipe } from './recipe';
import { followEngineStream } from './engine-stream';

/**
 * The offline builder: for machines whose engine can pull no base image. It makes the same root
 * filesystem as the Dockerfile with debootstrap, from Debian's package archive alone, and
 * `docker import`s it. Downloaded packages stay in the user's cache, so a rebuild needs no network.
 */

export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';

export interface OfflineBuildOptions {
  engine: Engine;
  recipe: Recipe;
  onProgress?: ProgressListener;
  /** Debian mirror; defaults to $NEUTRON_LAB_DEBIAN_MIRROR, then deb.debian.org. */
  mirror?: string;
}

/** Why the offline builder cannot run here, or undefined when it can. */
export function offlineBuilderUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the offline builder runs only on Linux';
  if (!isRoot()) return 'the offline builder must run as root (debootstrap and chroot need it)';
  if (!findExecutable('debootstrap')) return 'debootstrap is not installed (sudo apt-get install debootstrap)';
  if (!findExecutable('tar')) return 'tar is not installed';
  return undefined;
}

export async function buildOffline(options: OfflineBuildOptions): Promise<void> {
  const why = offlineBuilderUnavailable();
  if (why) throw new AppError('environment', `Cannot build the node image offline: ${why}.`);
  const { engine, recipe } = options;
  const report = options.onProgress ?? (() => undefined);
  const mirror = options.mirror ?? process.env.NEUTRON_LAB_DEBIAN_MIRROR ?? DEFAULT_DEBIAN_MIRROR;

  const cache = userCacheDir();
  const debs = join(cache, 'debs');
  // Not in /tmp: it is often mounted noexec, where chroot cannot run the new system's programs.
  const work = join(cache, 'build', `${recipe.hash.slice(0, 12)}-${process.pid}-${Date.now()}`);
  const rootfs = join(work, 'rootfs');
  const logPath = join(work, 'debootstrap.log');
  await mkdir(debs, { recursive: true });
  await mkdir(rootfs, { recursive: true });

  let keepLog = false;
  try {
    const progress = new DebootstrapProgress();
    const debootstrap = findExecutable('debootstrap') as string;
    const code = await runLogged(
      debootstrap,
      [
        '--debian-installer',
        '--variant=minbase',
        `--include=${recipe.packages.join(',')}`,
        `--cache-dir=${debs}`,
        DEBIAN_SUITE,
        rootfs,
        mirror,
      ],
      logPath,
      (line) => {
        const event = progress.feed(line);
        if (event) report(event);
      },
    );
    if (code !== 0) {
      keepLog = true;
      throw new AppError(
        'failed',
        `debootstrap failed (exit ${code})${progress.lastError ? `: ${progress.lastError}` : ''}.`,
        { hint: `Its full log is in ${logPath}. Is ${mirror} reachable from here?` },
      );
    }

    report({ stage: 'setup', percent: DEBOOTSTRAP_DONE_PERCENT, message: 'Installing the init and trimming the image' });
    const recipeInside = join(rootfs, 'tmp', 'neutron-lab-recipe');
    await mkdir(recipeInside, { recursive: true });
    for (const file of RECIPE_FILES) await cp(join(recipe.dir, file), join(recipeInside, file));
    const chroot = findExecutable('chroot') ?? 'chroot';
    const setupCode = await runLogged(chroot, [rootfs, '/bin/sh', '/tmp/neutron-lab-recipe/setup.sh'], logPath);
    await rm(recipeInside, { recursive: true, force: true });
    if (setupCode !== 0) {
      keepLog = true;
      throw new AppError('failed', `The image setup script failed (exit ${setupCode}).`, { hint: `See ${logPath}.` });
    }

    report({ stage: 'import', percent: 91, message: `Importing the root filesystem as ${recipe.tag}` });
    await importRootfs(engine, rootfs, recipe);
    report({ stage: 'done', percent: 100, message: `Built ${recipe.tag}` });
  } finally {
    if (keepLog) await rm(rootfs, { recursive: true, force: true });
    else await rm(work, { recursive: true, force: true });
  }
}

async function importRootfs(engine: Engine, rootfs: string, recipe: Recipe): Promise<void> {
  const [repo, tag] = recipe.tag.split(':') as [string, string];
  const tar = spawn('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tarErrors: string[] = [];
  tar.stderr.on('data', (chunk: Buffer) => tarErrors.push(chunk.toString()));
  const tarExit = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
  const response = (await engine.docker.importImage(tar.stdout, {
    repo,
    tag,
    changes: imageChanges(recipe, 'offline'),
  })) as Readable;
  await followEngineStream(engine, response);
  const code = await tarExit;
  if (code !== 0) {
    throw new AppError('failed', `tar failed while streaming the root filesystem: ${tarErrors.join('').trim()}`);
  }
}

/** Runs a program (argv, no shell), appending its output to a log; fd 3 lines go to onFd3. */
function runLogged(file: string, args: string[], logPath: string, onFd3?: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logPath, { flags: 'a' });
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const fd3 = child.stdio[3] as Readable | null;
    if (fd3) {
      const lines = createInterface({ input: fd3 });
      lines.on('line', (line) => {
        log.write(`${line}\n`);
        onFd3?.(line);
      });
    }
    child.on('error', (error) => {
      log.end();
      reject(error);
    });
    child.on('close', (code) => log.end(() => resolve(code ?? 1)));
  });
}
