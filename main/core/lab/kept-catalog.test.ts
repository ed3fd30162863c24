import { cpSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labsDir } from '../paths';
import type { Catalog } from './catalog';
import { keptLab, readKeptCatalog } from './kept-catalog';

describe('the catalogue kept between runs of the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-kept-labs-'));
  cpSync(join(labsDir(), 'ovs-basics'), join(dir, 'ovs-basics'), { recursive: true });
  const cacheDir = mkdtempSync(join(tmpdir(), 'nl-kept-cache-'));
  const kept = join(cacheDir, 'catalogue.json');
  const lab = join(dir, 'ovs-basics', 'lab.yaml');
  const minutes = (catalog: Catalog) => catalog.labs[0]?.lab.minutes;

  /** Marks the kept copy so a read that serves it, and not a parse, shows: minutes 999. */
  const markKept = () => {
    const copy = JSON.parse(readFileSync(kept, 'utf8')) as { catalog: Catalog };
    copy.catalog.labs[0]!.lab.minutes = 999;
    writeFileSync(kept, JSON.stringify(copy));
  };

  it('parses the first time and keeps what it parsed', async () => {
    const first = await readKeptCatalog({ dir, cacheDir, build: 'build-1' });
    expect(minutes(first)).toBe(30);
    expect((JSON.parse(readFileSync(kept, 'utf8')) as { catalog: Catalog }).catalog).toEqual(first);
  });

  it('serves the kept copy, without parsing, while the build and every lab file are the same', async () => {
    markKept();
    expect(minutes(await readKeptCatalog({ dir, cacheDir, build: 'build-1' }))).toBe(999);
  });

  it('parses again for another build', async () => {
    expect(minutes(await readKeptCatalog({ dir, cacheDir, build: 'build-2' }))).toBe(30);
  });

  it('parses again when a file of the labs folder changes, even to the same size', async () => {
    markKept();
    const text = readFileSync(lab, 'utf8');
    writeFileSync(lab, text.replace('minutes: 30', 'minutes: 40'));
    const later = new Date(Date.now() + 5000);
    utimesSync(lab, later, later);
    expect(minutes(await readKeptCatalog({ dir, cacheDir, build: 'build-2' }))).toBe(40);
  });

  it('keeps nothing without a build (the sources, which may change under it), and parses every time', async () => {
    markKept();
    expect(minutes(await readKeptCatalog({ dir, cacheDir, build: undefined }))).toBe(40);
    expect(minutes((JSON.parse(readFileSync(kept, 'utf8')) as { catalog: Catalog }).catalog)).toBe(999);
  });

  it('parses when the kept copy is unreadable, and replaces it', async () => {
    writeFileSync(kept, '{ not json');
    expect(minutes(await readKeptCatalog({ dir, cacheDir, build: 'build-2' }))).toBe(40);
    expect(minutes((JSON.parse(readFileSync(kept, 'utf8')) as { catalog: Catalog }).catalog)).toBe(40);
  });

  it('serves one lab of the kept copy to `up`, and nothing for a path, an unknown id, another build or a changed folder', async () => {
    await readKeptCatalog({ dir, cacheDir, build: 'build-3' });
    markKept();
    expect((await keptLab('ovs-basics', { dir, cacheDir, build: 'build-3' }))?.lab.minutes).toBe(999);
    expect(await keptLab(lab, { dir, cacheDir, build: 'build-3' })).toBeUndefined();
    expect(await keptLab('no-such-lab', { dir, cacheDir, build: 'build-3' })).toBeUndefined();
    expect(await keptLab('ovs-basics', { dir, cacheDir, build: 'build-4' })).toBeUndefined();
    expect(await keptLab('ovs-basics', { dir, cacheDir, build: undefined })).toBeUndefined();
    const later = new Date(Date.now() + 10_000);
    utimesSync(lab, later, later);
    expect(await keptLab('ovs-basics', { dir, cacheDir, build: 'build-3' })).toBeUndefined();
  });
});
