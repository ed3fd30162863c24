import { expect, it } from 'vitest';
import { runCli } from '../helpers';
import { labSuite } from './lab-suite';

labSuite('ovs-basics', {
  fromBootState: (lab) => {
    it('solve --step N builds the state after step N: the objectives of steps 1 to N pass, later ones do not', { timeout: 300_000 }, async () => {
      const solved = await runCli(['solve', lab.name, '--step', '2', '--json'], { env: lab.env });
      expect(solved.code, solved.stderr).toBe(0);
      expect(JSON.parse(solved.stdout)).toMatchObject({ built: ['compute1/integration-bridge', 'compute1/vm/vm1'] });
      const { report } = await lab.check();
      const byStep = (step: string) => report.objectives.filter((o) => o.step === step).map((o) => o.passed);
      expect([...byStep('bridge'), ...byStep('first-vm')].every(Boolean)).toBe(true);
      expect(byStep('second-vm').some(Boolean)).toBe(false);
      expect((await runCli(['solve', lab.name, '--step', '9'], { env: lab.env })).code).toBe(2);
    });
  },
});
