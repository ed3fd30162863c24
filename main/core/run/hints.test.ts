import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveLab } from '../lab/catalog';
import { textIn, type LocalizedText } from '../lab/schema';
import type { LoadedLab } from '../lab/load';
import { checkHintNumber, climbHint, hintsShown } from './hints';
import { emptyProgress, ProgressStore } from './progress-store';

/** The hint ladder on the real gre-tenant lab (table-0 has two hints) and a store in a temporary folder. */

let root: string;
let store: ProgressStore;
let lab: LoadedLab;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'nl-hints-'));
  store = new ProgressStore(join(root, 'progress'));
  lab = await resolveLab('gre-tenant');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const hintsOf = (id: string) => lab.lab.steps.flatMap((s) => s.objectives).find((o) => o.id === id)?.hints ?? [];

describe('the hint ladder', () => {
  it('starts at 1, climbs one rung per call, and stays on the last', async () => {
    const total = hintsOf('table-0').length;
    expect(total).toBe(2);
    const first = await climbHint(lab, 'session-a', 'table-0', store);
    expect(first).toEqual({ hint: textIn(hintsOf('table-0')[0] as LocalizedText, 'en'), number: 1, total: 2 });
    expect((await climbHint(lab, 'session-a', 'table-0', store)).number).toBe(2);
    expect((await climbHint(lab, 'session-a', 'table-0', store)).number).toBe(2);
  });

  it("starts afresh in a new session of the same lab, and the old session's count is not carried over", async () => {
    await climbHint(lab, 'session-a', 'table-0', store);
    await climbHint(lab, 'session-a', 'table-0', store);
    const fresh = await climbHint(lab, 'session-b', 'table-0', store);
    expect(fresh.number).toBe(1);
    const { progress } = await store.read('gre-tenant');
    expect(progress.hintsSession).toBe('session-b');
    expect(hintsShown(progress, 'session-b', 'table-0')).toBe(1);
    expect(hintsShown(progress, 'session-a', 'table-0')).toBe(0);
  });

  it('a progress file from before sessions (hints with no session) starts at 1', async () => {
    await mkdir(store.dir, { recursive: true });
    await writeFile(store.fileOf('gre-tenant'), JSON.stringify({ ...emptyProgress('gre-tenant'), hints: { 'table-0': 1 } }));
    expect((await climbHint(lab, 'session-a', 'table-0', store)).number).toBe(1);
  });

  it('is in the language asked for, and names the objectives there are when one is unknown', async () => {
    expect((await climbHint(lab, 's', 'table-0', store, 'zh')).hint).toBe(textIn(hintsOf('table-0')[0] as LocalizedText, 'zh'));
    await expect(climbHint(lab, 's', 'no-such', store)).rejects.toThrow(/No objective "no-such" in lab gre-tenant \(there: .*table-0/);
  });

  it('a failing check shows the rung reached, at least the first', () => {
    expect(checkHintNumber(0, 2)).toBe(1);
    expect(checkHintNumber(2, 2)).toBe(2);
    expect(checkHintNumber(5, 2)).toBe(2);
    expect(checkHintNumber(0, 0)).toBeUndefined();
  });
});
