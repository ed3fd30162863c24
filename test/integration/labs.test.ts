import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../main/core/lab/catalog';
import type { CheckReport } from '../../main/core/run/results';
import { objectsOfSession, runCli, uniqueName } from './helpers';

/**
 * Every lab of the catalogue, through the path a learner takes, with the real CLI:
 * up → the learner's objectives fail and the given ones pass → solve → all pass →
 * reset → the learner's objectives fail again → down leaves nothing.
 */

const catalog = await readCatalog();
const env = { NEUTRON_LAB_DATA: mkdtempSync(join(tmpdir(), 'nl-progress-')) };

async function check(name: string): Promise<{ code: number | null; report: CheckReport }> {
  const result = await runCli(['check', name, '--json'], { env });
  return { code: result.code, report: JSON.parse(result.stdout) as CheckReport };
}

/** Objective id → passed, split into given and learner's. */
function verdicts(report: CheckReport) {
  const of = (given: boolean) => Object.fromEntries(report.objectives.filter((o) => o.given === given).map((o) => [o.id, o.passed]));
  return { given: of(true), learner: of(false) };
}

describe.each(catalog.labs.map((l) => [l.lab.id, l] as const))('lab %s', (id, loaded) => {
  it('boots unsolved, is solved by solve, and is unsolved again after reset', { timeout: 120_000 }, async () => {
    const name = uniqueName(id.slice(0, 12));
    const up = await runCli(['up', id, '--name', name], { env });
    expect(up.stderr, up.stderr).not.toMatch(/error/);
    expect(up.code).toBe(0);
    try {
      const learner = loaded.lab.steps.flatMap((s) => s.objectives).filter((o) => !o.given);
      expect(learner.length).toBeGreaterThan(0);

      const booted = await check(name);
      expect(booted.code).toBe(1);
      const atBoot = verdicts(booted.report);
      expect(Object.values(atBoot.given).every(Boolean), JSON.stringify(booted.report.objectives.filter((o) => o.given && !o.passed))).toBe(true);
      expect(atBoot.learner).toEqual(Object.fromEntries(learner.map((o) => [o.id, false])));
      for (const objective of booted.report.objectives.filter((o) => !o.passed)) {
        expect(objective.expected).not.toBe('');
        expect(objective.found).not.toBe('');
      }

      const solved = await runCli(['solve', name, '--json'], { env });
      expect(solved.code, solved.stderr).toBe(0);
      const afterSolve = await check(name);
      expect(afterSolve.report.objectives.filter((o) => !o.passed)).toEqual([]);
      expect(afterSolve.code).toBe(0);

      const reset = await runCli(['reset', name, '--json'], { env });
      expect(reset.code, reset.stderr).toBe(0);
      expect(JSON.parse(reset.stdout)).toMatchObject({ recreated: false });
      const afterReset = verdicts((await check(name)).report);
      expect(Object.values(afterReset.given).every(Boolean)).toBe(true);
      expect(afterReset.learner).toEqual(Object.fromEntries(learner.map((o) => [o.id, false])));

      // Progress remembers what was met, across the reset.
      const progress = JSON.parse((await runCli(['progress', id, '--json'], { env })).stdout) as { labs: { met: number; total: number }[] };
      expect(progress.labs[0]).toMatchObject({ met: learner.length, total: learner.length });
    } finally {
      const down = await runCli(['down', name], { env });
      expect(down.code).toBe(0);
    }
    expect(await objectsOfSession(name)).toEqual({ containers: [], networks: [] });
  });
});

describe('solve --step', () => {
  it('builds the state after step N: the objectives of steps 1 to N pass, later ones do not', { timeout: 60_000 }, async () => {
    const name = uniqueName('checkpoint');
    expect((await runCli(['up', 'ovs-basics', '--name', name], { env })).code).toBe(0);
    try {
      const solved = await runCli(['solve', name, '--step', '2', '--json'], { env });
      expect(solved.code, solved.stderr).toBe(0);
      expect(JSON.parse(solved.stdout)).toMatchObject({ built: ['compute1/integration-bridge', 'compute1/vm/vm1'] });
      const { report } = await check(name);
      const byStep = (step: string) => report.objectives.filter((o) => o.step === step).map((o) => o.passed);
      expect([...byStep('bridge'), ...byStep('first-vm')].every(Boolean)).toBe(true);
      expect(byStep('second-vm').some(Boolean)).toBe(false);
      expect((await runCli(['solve', name, '--step', '9'], { env })).code).toBe(2);
    } finally {
      await runCli(['down', name], { env });
    }
  });
});
