import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execArgv } from '../../../main/core/docker/exec';
import { resolveLab } from '../../../main/core/lab/catalog';
import { checkLab, resetLab, solveLab } from '../../../main/core/run';
import type { CheckReport } from '../../../main/core/run/results';
import { requireNode } from '../../../main/core/session/sessions';
import { removeSessionsNamed } from '../../../main/core/session/teardown';
import { objectsOfSession, runCli, testEngine, uniqueName, type CliResult } from '../helpers';
import { saveWhatChanges } from './put-back';
import { WRONG, type Command } from './wrong-states';

/**
 * Everything the integration tests prove about one lab, on ONE boot of it (booting is most of a
 * lab test's time, so each lab file boots once and the lab files run side by side):
 *
 * 1. The learner's path with the real CLI: up → the learner's objectives fail and the given ones
 *    pass → solve → all pass → reset → the learner's objectives fail again, and progress
 *    remembers what was met.
 * 2. Solve is idempotent: after a reset, solving step by step ("Solve this step" on step 1, then
 *    2…) and then solving the whole lab again succeeds and every objective passes.
 * 3. Every objective can fail: from the solved state, its wrong state (wrong-states.ts) fails it;
 *    what it changed is put back after (put-back.ts) where that can be done exactly.
 * 4. down leaves nothing behind.
 *
 * Tests run in order and each leaves the lab in the state the next one starts from.
 */

/** Work that takes seconds alone can take a minute with other labs booting beside it. */
const SLOW = { timeout: 300_000 };

export interface LabContext {
  /** The session's name (not the lab's id). */
  name: string;
  /** Environment for runCli: this file's own progress directory. */
  env: NodeJS.ProcessEnv;
  check(): Promise<{ code: number | null; report: CheckReport }>;
}

export interface LabSuiteOptions {
  /** Registers more tests that start from the boot state (run after the reset of step 1; the lab is reset after them). */
  fromBootState?: (lab: LabContext) => void;
  /** Registers more tests on the solved lab (run right after solve; they leave it solved). */
  whenSolved?: (lab: LabContext) => void;
}

/** Objective id → passed, split into given and learner's. */
function verdicts(report: CheckReport) {
  const of = (given: boolean) => Object.fromEntries(report.objectives.filter((o) => o.given === given).map((o) => [o.id, o.passed]));
  return { given: of(true), learner: of(false) };
}

const failing = (report: CheckReport) => report.objectives.filter((o) => !o.passed);

export function labSuite(labId: string, options: LabSuiteOptions = {}): void {
  describe(`lab ${labId}`, () => {
    const name = uniqueName(labId.slice(0, 12));
    const env = { NEUTRON_LAB_DATA: mkdtempSync(join(tmpdir(), 'nl-progress-')) };
    const cli = (args: string[]) => runCli(args, { env });
    const lab: LabContext = {
      name,
      env,
      async check() {
        const result = await cli(['check', name, '--json']);
        return { code: result.code, report: JSON.parse(result.stdout) as CheckReport };
      },
    };
    let up: CliResult | undefined;
    let loaded: Awaited<ReturnType<typeof resolveLab>>;
    const learner = () => loaded.lab.steps.flatMap((s) => s.objectives).filter((o) => !o.given);
    const allLearnerFail = () => Object.fromEntries(learner().map((o) => [o.id, false]));
    /**
     * The objectives still failing once the solved lab has settled: checked again (for up to a
     * minute) while some fail, as a VM's DHCP lease or ten answered pings can take that long
     * with two other labs booting beside it (solve waits 10 s for leases). A check that never
     * passes still fails the test; the learner's first check after `solve` is asserted once.
     */
    const failingOnceSettled = async (only?: string[]) => {
      const deadline = Date.now() + 60_000;
      const round = async () => failing(await checkLab(await testEngine(), name, only ? { only } : {}));
      let failures = await round();
      while (failures.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        failures = await round();
      }
      return failures;
    };

    beforeAll(async () => {
      loaded = await resolveLab(labId);
      up = await cli(['up', labId, '--name', name]);
    });
    afterAll(async () => {
      // Only when a test failed before `down`: nothing of this file outlives it.
      await removeSessionsNamed(await testEngine(), name);
    });

    it('boots with the given objectives met and the learner\'s not, each saying what it expected and found', SLOW, async () => {
      expect(up?.stderr, up?.stderr).not.toMatch(/error/);
      expect(up?.code).toBe(0);
      expect(learner().length).toBeGreaterThan(0);
      const booted = await lab.check();
      expect(booted.code).toBe(1);
      const atBoot = verdicts(booted.report);
      expect(Object.values(atBoot.given).every(Boolean), JSON.stringify(booted.report.objectives.filter((o) => o.given && !o.passed))).toBe(true);
      expect(atBoot.learner).toEqual(allLearnerFail());
      for (const objective of failing(booted.report)) {
        expect(objective.expected).not.toBe('');
        expect(objective.found).not.toBe('');
      }
    });

    // Solve run again on a solved lab: the step-by-step test below ends with one.
    it('is solved by solve', SLOW, async () => {
      const solved = await cli(['solve', name, '--json']);
      expect(solved.code, solved.stderr).toBe(0);
      const after = await lab.check();
      expect(failing(after.report)).toEqual([]);
      expect(after.code).toBe(0);
    });

    options.whenSolved?.(lab);

    it('is unsolved again after reset, and progress remembers what was met', SLOW, async () => {
      const reset = await cli(['reset', name, '--json']);
      expect(reset.code, reset.stderr).toBe(0);
      expect(JSON.parse(reset.stdout)).toMatchObject({ recreated: false });
      const checked = (await lab.check()).report;
      const afterReset = verdicts(checked);
      expect(afterReset.learner).toEqual(allLearnerFail());
      // The given objectives hold again, once settled as after solve (a measurement between two
      // VMs can miss its first try with other labs booting beside it); the first check's misses are named.
      const givenMissed = checked.objectives.filter((o) => o.given && !o.passed);
      if (givenMissed.length) {
        process.stderr.write(`${labId}: given objectives failing just after reset: ${JSON.stringify(givenMissed.map((o) => [o.id, o.found]))}\n`);
        expect(await failingOnceSettled(givenMissed.map((o) => o.id))).toEqual([]);
      }

      const progress = JSON.parse((await cli(['progress', labId, '--json'])).stdout) as { labs: { met: number; total: number }[] };
      expect(progress.labs[0]).toMatchObject({ met: learner().length, total: learner().length });
    });

    if (options.fromBootState) {
      options.fromBootState(lab);
      it('resets after the tests from the boot state', SLOW, async () => {
        expect(await resetLab(await testEngine(), name)).toMatchObject({ recreated: false });
      });
    }

    // Solve after a reset (and reset twice, with the boot-state tests): "Solve this step" on each
    // step is a solve, and the whole solve after it must find everything built and change nothing.
    it('is solved by solving it step by step from a reset ("Solve this step" on each step), and by solve after that', SLOW, async () => {
      const engine = await testEngine();
      await resetLab(engine, name);
      for (let step = 1; step <= loaded.lab.steps.length; step++) {
        await expect(solveLab(engine, name, { step }), `solve --step ${step}`).resolves.toMatchObject({ session: name });
      }
      await solveLab(engine, name);
      expect(await failingOnceSettled()).toEqual([]);
    });

    describe('every objective fails in its wrong state', () => {
      const wrong = WRONG[labId] ?? {};

      it('lists a wrong state for every objective', () => {
        const ids = loaded.lab.steps.flatMap((s) => s.objectives.map((o) => o.id));
        expect(Object.keys(wrong).sort()).toEqual(ids.sort());
      });

      it.each(Object.entries(wrong))('%s fails when it is wrong, and passes when solved', SLOW, async (objective, commands: Command[]) => {
        const engine = await testEngine();
        const checked = async () => (await checkLab(engine, name, { only: [objective] })).objectives[0];
        let before = await checked();
        const restoring = before?.passed ? undefined : { started: performance.now(), how: 'solve', found: before?.found };
        if (!before?.passed) {
          // An earlier wrong state touches this objective too: back to the solved state. Solve
          // alone rebuilds what a wrong state removed (a second or two); what it added (an extra
          // flow, a rule) only a reset takes away, which costs ten seconds and more. Solve may
          // also refuse (a flow on a port the wrong state deleted): the reset below restores then.
          const solved = await solveLab(engine, name).then(
            () => true,
            () => false,
          );
          if (solved) before = await checked();
        }
        if (!before?.passed) {
          if (restoring) restoring.how = 'reset and solve';
          await resetLab(engine, name);
          await solveLab(engine, name);
          before = await checked();
        }
        expect(before, JSON.stringify(before)).toMatchObject({ passed: true });
        if (restoring) {
          // What CI time goes to: an earlier wrong state's damage that put-back.ts could not undo.
          const seconds = ((performance.now() - restoring.started) / 1000).toFixed(1);
          process.stderr.write(`${labId} ${objective}: failing before its wrong state (${restoring.found}); ${restoring.how} restored it in ${seconds} s\n`);
        }
        const nodeOf = (node: string) => requireNode(engine, name, node);
        const putBack = await saveWhatChanges(nodeOf, commands);
        for (const [node, ...argv] of commands) {
          const result = await execArgv(await nodeOf(node), argv);
          expect(result.exitCode, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
        }
        // OVS keeps forwarding by the datapath flows it cached until its revalidators catch up
        // (up to half a second): a port retagged a moment ago still carried an HTTP request for
        // CI. The check must see the wrong state itself, so the cache goes now (no-op off OVS).
        for (const node of new Set(commands.map(([node]) => node)))
          await execArgv(await nodeOf(node), ['sh', '-c', 'ovs-appctl revalidator/purge 2>/dev/null || true']);
        const after = await checkLab(engine, name, { only: [objective] });
        expect(after.objectives[0], JSON.stringify(after.objectives[0])).toMatchObject({ passed: false });
        expect(after.objectives[0]?.found).not.toBe('');
        // The next test checks its own objective first, and restores the lab if this did not.
        await putBack();
      });
    });

    it('is gone after down', SLOW, async () => {
      const down = await cli(['down', name]);
      expect(down.code, down.stderr).toBe(0);
      expect(await objectsOfSession(name)).toEqual({ containers: [], networks: [] });
    });
  });
}
