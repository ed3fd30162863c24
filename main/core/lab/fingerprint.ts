import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file under `dir` with its size and modification time, as one string. */
export async function fingerprintOf(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const stats = await Promise.all(
    files.sort().map(async (file) => {
      const s = await stat(file).catch(() => undefined);
      return s ? `${file}\0${s.size}\0${s.mtimeMs}` : '';
    }),
  );
  return stats.join('\n');
}
