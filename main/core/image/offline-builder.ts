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

  await inBuildFolder(recipe.hash.slice(0, 12), async ({ rootfs, logPath }) => {
    await debootstrapRootfs({
      rootfs,
      packages: recipe.packages,
      logPath,
      onProgress: report,
      mirror: options.mirror,
    });

    report({ stage: 'setup', percent: DEBOOTSTRAP_DONE_PERCENT, message: 'Installing the init and trimming the image' });
    const recipeInside = join(rootfs, 'tmp', 'neutron-lab-recipe');
    await mkdir(recipeInside, { recursive: true });
    for (const file of RECIPE_FILES) await cp(join(recipe.dir, file), join(recipeInside, file));
    const chroot = findExecutable('chroot') ?? 'chroot';
    const setupCode = await runLogged(chroot, [rootfs, '/bin/sh', '/tmp/neutron-lab-recipe/setup.sh'], logPath);
    await rm(recipeInside, { recursive: true, force: true });
    if (setupCode !== 0) {
      throw new AppError('failed', `The image setup script failed (exit ${setupCode}).`, { hint: `See ${logPath}.` });
    }

    report({ stage: 'import', percent: 91, message: `Importing the root filesystem as ${recipe.tag}` });
    await importRootfs(engine, rootfs, recipe.tag, imageChanges(recipe, 'offline'));
    report({ stage: 'done', percent: 100, message: `Built ${recipe.tag}` });
  });
}

/**
 * Runs `body` in a fresh build folder under the user's cache — not in /tmp, which is often
 * mounted noexec, where chroot cannot run the new system's programs. The folder is removed
 * afterwards; on failure its log is kept for the error's hint.
 */
export async function inBuildFolder<T>(label: string, body: (folder: { rootfs: string; logPath: string }) => Promise<T>): Promise<T> {
  const work = join(userCacheDir(), 'build', `${label}-${process.pid}-${Date.now()}`);
  const rootfs = join(work, 'rootfs');
  const logPath = join(work, 'build.log');
  await mkdir(rootfs, { recursive: true });
  let failed = false;
  try {
    return await body({ rootfs, logPath });
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await rm(failed ? rootfs : work, { recursive: true, force: true });
  }
}

/** A Debian root filesystem: debootstrap's minbase plus `packages`, from the Debian archive alone. */
export async function debootstrapRootfs(options: {
  rootfs: string;
  packages: readonly string[];
  logPath: string;
  mirror?: string;
  onProgress?: ProgressListener;
}): Promise<void> {
  const mirror = options.mirror ?? process.env.NEUTRON_LAB_DEBIAN_MIRROR ?? DEFAULT_DEBIAN_MIRROR;
  // Downloaded packages stay in the user's cache, so a rebuild needs no network.
  const debs = join(userCacheDir(), 'debs');
  await mkdir(debs, { recursive: true });
  const progress = new DebootstrapProgress();
  const code = await runLogged(
    findExecutable('debootstrap') ?? 'debootstrap',
    [
      '--debian-installer',
      '--variant=minbase',
      ...(options.packages.length ? [`--include=${options.packages.join(',')}`] : []),
      `--cache-dir=${debs}`,
      DEBIAN_SUITE,
      options.rootfs,
      mirror,
    ],
    options.logPath,
    (line) => {
      const event = progress.feed(line);
      if (event) options.onProgress?.(event);
    },
  );
  if (code !== 0) {
    throw new AppError('failed', `debootstrap failed (exit ${code})${progress.lastError ? `: ${progress.lastError}` : ''}.`, {
      hint: `Its full log is in ${options.logPath}. Is ${mirror} reachable from here?`,
    });
  }
}

/** `docker import` of a root filesystem, streamed by tar (numeric owners, extended attributes kept). */
export async function importRootfs(engine: Engine, rootfs: string, repoTag: string, changes: string[]): Promise<void> {
  const [repo, tag] = repoTag.split(':') as [string, string];
  const tar = spawn('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tarErrors: string[] = [];
  tar.stderr.on('data', (chunk: Buffer) => tarErrors.push(chunk.toString()));
  const tarExit = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
  const response = (await engine.docker.importImage(tar.stdout, { repo, tag, changes })) as Readable;
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
