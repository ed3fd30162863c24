import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCatalog } from '../lab/catalog';
import { fileChangedSince, prunePins, readPin, removePins, sha256, writePin } from './pin';

/** The pin store on a temporary folder: what `up` writes is what check, solve and reset read back. */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nl-pins-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pins', () => {
  it('round-trips every catalogue lab exactly (the schema reads back what it wrote)', async () => {
    const { labs, broken } = await readCatalog();
    expect(broken).toEqual([]);
    expect(labs.length).toBeGreaterThan(5);
    for (const [i, loaded] of labs.entries()) {
      const sessionId = `a${i.toString(16)}`;
      await writePin({ sessionId, file: loaded.file, sha256: loaded.sha256, lab: loaded.lab }, dir);
      expect(await readPin(sessionId, dir)).toEqual({ version: 1, sessionId, file: loaded.file, sha256: loaded.sha256, lab: loaded.lab });
    }
    // Whole files only, private to the user.
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await stat(join(dir, 'a0.json'))).mode & 0o777).toBe(0o600);
  });

  it('has no pin for a session that has none, nor for one whose file is damaged or from another version', async () => {
    const { labs } = await readCatalog();
    const loaded = labs[0]!;
    expect(await readPin('abc', dir)).toBeUndefined();
    await writePin({ sessionId: 'abc', file: loaded.file, sha256: loaded.sha256, lab: loaded.lab }, dir);
    const text = await readFile(join(dir, 'abc.json'), 'utf8');
    await writeFile(join(dir, 'abc.json'), text.slice(0, 100));
    expect(await readPin('abc', dir)).toBeUndefined();
    await writeFile(join(dir, 'abc.json'), JSON.stringify({ ...JSON.parse(text), version: 99 }));
    expect(await readPin('abc', dir)).toBeUndefined();
    // A file renamed to another session's id is not that session's pin.
    await writeFile(join(dir, 'abd.json'), text);
    expect(await readPin('abd', dir)).toBeUndefined();
  });

  it('refuses an id that is not a session id (a path is built from it)', async () => {
    await expect(readPin('../progress/x', dir)).rejects.toThrow(/not a session id: "..\/progress\/x"/);
    const { labs } = await readCatalog();
    const loaded = labs[0]!;
    await expect(writePin({ sessionId: '../x', file: loaded.file, sha256: loaded.sha256, lab: loaded.lab }, dir)).rejects.toThrow(
      /not a session id/,
    );
  });

  it('removes pins by session id, safely repeated', async () => {
    const { labs } = await readCatalog();
    const loaded = labs[0]!;
    for (const id of ['a1', 'a2', 'a3']) await writePin({ sessionId: id, file: loaded.file, sha256: loaded.sha256, lab: loaded.lab }, dir);
    await removePins(['a1', 'a2', 'a2', 'ff', '../a3'], dir);
    await removePins(['a1'], dir);
    expect(await readdir(dir)).toEqual(['a3.json']);
    await removePins(['a3'], join(dir, 'never-made'));
  });

  it('prunes the pins of sessions gone without a teardown, once older than an up can take', async () => {
    const { labs } = await readCatalog();
    const loaded = labs[0]!;
    for (const id of ['a1', 'a2', 'a3']) await writePin({ sessionId: id, file: loaded.file, sha256: loaded.sha256, lab: loaded.lab }, dir);
    const old = new Date(Date.now() - 60 * 60 * 1000);
    await utimes(join(dir, 'a1.json'), old, old);
    await utimes(join(dir, 'a2.json'), old, old);
    await prunePins(new Set(['a2']), dir);
    // a1: gone and old; a2: live; a3: young, maybe an up in flight elsewhere.
    expect((await readdir(dir)).sort()).toEqual(['a2.json', 'a3.json']);
    await prunePins(new Set(), join(dir, 'never-made'));
  });

  it('tells a lab file changed since boot (or gone) from one as it was', async () => {
    const file = join(dir, 'lab.yaml');
    await writeFile(file, 'id: x\n');
    const pin = { file, sha256: sha256('id: x\n') };
    expect(await fileChangedSince(pin)).toBe(false);
    await writeFile(file, 'id: y\n');
    expect(await fileChangedSince(pin)).toBe(true);
    await writeFile(file, 'id: x\n');
    expect(await fileChangedSince(pin)).toBe(false);
    await rm(file);
    expect(await fileChangedSince(pin)).toBe(true);
  });

  it('hashes what the loader parsed, so a file as booted is not stale', async () => {
    const { labs } = await readCatalog();
    for (const loaded of labs) expect(await fileChangedSince(loaded)).toBe(false);
  });
});
