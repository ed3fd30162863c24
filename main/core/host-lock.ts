import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/**
 * A lock one process of this machine holds at a time: a file created exclusively, holding its
 * owner's host and pid. A waiter polls until the file is gone; a file whose owner died (same
 * host, no such process) is stale and taken over. For slow, rare work that two processes must not
 * do at once — two image builds of one recipe would both bootstrap a root filesystem and race to tag.
 */

export interface HostLockOptions {
  /** Called once when the lock is held by another live process, before waiting for it. */
  onWait?: (owner: string) => void;
  pollMs?: number;
}

export async function withHostLock<T>(file: string, body: () => Promise<T>, options: HostLockOptions = {}): Promise<T> {
  await acquire(file, options);
  try {
    return await body();
  } finally {
    await rm(file, { force: true });
  }
}

async function acquire(file: string, options: HostLockOptions): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const me = `${hostname()}:${process.pid}`;
  let told = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(me);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (owner !== '' && !ownerAlive(owner)) {
      await rm(file, { force: true });
      continue;
    }
    if (!told) {
      told = true;
      options.onWait?.(owner || 'another process');
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

/** Whether the process named `host:pid` may still run (on another host we cannot tell: yes). */
export function ownerAlive(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
