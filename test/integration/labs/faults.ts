import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { resolveCloud } from '../../../main/core/cloud/model';
import { execArgv } from '../../../main/core/docker/exec';
import { resolveLab } from '../../../main/core/lab/catalog';
import { textIn } from '../../../main/core/lab/schema';
import { checkLab, checkRound, resetLab, solveLab } from '../../../main/core/run';
import { creditOf } from '../../../main/core/run/credit';
import { runFault } from '../../../main/core/run/faults';
import { ProgressStore } from '../../../main/core/run/progress-store';
import { containersOf } from '../../../main/core/run/running-lab';
import { requireNode, requireSession } from '../../../main/core/session/sessions';
import { testEngine } from '../helpers';
import type { LabContext } from './lab-suite';

/**
 * What a break-fix lab proves beyond the suite every lab passes (its learner objective fails at
 * boot because a fault is made, solve repairs it, reset makes it again): every one of its faults,
 * made in turn, fails the objective; the fault's own check, and no other fault's, tells it is
 * there; the other faults' repairs leave the objective failing; solve repairs it, names it, and
 * can run again. A detour (traffic forced through without repairing the cause) does not count.
 * Registered from the lab's whenSolved: it leaves the lab solved.
 */
export interface BreakFixOptions {
  /** The objective that asks for the repair. */
  objective: string;
  /** A fault, and argv on its node that makes the symptom go without repairing it; and the argv that takes that away. */
  detour?: { fault: string; node: string; add: string[]; remove: string[] };
  /** Also prove the progress it keeps of faults met (the learner's repair, solve's). */
  progress?: boolean;
}

const SLOW = { timeout: 300_000 };

export function breakFixTests(lab: LabContext, labId: string, options: BreakFixOptions): void {
  it('makes each fault in turn: only its own check tells it, only its own repair meets the objective, and solve repairs and names it', SLOW, async () => {
    const engine = await testEngine();
    const { lab: spec } = await resolveLab(labId);
    const names = Object.keys(spec.faults);
    expect(names.length).toBeGreaterThanOrEqual(4);
    const model = resolveCloud(spec);
    const objective = async () => (await checkLab(engine, lab.name, { only: [options.objective] })).objectives[0];
    /** Which faults' own checks hold on the live nodes now. */
    const repairedNow = async () => {
      const containers = containersOf(engine, await requireSession(engine, lab.name));
      const outcomes = await checkRound(
        containers,
        model,
        names.map((n) => spec.faults[n]!.repaired),
        () => Promise.reject(new Error('no follow in a fault check')),
      );
      return Object.fromEntries(names.map((n, i) => [n, outcomes[i]!.passed]));
    };
    const allRepaired = Object.fromEntries(names.map((n) => [n, true]));
    expect(await repairedNow()).toEqual(allRepaired);

    for (const name of names) {
      const fault = spec.faults[name]!;
      await resetLab(engine, lab.name, { fault: name });
      const broken = await objective();
      expect(broken, `${name}: ${JSON.stringify(broken)}`).toMatchObject({ passed: false });
      // What the fault's check looks for is not shown: only the symptom, and whether the cause is gone.
      expect(JSON.stringify(broken)).not.toContain(name);
      expect(await repairedNow(), name).toEqual({ ...allRepaired, [name]: false });

      // Another fault's repair may fail here (it signals a dnsmasq this fault killed): it has run all the same.
      const containers = containersOf(engine, await requireSession(engine, lab.name));
      for (const other of names.filter((n) => n !== name)) {
        await runFault(containers, other, spec.faults[other]!, 'repair').catch(() => undefined);
      }
      expect(await objective(), `${name}, after the other faults' repairs`).toMatchObject({ passed: false });

      const solved = await solveLab(engine, lab.name);
      expect(solved.repaired).toEqual({ fault: name, title: textIn(fault.title, 'en') });
      expect(await objective(), `${name}, solved`).toMatchObject({ passed: true });
      // Solving a repaired lab again changes nothing and still passes.
      await solveLab(engine, lab.name);
      expect(await objective(), `${name}, solved twice`).toMatchObject({ passed: true });
    }
  });

  const detour = options.detour;
  if (detour) {
    it(`does not count a detour: with ${detour.fault}, traffic forced through still leaves the objective failing`, SLOW, async () => {
      const engine = await testEngine();
      const on = await requireNode(engine, lab.name, detour.node);
      await resetLab(engine, lab.name, { fault: detour.fault });
      expect((await execArgv(on, detour.add)).exitCode).toBe(0);
      const checked = await checkLab(engine, lab.name, { only: [options.objective] });
      expect(checked.objectives[0]).toMatchObject({ passed: false, found: 'the cause is still there' });
      expect((await solveLab(engine, lab.name)).repaired?.fault).toBe(detour.fault);
      expect((await execArgv(on, detour.remove)).exitCode).toBe(0);
      expect((await checkLab(engine, lab.name, { only: [options.objective] })).objectives[0]).toMatchObject({ passed: true });
    });
  }

  // The same code records every lab's faults: one lab proves it.
  if (options.progress) it("keeps each fault met in the learner's progress: repaired by them, or solved for them", SLOW, async () => {
    const engine = await testEngine();
    const { lab: spec } = await resolveLab(labId);
    const [first = '', second = ''] = Object.keys(spec.faults);
    const store = new ProgressStore(await mkdtemp(join(tmpdir(), 'nl-fault-progress-')));
    const objective = async () => (await checkLab(engine, lab.name, { store, only: [options.objective] })).objectives[0];
    await resetLab(engine, lab.name, { fault: first });
    expect(await objective()).toMatchObject({ passed: false });
    expect((await store.read(labId)).progress.faults).toEqual({});
    // The learner repairs it as an operator would: the fault's own repair, typed in the node.
    const containers = containersOf(engine, await requireSession(engine, lab.name));
    await runFault(containers, first, spec.faults[first]!, 'repair');
    expect(await objective()).toMatchObject({ passed: true });
    expect((await store.read(labId)).progress.faults).toEqual({ [first]: { repairedAt: expect.any(String) } });

    await resetLab(engine, lab.name, { fault: second });
    await solveLab(engine, lab.name, { store });
    expect(await objective()).toMatchObject({ passed: true });
    const progress = (await store.read(labId)).progress;
    expect(progress.faults[second]).toEqual({ solvedAt: expect.any(String) });
    expect(creditOf(spec, progress).faults).toEqual({ met: 2, solved: 1, total: Object.keys(spec.faults).length });
  });

  it('reset --another makes a different fault each time', SLOW, async () => {
    const engine = await testEngine();
    let previous = (await solveLab(engine, lab.name)).repaired?.fault;
    for (let i = 0; i < 3; i++) {
      await resetLab(engine, lab.name, { another: true });
      const now = (await solveLab(engine, lab.name)).repaired?.fault;
      expect(now).toBeDefined();
      expect(now).not.toBe(previous);
      previous = now;
    }
  });
}
