import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyProgress, PROGRESS_VERSION, ProgressStore, type LabProgress } from './progress-store';

/** The progress store on a temporary folder: atomic writes, and files it cannot use set aside, never lost. */

let root: string;
let store: ProgressStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'nl-progress-'));
  store = new ProgressStore(join(root, 'progress'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sample = (lab = 'gre-tenant'): LabProgress => ({
  ...emptyProgress(lab),
  currentStep: 2,
  objectives: { 'table-0': { metAt: '2024-05-01T10:00:00.000Z' }, 'gre-port': { metAt: '2024-05-01T09:00:00.000Z' } },
  hints: { 'table-0': 2 },
});

/** Puts a file where the store keeps a lab's progress. */
async function plant(lab: string, content: string): Promise<string> {
  await mkdir(store.dir, { recursive: true });
  await writeFile(store.fileOf(lab), content);
  return content;
}

const files = async (): Promise<string[]> => (await readdir(store.dir)).sort();

describe('reading', () => {
  it('gives empty progress, and no problem, when nothing was stored (not even the folder)', async () => {
    expect(await store.read('gre-tenant')).toEqual({ progress: emptyProgress('gre-tenant') });
    expect(emptyProgress('gre-tenant')).toEqual({
      version: PROGRESS_VERSION,
      lab: 'gre-tenant',
      currentStep: 0,
      objectives: {},
      hints: {},
      solved: {},
      attempts: {},
      faults: {},
      updatedAt: '1970-01-01T00:00:00.000Z',
    });
    expect(await store.labs()).toEqual([]);
  });

  it('keeps one file per lab, named after it', () => {
    expect(store.fileOf('gre-tenant')).toBe(join(root, 'progress', 'gre-tenant.json'));
  });
});

describe('writing', () => {
  it('round-trips: what is written is read back, with the time of writing', async () => {
    const before = Date.now();
    await store.write(sample());
    const read = await store.read('gre-tenant');
    expect(read.problem).toBeUndefined();
    expect({ ...read.progress, updatedAt: 'x' }).toEqual({ ...sample(), updatedAt: 'x' });
    const written = Date.parse(read.progress.updatedAt);
    expect(written).toBeGreaterThanOrEqual(before - 1);
    expect(written).toBeLessThanOrEqual(Date.now() + 1);
    // Plain, readable JSON, private to the user.
    const text = await readFile(store.fileOf('gre-tenant'), 'utf8');
    expect(JSON.parse(text)).toEqual(read.progress);
    expect(text.endsWith('}\n')).toBe(true);
    expect((await stat(store.fileOf('gre-tenant'))).mode & 0o777).toBe(0o600);
  });

  it('does not change the progress it is given', async () => {
    const progress = sample();
    await store.write(progress);
    expect(progress).toEqual(sample());
  });

  it('replaces the previous file', async () => {
    await store.write(sample());
    await store.write({ ...sample(), currentStep: 3, objectives: {} });
    const { progress } = await store.read('gre-tenant');
    expect(progress.currentStep).toBe(3);
    expect(progress.objectives).toEqual({});
    expect(await files()).toEqual(['gre-tenant.json']);
  });

  it('leaves no temporary files behind, even when writes race', async () => {
    await store.write(sample());
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.write({ ...sample(), currentStep: i })));
    expect(await files()).toEqual(['gre-tenant.json']);
    expect((await files()).filter((f) => f.includes('.tmp'))).toEqual([]);
    // Whichever won, the file is whole.
    const { progress, problem } = await store.read('gre-tenant');
    expect(problem).toBeUndefined();
    expect(progress.currentStep).toBeGreaterThanOrEqual(0);
    expect(progress.currentStep).toBeLessThan(10);
  });
});

describe('update', () => {
  it("reads, changes and writes one lab's progress, starting from empty", async () => {
    await store.update('vxlan-tenant', (p) => {
      p.currentStep = 1;
      p.objectives['br-tun-secure'] = { metAt: '2024-05-02T08:00:00.000Z' };
    });
    await store.update('vxlan-tenant', (p) => {
      p.hints['table-0'] = (p.hints['table-0'] ?? 0) + 1;
      p.currentStep += 1;
    });
    const { progress, problem } = await store.read('vxlan-tenant');
    expect(problem).toBeUndefined();
    expect(progress).toMatchObject({
      lab: 'vxlan-tenant',
      currentStep: 2,
      objectives: { 'br-tun-secure': { metAt: '2024-05-02T08:00:00.000Z' } },
      hints: { 'table-0': 1 },
    });
  });

  it('reports, and does not lose, a file it had to set aside', async () => {
    const content = await plant('gre-tenant', '{ "version": 1, "lab": "gre-tenant", "currentStep": 4');
    const read = await store.update('gre-tenant', (p) => {
      p.currentStep = 1;
    });
    expect(read.problem).toMatch(/could not be used: it is not JSON/);
    expect((await store.read('gre-tenant')).progress.currentStep).toBe(1);
    const aside = (await files()).filter((f) => f.includes('.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(store.dir, aside[0] as string), 'utf8')).toBe(content);
  });
});

describe('files it cannot use are set aside, with a message, never overwritten', () => {
  it('a file that is not JSON', async () => {
    const content = await plant('gre-tenant', '{"version":1,"lab":"gre-ten');
    const { progress, problem } = await store.read('gre-tenant');
    expect(progress).toEqual(emptyProgress('gre-tenant'));
    const names = await files();
    expect(names).not.toContain('gre-tenant.json');
    const aside = names.filter((f) => f.startsWith('gre-tenant.json.corrupt-'));
    expect(aside).toHaveLength(1);
    const path = join(store.dir, aside[0] as string);
    expect(await readFile(path, 'utf8')).toBe(content);
    expect(problem).toMatch(
      /^The progress file of gre-tenant could not be used: it is not JSON \(.+\)\. It was kept as .+; progress starts afresh\.$/,
    );
    expect(problem).toContain(path);
    // Set aside once: later reads repeat the notice (so it reaches whichever view asks next) and
    // move nothing more; the first write of fresh progress ends it.
    expect(await store.read('gre-tenant')).toEqual({ progress: emptyProgress('gre-tenant'), problem });
    expect((await files()).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    await store.update('gre-tenant', (p) => void (p.currentStep = 1));
    expect((await store.read('gre-tenant')).problem).toBeUndefined();
  });

  it('a file from a newer Neutron Lab (version 99), named after its version', async () => {
    const content = await plant('gre-tenant', JSON.stringify({ ...sample(), version: 99, somethingNew: true }));
    const { progress, problem } = await store.read('gre-tenant');
    expect(progress).toEqual(emptyProgress('gre-tenant'));
    expect(problem).toContain('a newer Neutron Lab wrote it (format 99; this one reads 1)');
    const aside = (await files()).filter((f) => f.startsWith('gre-tenant.json.v99-'));
    expect(aside).toHaveLength(1);
    expect(problem).toContain(join(store.dir, aside[0] as string));
    expect(await readFile(join(store.dir, aside[0] as string), 'utf8')).toBe(content);
    expect(await files()).not.toContain('gre-tenant.json');
  });

  it('a file of another lab', async () => {
    const content = await plant('gre-tenant', JSON.stringify(sample('vxlan-tenant')));
    const { progress, problem } = await store.read('gre-tenant');
    expect(progress).toEqual(emptyProgress('gre-tenant'));
    expect(problem).toContain('could not be used: it belongs to lab "vxlan-tenant"');
    const aside = (await files()).filter((f) => f.startsWith('gre-tenant.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(store.dir, aside[0] as string), 'utf8')).toBe(content);
  });

  it('JSON that is not progress: the message names the field', async () => {
    await plant('gre-tenant', JSON.stringify({ ...sample(), currentStep: -1 }));
    const { problem } = await store.read('gre-tenant');
    expect(problem).toMatch(/could not be used: currentStep: /);
    await plant('gre-tenant', 'null');
    expect((await store.read('gre-tenant')).problem).toMatch(/could not be used: the file: /);
    expect((await files()).filter((f) => f.includes('.corrupt-')).length).toBeGreaterThanOrEqual(1);
  });

  // Known weakness (progress-store.ts, setAside): the aside name is the file name plus the time to
  // the millisecond, and rename() replaces what is there; two files set aside within the same
  // millisecond (or under a clock set back) keep only the second. Flip to `it` once fixed.
  it('two files set aside at the same instant are both kept', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2024-05-01T10:00:00.000Z'));
      await plant('gre-tenant', 'first');
      await store.read('gre-tenant');
      await plant('gre-tenant', 'second');
      await store.read('gre-tenant');
      const aside = (await files()).filter((f) => f.includes('.corrupt-'));
      const contents = await Promise.all(aside.map((f) => readFile(join(store.dir, f), 'utf8')));
      expect(contents.sort()).toEqual(['first', 'second']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an older or equal version is read as usual', async () => {
    await plant('gre-tenant', JSON.stringify(sample()));
    expect(await store.read('gre-tenant')).toEqual({ progress: sample() });
  });

  it('a file written before faults were recorded reads with none met, and nothing set aside', async () => {
    const { faults: _, ...older } = sample('troubleshoot-l3');
    await plant('troubleshoot-l3', JSON.stringify(older));
    expect(await store.read('troubleshoot-l3')).toEqual({ progress: sample('troubleshoot-l3') });
    expect((await files()).filter((f) => f.includes('troubleshoot-l3'))).toEqual(['troubleshoot-l3.json']);
  });
});

describe('one writer per file', () => {
  it('three concurrent reads of one corrupt file all succeed: one moves it aside, all three report it', async () => {
    const content = await plant('gre-tenant', '{"version":1,');
    const reads = await Promise.all([store.read('gre-tenant'), store.read('gre-tenant'), store.read('gre-tenant')]);
    const aside = (await files()).filter((f) => f.includes('.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(store.dir, aside[0] as string), 'utf8')).toBe(content);
    for (const read of reads) {
      expect(read.progress).toEqual(emptyProgress('gre-tenant'));
      expect(read.problem).toContain(join(store.dir, aside[0] as string));
    }
  });

  it("three concurrent updates of one corrupt file all succeed, and none loses another's change", async () => {
    await plant('gre-tenant', 'not json');
    const ids = ['a', 'b', 'c'];
    const reads = await Promise.all(ids.map((id) => store.update('gre-tenant', (p) => void (p.objectives[id] = { metAt: 'now' }))));
    // The first writer reports the damage with its change; its write of fresh progress ends the notice.
    expect(reads.filter((r) => r.problem?.includes('it is not JSON'))).toHaveLength(1);
    expect((await files()).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    expect(Object.keys((await store.read('gre-tenant')).progress.objectives).sort()).toEqual(ids);
  });

  it('concurrent read-change-writes are serialised: ten increments make ten', async () => {
    await Promise.all(Array.from({ length: 10 }, () => store.update('gre-tenant', (p) => void (p.currentStep += 1))));
    expect((await store.read('gre-tenant')).progress.currentStep).toBe(10);
    expect((await files()).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp'))).toEqual([]);
  });

  it("a folder in place of the file is that lab's damage only: reported, moved aside, and the next write works", async () => {
    await mkdir(store.fileOf('gre-tenant'), { recursive: true });
    await store.write(sample('vxlan-tenant'));
    const [damaged, fine] = await Promise.all([store.read('gre-tenant'), store.read('vxlan-tenant')]);
    expect(damaged.progress).toEqual(emptyProgress('gre-tenant'));
    expect(damaged.problem).toMatch(/^The progress file of gre-tenant could not be used: it is a folder, not a file\. It was kept as /);
    expect(fine.problem).toBeUndefined();
    await store.update('gre-tenant', (p) => void (p.currentStep = 2));
    expect((await store.read('gre-tenant')).progress.currentStep).toBe(2);
  });
});

describe('labs()', () => {
  it('lists the labs with stored progress, sorted, and nothing else in the folder', async () => {
    await store.write(sample('vxlan-tenant'));
    await store.write(sample('gre-tenant'));
    await store.write(sample('ovs-basics'));
    await plant('vlan-provider', 'not json');
    await store.read('vlan-provider'); // sets it aside
    await writeFile(join(store.dir, 'notes.txt'), 'x');
    expect(await store.labs()).toEqual(['gre-tenant', 'ovs-basics', 'vxlan-tenant']);
  });
});
