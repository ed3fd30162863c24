import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiService } from '../../main/api/service';
import type { MethodResults } from '../../main/api/contract';
import { ProgressStore } from '../../main/core/run/progress-store';
import type { CheckReport } from '../../main/core/run/results';
import { runCli, uniqueName } from './helpers';

/**
 * What a learner is told about their progress, through the real CLI on gre-tenant (three given
 * objectives, nine of the learner's; table-0 has two hints): hints climb from 1 in each session,
 * labelled n/N; check, progress and the catalogue's card give one count; what solve built is
 * counted and marked "solved for you"; an unknown session's error names a command that works.
 */

const data = mkdtempSync(join(tmpdir(), 'nl-credit-'));
const env = { NEUTRON_LAB_DATA: data };
const name = uniqueName('credit');

afterAll(async () => {
  await runCli(['down', name], { env });
});

const json = <T>(stdout: string): T => JSON.parse(stdout) as T;

async function up(): Promise<void> {
  const result = await runCli(['up', 'gre-tenant', '--name', name], { env });
  expect(result.code, result.stderr).toBe(0);
}

describe('progress as the learner sees it', () => {
  it(
    'hints start at 1 in each session, labelled n/N in check and hint, and hint takes the session name',
    { timeout: 240_000 },
    async () => {
      await up();
      const text = await runCli(['check', name], { env });
      expect(text.code).toBe(1);
      // The headline counts the learner's nine, not the given three.
      expect(text.stdout).toContain(`gre-tenant (${name}): 0/9 objectives met`);
      expect(text.stdout).toContain(`      hint 1/2: `);
      expect(text.stdout).toContain(`(next: neutron-lab hint ${name} table-0)`);

      const second = json<{ number: number; total: number }>((await runCli(['hint', name, 'table-0', '--json'], { env })).stdout);
      expect(second).toMatchObject({ number: 2, total: 2 });
      const again = await runCli(['check', name, '--json', '--objective', 'table-0'], { env });
      expect(json<CheckReport>(again.stdout).objectives[0]).toMatchObject({ hintNumber: 2, hintsUsed: 2, hintsTotal: 2 });
      // Each check of a learner's objective not met yet is an attempt (the workshop's results count them); given ones are not.
      const { progress } = await new ProgressStore(join(data, 'progress')).read('gre-tenant');
      expect(progress.attempts).toMatchObject({ 'table-0': 2, 'table-2': 1 });
      expect(progress.attempts['network-node-tables']).toBeUndefined();

      // A new session of the same lab starts the ladder again.
      expect((await runCli(['down', name], { env })).code).toBe(0);
      await up();
      const fresh = await runCli(['hint', name, 'table-0'], { env });
      expect(fresh.code, fresh.stderr).toBe(0);
      expect(fresh.stdout).toMatch(/^hint 1\/2: /);
    },
  );

  it('solve is counted and marked "solved for you"; check, progress and the card agree', { timeout: 240_000 }, async () => {
    const solved = await runCli(['solve', name, '--step', '2'], { env });
    expect(solved.code, solved.stderr).toBe(0);
    // Solving steps 1 and 2 puts the learner on the third (index 2), before any check.
    expect((await new ProgressStore(join(data, 'progress')).read('gre-tenant')).progress.currentStep).toBe(2);
    const checked = await runCli(['check', name, '--json'], { env });
    const report = json<CheckReport>(checked.stdout);
    const tables = report.objectives.filter((o) => o.step === 'tables');
    expect(tables.length).toBe(6);
    expect(tables.every((o) => o.passed && o.solvedForYou)).toBe(true);
    expect(report.objectives.filter((o) => o.given).every((o) => o.passed && !o.solvedForYou)).toBe(true);
    // The traffic step's three need nothing but the tables: they pass now, and count as the learner's.
    expect(report.objectives.filter((o) => o.step === 'traffic').every((o) => o.passed && !o.solvedForYou)).toBe(true);
    expect(report).toMatchObject({ passed: 9, total: 9, allPassed: true, credit: { met: 9, solved: 6, total: 9 } });
    const text = await runCli(['check', name], { env });
    expect(text.stdout).toContain('✓ table-0 (solved for you): ');

    const progress = json<{ labs: { met: number; solved: number; total: number }[] }>(
      (await runCli(['progress', 'gre-tenant', '--json'], { env })).stdout,
    );
    expect(progress.labs[0]).toMatchObject({ met: 9, solved: 6, total: 9 });
    expect((await runCli(['progress', 'gre-tenant'], { env })).stdout).toMatch(/gre-tenant\s+9\/9 \(6 solved for you\)/);

    const client = new ApiService({ progress: new ProgressStore(join(data, 'progress')) }).client(() => undefined);
    const reply = await client.dispatch('labs.list', { language: 'en' });
    expect(reply.ok).toBe(true);
    const card = (reply as { ok: true; result: MethodResults['labs.list'] }).result.labs.find((l) => l.id === 'gre-tenant');
    expect(card?.progress).toEqual({ met: 9, solved: 6, total: 9 });
  });

  it('an unknown session: the error names a command that works', { timeout: 60_000 }, async () => {
    const result = await runCli(['check', 'no-such-session'], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('neutron-lab up <lab> --name no-such-session');
    expect(result.stderr).not.toContain('neutron-lab up no-such-session`');
  });
});
