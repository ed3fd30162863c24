import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabPin } from './pin-schema';
import { userDataDir } from '../paths';

/**
 * A running lab is pinned to what it was booted from: at `up`, the lab as validated is written
 * to one JSON file per session id in the user's data folder, so check, solve, reset and easyOVS
 * read that copy and never the lab file again (an edit while the lab runs changes nothing about
 * it). The file's hash at boot tells whether the file changed since. A data folder, not the
 * containers: it survives an app restart and a node that died, and teardown removes it by id.
 */

export const PIN_VERSION = 1;

export const pinsDir = (): string => join(userDataDir(), 'sessions');
const pinFile = (sessionId: string, dir: string): string => join(dir, `${sessionId}.json`);

/** Session ids are ours (hex), yet a path is built from one: refuse anything else. */
function checkId(sessionId: string): void {
  if (!/^[0-9a-f]{1,64}$/.test(sessionId)) throw new Error(`not a session id: ${JSON.stringify(sessionId)}`);
}

/** Writes the pin of a session, whole or not at all (written beside, renamed over). */
export async function writePin(pin: Omit<LabPin, 'version'>, dir: string = pinsDir()): Promise<void> {
  checkId(pin.sessionId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = pinFile(pin.sessionId, dir);
  const temporary = `${target}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ version: PIN_VERSION, ...pin })}\n`, { mode: 0o600 });
  await rename(temporary, target);
}

/**
 * The pin of a session, or undefined when there is none or it cannot be used (written by
 * another version, damaged): the caller then falls back to the lab file, as before pinning.
 */
/**
 * Which version of the pin is on disk (its modification time and size), without reading it:
 * another process may pin the session anew (an explore call, a reset from the CLI while the app
 * runs), and what this process keeps must then be read again.
 */
export async function pinStamp(sessionId: string, dir: string = pinsDir()): Promise<string | undefined> {
  checkId(sessionId);
  const s = await stat(pinFile(sessionId, dir)).catch(() => undefined);
  return s ? `${s.mtimeMs}:${s.size}` : undefined;
}

export async function readPin(sessionId: string, dir: string = pinsDir()): Promise<LabPin | undefined> {
  checkId(sessionId);
  let text: string;
  try {
    text = await readFile(pinFile(sessionId, dir), 'utf8');
  } catch {
    return undefined;
  }
  const { PinSchema } = await import('./pin-schema');
  try {
    const parsed = PinSchema.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.sessionId === sessionId ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Teardown: the pins of sessions removed. Safe to repeat; ids without a pin are fine. */
export async function removePins(sessionIds: Iterable<string>, dir: string = pinsDir()): Promise<void> {
  await Promise.all(
    [...new Set(sessionIds)].filter((id) => /^[0-9a-f]{1,64}$/.test(id)).map((id) => rm(pinFile(id, dir), { force: true })),
  );
}

/**
 * Removes pins whose session is gone without a teardown (its containers removed by hand).
 * Only pins older than `graceMs`: a pin younger than that may belong to an `up` in flight in
 * another process, whose containers the caller's list did not see yet.
 */
export async function prunePins(liveIds: ReadonlySet<string>, dir: string = pinsDir(), graceMs = 10 * 60 * 1000): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const now = Date.now();
  await Promise.all(
    names.map(async (name) => {
      const id = name.replace(/\.json$/, '');
      if (!name.endsWith('.json') || liveIds.has(id)) return;
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (info && now - info.mtimeMs > graceMs) await rm(join(dir, name), { force: true });
    }),
  );
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Whether the lab file now differs from the text the session was booted from (a file gone counts). */
export async function fileChangedSince(pin: Pick<LabPin, 'file' | 'sha256'>): Promise<boolean> {
  try {
    return sha256(await readFile(pin.file, 'utf8')) !== pin.sha256;
  } catch {
    return true;
  }
}
