import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../core/paths';
import type { CheckReport } from '../../core/run/results';
import { formatReport } from './commands/lab';

/**
 * The CLI's names and words, through the real `neutron-lab` command where no engine is needed
 * (bad usage is refused before any engine call): languages, lab ids, and how check speaks.
 */

let data: string;
beforeAll(async () => {
  data = await mkdtemp(join(tmpdir(), 'nl-cli-names-'));
});
afterAll(async () => {
  await rm(data, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // An engine that cannot answer: a command that reached it would fail with exit 3, not 2.
    const env = { ...process.env, NEUTRON_LAB_DATA: data, DOCKER_HOST: 'tcp://127.0.0.1:1' };
    const child = spawn(process.execPath, [join(appRoot(), 'bin', 'neutron-lab.mjs'), ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the CLI refuses what it does not know', () => {
  it('an unknown --lang, on check and on hint: exit 2, naming the languages', { timeout: 60_000 }, async () => {
    for (const args of [
      ['check', 'some-session', '--lang', 'fr'],
      ['hint', 'some-session', 'table-0', '--lang', 'fr'],
    ]) {
      const result = await cli(args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/'fr' is invalid\. Allowed choices are en, zh/);
    }
  });

  it('progress of a lab that does not exist: exit 2 with the labs there are; no made-up row', { timeout: 60_000 }, async () => {
    const result = await cli(['progress', 'nosuchlab']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No lab "nosuchlab": it is not in the catalogue and has no stored progress.');
    expect(result.stderr).toMatch(/hint: Labs: .*gre-tenant/);
    expect(result.stdout).toBe('');
    const traversal = await cli(['progress', '../../victim']);
    expect(traversal.code).toBe(2);
  });

  it('progress of a known lab: one count, given objectives left out', { timeout: 60_000 }, async () => {
    const result = await cli(['progress', 'gre-tenant', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { labs: unknown[] }).labs).toEqual([
      expect.objectContaining({ lab: 'gre-tenant', met: 0, solved: 0, total: 9 }),
    ]);
  });
});

describe("check's report", () => {
  const objective = { step: 'tables', given: false, expected: 'a flow', found: 'none', hintsUsed: 1, hintsTotal: 2 };
  const report: CheckReport = {
    session: 'my-gre',
    lab: 'gre-tenant',
    passed: 1,
    total: 2,
    allPassed: false,
    credit: { met: 2, solved: 1, total: 2 },
    currentStep: 1,
    elapsedMs: 5,
    notices: [],
    objectives: [
      { ...objective, id: 'table-0', title: 'Table 0', passed: false, hint: 'first', hintNumber: 1 },
      { ...objective, id: 'table-1', title: 'Table 1', passed: true, solvedForYou: true, hintsUsed: 0 },
    ],
  };

  it('labels hints n/N and suggests the next one by session name, not lab id', () => {
    const text = formatReport(report);
    expect(text).toContain('      hint 1/2: first  (next: neutron-lab hint my-gre table-0)');
    expect(text).not.toContain('hint gre-tenant');
  });

  it('marks what solve built, and gives the stored count when it differs from what is met now', () => {
    const text = formatReport(report);
    expect(text).toContain('✓ table-1 (solved for you): Table 1');
    expect(text).toContain('progress: 2/2 (1 solved for you)');
    expect(formatReport({ ...report, credit: { met: 1, solved: 0, total: 2 } })).not.toContain('progress:');
  });

  it('says nothing of a next hint once the last is shown', () => {
    const last = {
      ...report,
      objectives: [{ ...objective, id: 'table-0', title: 'Table 0', passed: false, hint: 'second', hintNumber: 2, hintsUsed: 2 }],
    };
    expect(formatReport(last).endsWith('      hint 2/2: second')).toBe(true);
  });
});
