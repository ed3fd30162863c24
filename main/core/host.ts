import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Facts about the machine the app runs on (not the engine's machine, which may be remote). */

export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  // Debian keeps chroot (and, on some releases, the bootstrap tools) in sbin, which a normal user's PATH may lack.
  const dirs = [...(env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;
