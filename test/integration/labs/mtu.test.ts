import { expect, it } from 'vitest';
import { execArgv } from '../../../main/core/docker/exec';
import { requireNode } from '../../../main/core/session/sessions';
import { testEngine } from '../helpers';
import { labSuite } from './lab-suite';

const inVm1 = (...argv: string[]) => ['ip', 'netns', 'exec', 'vm1', ...argv];

labSuite('mtu', {
  fromBootState: (lab) => {
    it('loses a full-size packet in the tunnel, silently, while a small one passes', async () => {
      const compute1 = await requireNode(await testEngine(), lab.name, 'compute1');
      const big = await execArgv(compute1, inVm1('ping', '-c', '1', '-W', '2', '-M', 'do', '-s', '1472', '10.0.0.2'));
      expect(big.exitCode).toBe(1);
      expect(big.stdout).toContain('1 packets transmitted, 0 received, 100% packet loss');
      expect(big.stdout + big.stderr).not.toContain('message too long');
      expect((await execArgv(compute1, inVm1('ping', '-c', '1', '-W', '2', '-M', 'do', '-s', '1400', '10.0.0.2'))).exitCode).toBe(0);
    });
  },
  whenSolved: (lab) => {
    it('has the VM refuse a packet too large at once, saying why, and carries the largest that fits', async () => {
      const compute1 = await requireNode(await testEngine(), lab.name, 'compute1');
      const big = await execArgv(compute1, inVm1('ping', '-c', '1', '-W', '2', '-M', 'do', '-s', '1472', '10.0.0.2'));
      expect(big.exitCode).toBe(1);
      expect(big.stdout + big.stderr).toContain('message too long, mtu=1450');
      expect((await execArgv(compute1, inVm1('ping', '-c', '1', '-W', '2', '-M', 'do', '-s', '1422', '10.0.0.2'))).exitCode).toBe(0);
    });
  },
});
