import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalog, resolveLab } from './catalog';

describe('the shipped catalogue', () => {
  it('loads every lab without errors or warnings', async () => {
    const catalog = await readCatalog();
    expect(catalog.broken).toEqual([]);
    expect(catalog.labs.map((l) => l.lab.id)).toEqual(expect.arrayContaining(['gre-tenant', 'ovs-basics']));
    for (const loaded of catalog.labs) expect(loaded.warnings).toEqual([]);
  });

  it("gives gre-tenant the book's tunnel addresses", async () => {
    const { lab } = await resolveLab('gre-tenant');
    expect(lab.topology.nodes.network?.links[0]?.address).toBe('10.0.0.100/24');
    expect(lab.topology.nodes.compute1?.links[0]?.address).toBe('10.0.0.101/24');
  });
});

describe('resolveLab', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labs-'));
  mkdirSync(join(dir, 'good'));
  writeFileSync(join(dir, 'good', 'lab.yaml'), 'id: good\ntitle: t\nsummary: s\ntopology:\n  nodes:\n    n1: { role: compute }\n');
  mkdirSync(join(dir, 'bad'));
  writeFileSync(join(dir, 'bad', 'lab.yaml'), 'id: other\ntitle: t\nsummary: s\ntopology:\n  nodes:\n    n1: { role: compute }\n');

  it('finds labs by id, folder or file', async () => {
    expect((await resolveLab('good', dir)).lab.id).toBe('good');
    expect((await resolveLab(join(dir, 'good'))).lab.id).toBe('good');
    expect((await resolveLab(join(dir, 'good', 'lab.yaml'))).lab.id).toBe('good');
  });

  it('names the labs it knows when the id is unknown', async () => {
    await expect(resolveLab('nope', dir)).rejects.toMatchObject({
      code: 'input',
      message: 'Unknown lab "nope". Known labs: bad, good.',
    });
    await expect(resolveLab('./missing/lab.yaml', dir)).rejects.toMatchObject({ code: 'input' });
  });

  it('lists a broken lab without hiding the others', async () => {
    const catalog = await readCatalog(dir);
    expect(catalog.labs.map((l) => l.lab.id)).toEqual(['good']);
    expect(catalog.broken).toEqual([
      { id: 'bad', error: expect.objectContaining({ message: 'lab id "other" differs from its folder name "bad"' }) },
    ]);
  });
});
