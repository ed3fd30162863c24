import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownerAlive, withHostLock } from './host-lock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nl-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('withHostLock', () => {
  it('runs one holder at a time: the second waits for the first to finish', async () => {
    const file = join(dir, 'a.lock');
    const order: string[] = [];
    let waited = '';
    let releaseFirst = () => undefined as void;
    const first = withHostLock(file, async () => {
      order.push('first in');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      order.push('first out');
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = withHostLock(file, async () => void order.push('second in'), { pollMs: 10, onWait: (owner) => (waited = owner) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual(['first in']);
    expect(waited).toBe(`${hostname()}:${process.pid}`);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
  });

  it('takes over the lock of a process that died, and releases it after a failure', async () => {
    const file = join(dir, 'b.lock');
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.on('close', resolve));
    await writeFile(file, `${hostname()}:${dead.pid}`);
    await expect(withHostLock(file, async () => (await readFile(file, 'utf8')) === `${hostname()}:${process.pid}`)).resolves.toBe(true);
    await expect(withHostLock(file, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('counts this process and other hosts as alive', () => {
    expect(ownerAlive(`${hostname()}:${process.pid}`)).toBe(true);
    expect(ownerAlive('elsewhere:1')).toBe(true);
  });
});
