import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../../main/core/lab/catalog';
import { WRONG } from './wrong-states';

/** A lab without its test file would ship untested: every lab of the catalogue has one, and wrong states for it. */
describe('the lab tests cover the catalogue', () => {
  it('every lab in labs/ has test/integration/labs/<lab>.test.ts and a wrong-state table, and no file tests a lab that is gone', async () => {
    const ids = (await readCatalog()).labs.map((l) => l.lab.id).sort();
    expect(ids.length).toBeGreaterThan(0);
    const missing = ids.filter((id) => !existsSync(join(import.meta.dirname, `${id}.test.ts`)));
    expect(missing, 'labs without a test file').toEqual([]);
    const sandboxes = new Set((await readCatalog()).labs.filter((l) => l.lab.sandbox).map((l) => l.lab.id));
    for (const id of ids) {
      // A sandbox has nothing to solve: its file explores it.
      const runs = sandboxes.has(id) ? `describe('sandbox ${id}'` : `labSuite('${id}'`;
      expect(readFileSync(join(import.meta.dirname, `${id}.test.ts`), 'utf8'), `${id}.test.ts runs its lab`).toContain(runs);
    }
    const files = readdirSync(import.meta.dirname).filter((f) => f.endsWith('.test.ts') && f !== 'catalogue.test.ts');
    expect(files.map((f) => f.replace(/\.test\.ts$/, '')).sort()).toEqual(ids);
    expect(Object.keys(WRONG).sort()).toEqual(ids.filter((id) => !sandboxes.has(id)));
  });
});
