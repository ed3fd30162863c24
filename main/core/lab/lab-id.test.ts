import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiService } from '../../api/service';
import { appRoot, labsDir } from '../paths';
import { ProgressStore } from '../run/progress-store';
import { labFileOf, resolveLab, resolveLabById } from './catalog';
import { assertLabId } from './lab-id';

/**
 * A lab is an id, resolved inside the labs folder, at every entry point: the API's lab and
 * lab-file calls, the progress store, the CLI. Each hostile id is tried at each of them.
 */

const HOSTILE = [
  '../../x',
  '../../../elsewhere/victim',
  '/etc/passwd',
  '/tmp/victim/lab.yaml',
  'a/b',
  '',
  'Gre-Tenant',
  'UPPER',
  '..',
  'x',
  'a\0b',
  'lab.yaml',
];

describe('the lab id rule', () => {
  it('accepts catalogue ids', () => {
    for (const id of ['gre-tenant', 'ovs-basics', 'l3', 'a-2']) expect(assertLabId(id, 'test')).toBe(id);
  });

  it('refuses paths, empty and uppercase ids, naming the value and where', () => {
    for (const id of HOSTILE) expect(() => assertLabId(id, 'labfile.save'), id).toThrow(/^labfile\.save: .* is not a lab id/);
    expect(() => assertLabId(42, 'where')).toThrow(/where: number is not a lab id/);
  });

  it('resolves only inside the labs folder', async () => {
    expect(labFileOf('gre-tenant', '/labs')).toBe('/labs/gre-tenant/lab.yaml');
    for (const id of HOSTILE) {
      expect(() => labFileOf(id, '/labs'), id).toThrow(/is not a lab id/);
      await expect(resolveLabById(id), id).rejects.toThrow(/is not a lab id/);
    }
    // The CLI still takes paths, but a word that is not a path must be an id.
    await expect(resolveLab('UPPER')).rejects.toThrow(/is not a lab id/);
  });
});

describe('the API refuses hostile lab ids at every call that takes a lab', () => {
  const labs = mkdtempSync(join(tmpdir(), 'nl-labs-'));
  cpSync(join(labsDir(), 'ovs-basics'), join(labs, 'ovs-basics'), { recursive: true });
  const outside = mkdtempSync(join(tmpdir(), 'nl-victim-'));
  const victim = join(outside, 'lab.yaml');
  writeFileSync(victim, 'id: victim\n');
  const service = new ApiService({ labsDir: labs, progress: new ProgressStore(mkdtempSync(join(tmpdir(), 'nl-progress-'))) });
  const client = service.client(() => undefined);
  const text = readFileSync(join(labs, 'ovs-basics', 'lab.yaml'), 'utf8');

  it('labs.get, lab.up, labfile.read, labfile.validate, labfile.save', async () => {
    for (const lab of [...HOSTILE, victim, join(outside, '..', 'x')]) {
      const calls: [string, Record<string, unknown>][] = [
        ['labs.get', { lab }],
        ['lab.up', { lab }],
        ['labfile.read', { lab }],
        ['labfile.validate', { lab, text }],
        ['labfile.save', { lab, text }],
      ];
      for (const [method, params] of calls) {
        const reply = await client.dispatch(method, params);
        expect(reply, `${method} ${JSON.stringify(lab)}`).toMatchObject({
          ok: false,
          error: { code: 'input', message: expect.stringMatching(/lab: .*lab id/) },
        });
      }
    }
    expect(readFileSync(victim, 'utf8')).toBe('id: victim\n');
  });

  it('reads and saves a catalogue lab by id, and saves a new lab into its own folder', async () => {
    const read = await client.dispatch('labfile.read', { lab: 'ovs-basics' });
    expect(read).toMatchObject({ ok: true, result: { path: join(labs, 'ovs-basics', 'lab.yaml'), text } });
    // A new lab's guides come first (lint wants them); its lab.yaml is then saved beside them.
    cpSync(join(labs, 'ovs-basics', 'guide'), join(labs, 'my-lab', 'guide'), { recursive: true });
    const created = await client.dispatch('labfile.save', { lab: 'my-lab', text: text.replace(/^id: ovs-basics$/m, 'id: my-lab') });
    expect(created).toMatchObject({ ok: true, result: { path: join(labs, 'my-lab', 'lab.yaml') } });
    // The folder and the file's id must agree, or the catalogue would list the lab as broken.
    expect(await client.dispatch('labfile.save', { lab: 'other-lab', text })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/says id "ovs-basics"/) },
    });
    expect(existsSync(join(labs, 'other-lab'))).toBe(false);
  });
});

describe('the progress store and the CLI refuse hostile ids', () => {
  it('read, write, update', async () => {
    const store = new ProgressStore(mkdtempSync(join(tmpdir(), 'nl-progress-')));
    for (const lab of HOSTILE) {
      await expect(store.read(lab), lab).rejects.toThrow(/is not a lab id/);
      await expect(
        store.update(lab, () => undefined),
        lab,
      ).rejects.toThrow(/is not a lab id/);
      await expect(
        store.write({ version: 1, lab, currentStep: 0, objectives: {}, hints: {}, solved: {}, attempts: {}, faults: {}, updatedAt: '' }),
        lab,
      ).rejects.toThrow(/is not a lab id/);
    }
  });

  it('`progress ../../victim` exits 2 and leaves the file alone', () => {
    const data = mkdtempSync(join(tmpdir(), 'nl-data-'));
    mkdirSync(join(data, 'progress'));
    const victim = join(data, 'victim.json');
    writeFileSync(victim, 'not progress');
    const run = spawnSync(process.execPath, [join(appRoot(), 'bin', 'neutron-lab.mjs'), 'progress', '../victim'], {
      env: { ...process.env, NEUTRON_LAB_DATA: data },
      encoding: 'utf8',
    });
    expect(run.stderr).toMatch(/progress <lab>: "\.\.\/victim" is not a lab id/);
    expect(run.status).toBe(2);
    expect(readFileSync(victim, 'utf8')).toBe('not progress');
  }, 60_000);
});
