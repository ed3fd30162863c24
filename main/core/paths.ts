import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where things live. The same code runs from TypeScript sources (CLI, tests), from the
 * electron-vite bundle (out/main) and from a packaged app, so the app's root is found by
 * walking up to the folder that holds `labs/` and `resources/`, never by a fixed depth.
 */

let cachedRoot: string | undefined;

export function appRoot(): string {
  if (cachedRoot) return cachedRoot;
  const override = process.env.NEUTRON_LAB_ROOT;
  if (override) return (cachedRoot = resolve(override));
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'resources', 'node-image')) && existsSync(join(dir, 'labs'))) {
      return (cachedRoot = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the Neutron Lab app folder (with labs/ and resources/).');
    dir = parent;
  }
}

export const labsDir = (): string => join(appRoot(), 'labs');
export const nodeImageRecipeDir = (): string => join(appRoot(), 'resources', 'node-image');
export const decoderImageRecipeDir = (): string => join(appRoot(), 'resources', 'decoder-image');

/** Re-creatable files (downloaded .debs, image build folders). */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NEUTRON_LAB_CACHE) return resolve(env.NEUTRON_LAB_CACHE);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'Neutron Lab');
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'Neutron Lab', 'Cache');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'neutron-lab');
}

/** What the user would lose if deleted: lab progress. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NEUTRON_LAB_DATA) return resolve(env.NEUTRON_LAB_DATA);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Neutron Lab');
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Neutron Lab');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'neutron-lab');
}
