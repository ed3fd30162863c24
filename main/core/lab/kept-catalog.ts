import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { labsDir, userCacheDir } from '../paths';
import type { Catalog } from './catalog';
import { isLabId } from './lab-id';
import type { LoadedLab } from './load';
import { fingerprintOf } from './fingerprint';

/**
 * The catalogue kept on disk between runs of the CLI. Parsing and validating every lab is half
 * of what a `neutron-lab labs` costs (300 of 600 ms); reading them back takes a few. What was
 * kept serves while two things hold: the same build of the CLI (its code decides what a lab
 * file means), and the same labs folder, file by file (size and modification time, as
 * CatalogCache checks it in the app). The parser is loaded only when the kept copy does not serve.
 */

/** Set by scripts/build-cli.mjs to the build's start time; absent when the sources run as they are (tests, the app). */
declare const NEUTRON_LAB_BUILD: string | undefined;
const RUNNING_BUILD = typeof NEUTRON_LAB_BUILD === 'string' ? NEUTRON_LAB_BUILD : undefined;

interface Kept {
  build: string;
  dir: string;
  fingerprint: string;
  catalog: Catalog;
}

export interface KeptCatalogOptions {
  dir?: string;
  cacheDir?: string;
  /** The build the copy belongs to; without one nothing is kept (the sources may change under it). */
  build?: string | undefined;
}

export async function readKeptCatalog(options: KeptCatalogOptions = {}): Promise<Catalog> {
  const dir = options.dir ?? labsDir();
  const build = 'build' in options ? options.build : RUNNING_BUILD;
  const parse = async () => (await import('./catalog')).readCatalog(dir);
  if (build === undefined) return parse();
  const { file, fingerprint, catalog: kept } = await readKept(dir, build, options.cacheDir);
  if (kept) return kept;
  const catalog = await parse();
  // Best effort: a cache that cannot be written (a read-only home) only costs the next run a parse.
  await keep(file, { build, dir, fingerprint, catalog }).catch(() => undefined);
  return catalog;
}

/**
 * Catalogue lab `reference` as kept, when the kept copy serves; undefined otherwise (a path,
 * no kept copy, or one that no longer serves), and the caller parses that one lab itself.
 * `up` starts this way: a cold parse of one lab (60 ms) is a fifth of what the CLI adds to it.
 */
export async function keptLab(reference: string, options: KeptCatalogOptions = {}): Promise<LoadedLab | undefined> {
  const build = 'build' in options ? options.build : RUNNING_BUILD;
  if (build === undefined || !isLabId(reference)) return undefined;
  const { catalog } = await readKept(options.dir ?? labsDir(), build, options.cacheDir);
  return catalog?.labs.find((loaded) => loaded.lab.id === reference);
}

/** The kept catalogue if it belongs to this build and this labs folder as it is now. */
async function readKept(
  dir: string,
  build: string,
  cacheDir = userCacheDir(),
): Promise<{ file: string; fingerprint: string; catalog?: Catalog }> {
  const file = join(cacheDir, 'catalogue.json');
  const [fingerprint, kept] = await Promise.all([
    fingerprintOf(dir),
    readFile(file, 'utf8')
      .then((text) => JSON.parse(text) as Kept)
      .catch(() => undefined),
  ]);
  const serves = kept?.build === build && kept.dir === dir && kept.fingerprint === fingerprint;
  return { file, fingerprint, ...(serves ? { catalog: kept.catalog } : {}) };
}

/** Written whole and renamed into place: a run reading meanwhile finds the old copy or the new one. */
async function keep(file: string, kept: Kept): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(kept));
  await rename(temporary, file);
}
