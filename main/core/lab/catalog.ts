import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError, toAppError, type AppErrorJson } from '../errors';
import { labsDir } from '../paths';
import { assertLabId } from './lab-id';
import { loadLabFile, type LoadedLab } from './load';

export const LAB_FILE = 'lab.yaml';

export interface Catalog {
  labs: LoadedLab[];
  /** Lab folders whose lab.yaml is broken: listed, never hiding the others. */
  broken: { id: string; error: AppErrorJson }[];
}

export async function readCatalog(dir: string = labsDir()): Promise<Catalog> {
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory() && existsSync(join(dir, e.name, LAB_FILE)));
  const results = await Promise.all(
    folders.map(async (folder) => {
      try {
        const loaded = await loadLabFile(join(dir, folder.name, LAB_FILE));
        if (loaded.lab.id !== folder.name) {
          throw new AppError('input', `lab id "${loaded.lab.id}" differs from its folder name "${folder.name}"`, {
            location: { file: loaded.file, field: 'id' },
          });
        }
        return { ok: true as const, loaded };
      } catch (error) {
        return { ok: false as const, id: folder.name, error: toAppError(error).toJSON() };
      }
    }),
  );
  return {
    labs: results.flatMap((r) => (r.ok ? [r.loaded] : [])).sort((a, b) => a.lab.id.localeCompare(b.lab.id)),
    broken: results.flatMap((r) => (r.ok ? [] : [{ id: r.id, error: r.error }])),
  };
}

/**
 * Finds a lab by what a user typed at the command line: a catalogue id (`gre-tenant`), a lab
 * folder, or a lab file. Only the CLI takes paths; the API resolves ids (resolveLabById).
 */
export async function resolveLab(reference: string, dir: string = labsDir()): Promise<LoadedLab> {
  const looksLikePath = reference.includes('/') || reference.endsWith('.yaml') || reference.endsWith('.yml');
  if (looksLikePath) {
    const path = resolve(reference);
    if (!existsSync(path)) throw new AppError('input', `No lab file or folder at ${reference}.`);
    return loadLabFile(statSync(path).isDirectory() ? join(path, LAB_FILE) : path);
  }
  return resolveLabById(reference, dir);
}

/** A catalogue lab by id, loaded from inside `dir`. */
export async function resolveLabById(id: string, dir: string = labsDir()): Promise<LoadedLab> {
  const file = labFileOf(id, dir);
  if (!existsSync(file)) {
    const known = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, LAB_FILE)))
      .map((e) => e.name)
      .sort();
    throw new AppError('input', `Unknown lab "${id}". Known labs: ${known.join(', ') || 'none'}.`, {
      hint: 'List them with `neutron-lab labs`, or give the path of a lab.yaml.',
    });
  }
  return loadLabFile(file);
}

/** Where lab `id`'s file is (or would be): always inside `dir`, whatever `id` holds. */
export function labFileOf(id: string, dir: string = labsDir()): string {
  return join(dir, assertLabId(id, 'lab'), LAB_FILE);
}
