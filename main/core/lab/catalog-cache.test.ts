import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labsDir } from '../paths';
import { CatalogCache } from './catalog-cache';

describe('the catalogue cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-cache-'));
  for (const id of ['ovs-basics', 'gre-tenant']) cpSync(join(labsDir(), id), join(dir, id), { recursive: true });
  const cache = new CatalogCache(dir);
  const file = join(dir, 'ovs-basics', 'lab.yaml');

  it('parses once for reads that overlap and for reads after them', async () => {
    const [a, b] = await Promise.all([cache.read(), cache.read()]);
    expect(a).toBe(b);
    expect(await cache.read()).toBe(a);
    expect(a.labs.map((l) => l.lab.id)).toEqual(['gre-tenant', 'ovs-basics']);
  });

  it('reads again when a lab file changes, even to the same size', async () => {
    const before = await cache.read();
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('minutes: 30', 'minutes: 45'));
    const after = await cache.read();
    expect(after).not.toBe(before);
    expect(after.labs.find((l) => l.lab.id === 'ovs-basics')?.lab.minutes).toBe(45);
    // Same size, later modification time.
    writeFileSync(file, text.replace('minutes: 30', 'minutes: 40'));
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    expect((await cache.read()).labs.find((l) => l.lab.id === 'ovs-basics')?.lab.minutes).toBe(40);
  });

  it('reads again when a guide goes or a lab is removed', async () => {
    const before = await cache.read();
    rmSync(join(dir, 'gre-tenant', 'guide', 'en', 'look.md'));
    const after = await cache.read();
    expect(after).not.toBe(before);
    expect(after.broken.map((b) => b.id)).toEqual(['gre-tenant']);
    rmSync(join(dir, 'gre-tenant'), { recursive: true });
    expect((await cache.read()).broken).toEqual([]);
  });
});
