import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgressStore } from '../core/run/progress-store';
import type { MethodName, MethodParams, MethodResults } from './contract';
import { ApiService, type Client } from './service';

/**
 * The catalogue calls over damaged progress, through a client of the real service on the real
 * lab catalogue (no engine needed): damage is one lab's notice, never the catalogue's failure.
 */

let root: string;
let store: ProgressStore;
let client: Client;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'nl-service-progress-'));
  store = new ProgressStore(join(root, 'progress'));
  client = new ApiService({ progress: store }).client(() => undefined);
  await mkdir(store.dir, { recursive: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResults[M]> {
  const reply = await client.dispatch(method, params);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.code}: ${reply.error.message}`);
  return reply.result as MethodResults[M];
}

const aside = async (lab: string) => (await readdir(store.dir)).filter((f) => f.startsWith(`${lab}.json.corrupt-`));

describe('labs.list and labs.get over damaged progress', () => {
  it('three concurrent catalogue calls over one corrupt file all answer; one moves it aside; all carry the notice', async () => {
    await writeFile(store.fileOf('ovs-basics'), '{"version": 1, "lab": "ovs-bas');
    const replies = await Promise.all([
      call('labs.list', { language: 'en' }),
      call('labs.list', { language: 'en' }),
      call('labs.get', { lab: 'ovs-basics', language: 'en' }),
    ]);
    expect(await aside('ovs-basics')).toHaveLength(1);
    const cards = [
      ...replies.slice(0, 2).map((r) => (r as MethodResults['labs.list']).labs.find((l) => l.id === 'ovs-basics')),
      replies[2] as MethodResults['labs.get'],
    ];
    for (const card of cards) {
      expect(card?.progress).toMatchObject({ met: 0, solved: 0 });
      expect(card?.progressNotice).toMatch(
        /^The progress file of ovs-basics could not be used: it is not JSON .*It was kept as .*corrupt-/,
      );
    }
  });

  it('a folder in place of a progress file: that lab says so, every other lab lists', async () => {
    await mkdir(store.fileOf('gre-tenant'));
    const { labs, broken } = await call('labs.list', { language: 'en' });
    expect(broken).toEqual([]);
    expect(labs.length).toBeGreaterThan(3);
    expect(labs.find((l) => l.id === 'gre-tenant')?.progressNotice).toMatch(/it is a folder, not a file/);
    expect(labs.filter((l) => l.progressNotice).map((l) => l.id)).toEqual(['gre-tenant']);
    expect((await call('labs.get', { lab: 'gre-tenant', language: 'en' })).progressNotice).toMatch(/it is a folder/);
  });

  it("a progress file that cannot even be set aside is still that lab's notice only", async () => {
    // A folder in place of the progress folder: nothing in it can be read, moved or locked.
    await rm(store.dir, { recursive: true });
    await writeFile(store.dir, 'not a folder');
    const { labs } = await call('labs.list', { language: 'en' });
    expect(labs.length).toBeGreaterThan(3);
    expect(labs.every((l) => l.progressNotice?.startsWith(`The progress of ${l.id} could not be`))).toBe(true);
  });
});
