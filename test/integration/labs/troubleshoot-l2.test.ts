import { expect, it } from 'vitest';
import { evaluate } from '../../../main/core/check/evaluate';
import type { Check } from '../../../main/core/check/schema';
import { resolveCloud } from '../../../main/core/cloud/model';
import { execArgv } from '../../../main/core/docker/exec';
import { collectSnapshot } from '../../../main/core/inspect/snapshot/snapshot';
import { resolveLab } from '../../../main/core/lab/catalog';
import { textIn } from '../../../main/core/lab/schema';
import { checkLab, resetLab, solveLab } from '../../../main/core/run';
import { requireNode } from '../../../main/core/session/sessions';
import { testEngine } from '../helpers';
import { labSuite } from './lab-suite';

/**
 * A break-fix lab: besides the suite every lab passes (its learner objective fails at boot
 * because a fault is made, solve repairs it, reset makes it again), every one of its faults is
 * made in turn and proven: the objective fails, the fault's own check tells it from every other
 * fault, other faults' repairs leave it failing, a detour that lets the ping through does not
 * count, and solve repairs it, names it, and can run again.
 */
labSuite('troubleshoot-l2', {
  whenSolved: (lab) => {
    it('makes each fault in turn: only its own repair meets the objective, and solve repairs and names it', { timeout: 300_000 }, async () => {
      const engine = await testEngine();
      const { lab: spec } = await resolveLab('troubleshoot-l2');
      const names = Object.keys(spec.faults);
      expect(names.length).toBeGreaterThanOrEqual(4);
      const model = resolveCloud(spec);
      const node = (name: string) => requireNode(engine, lab.name, name);
      const run = async (on: string, argv: string[]) => {
        const result = await execArgv(await node(on), argv);
        expect(result.exitCode, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
      };
      const objective = async () => (await checkLab(engine, lab.name, { only: ['reaches-dhcp'] })).objectives[0];
      /** Which faults' own checks hold on the live nodes now. */
      const repairedNow = async () => {
        const snapshots = new Map(
          await Promise.all(['network', 'compute1'].map(async (n) => [n, await collectSnapshot(await node(n), n)] as const)),
        );
        const held = (check: Check) => evaluate(check, { model, snapshots, probed: new Map() }).passed;
        return Object.fromEntries(names.map((n) => [n, held(spec.faults[n]!.repaired)]));
      };
      const allRepaired = Object.fromEntries(names.map((n) => [n, true]));
      expect(await repairedNow()).toEqual(allRepaired);

      for (const name of names) {
        const fault = spec.faults[name]!;
        await resetLab(engine, lab.name, { fault: name });
        const broken = await objective();
        expect(broken, `${name}: ${JSON.stringify(broken)}`).toMatchObject({ passed: false });
        // Its own check, and no other, tells the fault is there; what it looks for is not shown.
        expect(await repairedNow(), name).toEqual({ ...allRepaired, [name]: false });
        expect(JSON.stringify(broken)).not.toContain(name);

        for (const other of names.filter((n) => n !== name)) {
          for (const argv of spec.faults[other]!.repair) await run(spec.faults[other]!.node, argv);
        }
        expect(await objective(), `${name}, after the other faults' repairs`).toMatchObject({ passed: false });

        const solved = await solveLab(engine, lab.name);
        expect(solved.repaired).toEqual({ fault: name, title: textIn(fault.title, 'en') });
        expect(await objective(), `${name}, solved`).toMatchObject({ passed: true, found: expect.stringContaining('repaired') });
        // Solving a repaired lab again changes nothing and still passes.
        await solveLab(engine, lab.name);
        expect(await objective(), `${name}, solved twice`).toMatchObject({ passed: true });
      }
    });

    it('does not count a detour: the ping passes through a flow of its own, and the objective still fails', { timeout: 120_000 }, async () => {
      const engine = await testEngine();
      const compute1 = await requireNode(engine, lab.name, 'compute1');
      await resetLab(engine, lab.name, { fault: 'lost-tunnel-flow' });
      // The same translation at another priority: traffic flows, the lost flow is still lost.
      const detour = ['ovs-ofctl', 'add-flow', 'br-tun', 'table=2,priority=5,tun_id=0x1,actions=mod_vlan_vid:1,resubmit(,10)'];
      expect((await execArgv(compute1, detour)).exitCode).toBe(0);
      const checked = await checkLab(engine, lab.name, { only: ['reaches-dhcp'] });
      expect(checked.objectives[0]).toMatchObject({ passed: false, found: 'the cause is still there' });
      const solved = await solveLab(engine, lab.name);
      expect(solved.repaired?.fault).toBe('lost-tunnel-flow');
      expect((await execArgv(compute1, ['ovs-ofctl', '--strict', 'del-flows', 'br-tun', 'table=2,priority=5,tun_id=0x1'])).exitCode).toBe(0);
      expect((await checkLab(engine, lab.name, { only: ['reaches-dhcp'] })).objectives[0]).toMatchObject({ passed: true });
    });

    it('reset --another makes a different fault each time', { timeout: 120_000 }, async () => {
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
  },
});
