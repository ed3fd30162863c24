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
import { BOOTSTRAP_DONE_PERCENT, MmdebstrapProgress } from './mmdebstrap-progress';
import { imageChanges } from './image-config';
import { DEBIAN_SUITE, RECIPE_FILES, type Recipe } from './recipe';
import { followEngineStream } from './engine-stream';

/**
 * The offline builder: for machines whose engine can pull no base image. It makes the same root
 * filesystem as the Dockerfile with mmdebstrap, from Debian's package archive alone, and
 * `docker import`s it. Downloaded packages stay in the user's cache, so a rebuild downloads
 * only the package lists. mmdebstrap rather than debootstrap: apt downloads in parallel and dpkg
 * installs in one run, so the node image takes 48 s instead of 86 s here (idle machine).
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
  if (!isRoot()) return 'the offline builder must run as root (mmdebstrap and chroot need it)';
  if (!findExecutable('mmdebstrap')) return 'mmdebstrap is not installed (sudo apt-get install mmdebstrap)';
  if (!findExecutable('tar')) return 'tar is not installed';
  return undefined;
}

export async function buildOffline(options: OfflineBuildOptions): Promise<void> {
  const why = offlineBuilderUnavailable();
  if (why) throw new AppError('environment', `Cannot build the node image offline: ${why}.`);
  const { engine, recipe } = options;
  const report = options.onProgress ?? (() => undefined);

  await inBuildFolder(recipe.hash.slice(0, 12), async ({ rootfs, logPath }) => {
    await bootstrapRootfs({
      rootfs,
      packages: recipe.packages,
      logPath,
      onProgress: report,
      mirror: options.mirror,
    });

    report({ stage: 'setup', percent: BOOTSTRAP_DONE_PERCENT, message: 'Installing the init and trimming the image' });
    const recipeInside = join(rootfs, 'tmp', 'neutron-lab-recipe');
    await mkdir(recipeInside, { recursive: true });
    for (const file of RECIPE_FILES) await cp(join(recipe.dir, file), join(recipeInside, file));
    const chroot = findExecutable('chroot') ?? 'chroot';
    const setupCode = await runLogged(chroot, [rootfs, '/bin/sh', '/tmp/neutron-lab-recipe/setup.sh'], logPath, {});
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

/** A Debian root filesystem: the minbase variant plus `packages`, from the Debian archive alone. */
export async function bootstrapRootfs(options: {
  rootfs: string;
  packages: readonly string[];
  logPath: string;
  mirror?: string;
  onProgress?: ProgressListener;
}): Promise<void> {
  const mirror = options.mirror ?? process.env.NEUTRON_LAB_DEBIAN_MIRROR ?? DEFAULT_DEBIAN_MIRROR;
  const debs = join(userCacheDir(), 'debs');
  await mkdir(debs, { recursive: true });
  const progress = new MmdebstrapProgress();
  const code = await runLogged(
    findExecutable('mmdebstrap') ?? 'mmdebstrap',
    [
      '--variant=minbase',
      '--mode=root',
      '--format=directory',
      // Merged /usr by symlinks, as debootstrap makes it; else apt pulls usrmerge and all of perl.
      '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
      ...(options.packages.length ? [`--include=${options.packages.join(',')}`] : []),
      // The package cache: copied in before apt runs, the new downloads copied out before apt's
      // cache is cleaned (the essential packages kept till then). Hooks are shell scripts with
      // the root filesystem as $1: constant ones, the cache's path in the environment.
      '--skip=essential/unlink',
      `--setup-hook=${CACHE_IN}`,
      `--customize-hook=${CACHE_OUT}`,
      DEBIAN_SUITE,
      options.rootfs,
      mirror,
    ],
    options.logPath,
    { NEUTRON_LAB_DEBS: debs },
    (line) => {
      const event = progress.feed(line);
      if (event) options.onProgress?.(event);
    },
  );
  if (code !== 0) {
    throw new AppError('failed', `mmdebstrap failed (exit ${code})${progress.lastError ? `: ${progress.lastError}` : ''}.`, {
      hint: `Its full log is in ${options.logPath}. Is ${mirror} reachable from here?`,
    });
  }
}

/** mmdebstrap's hooks around apt: the user's package cache in, then what apt downloaded out. */
const CACHE_IN = 'mkdir -p "$1"/var/cache/apt/archives && cp -a "$NEUTRON_LAB_DEBS"/. "$1"/var/cache/apt/archives/';
const CACHE_OUT = 'find "$1"/var/cache/apt/archives -maxdepth 1 -name "*.deb" -exec cp -a -t "$NEUTRON_LAB_DEBS" {} +';

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

/** Runs a program (argv, no shell) with more `env`, appending its output to a log; its stderr lines also go to onLine. */
function runLogged(
  file: string,
  args: string[],
  logPath: string,
  env: Record<string, string>,
  onLine?: (line: string) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logPath, { flags: 'a' });
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.stdout.pipe(log, { end: false });
    createInterface({ input: child.stderr }).on('line', (line) => {
      log.write(`${line}\n`);
      onLine?.(line);
    });
    child.on('error', (error) => {
      log.end();
      reject(error);
    });
    child.on('close', (code) => log.end(() => resolve(code ?? 1)));
  });
}
