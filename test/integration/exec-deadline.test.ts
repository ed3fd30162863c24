import { describe, expect, it } from 'vitest';
import { execArgv } from '../../main/core/docker/exec';
import { withNode } from './helpers';

/** Commands in a node are time-bounded: a hung one fails with a clear error instead of a silent stall. */
describe('exec time bounds', () => {
  it('fails a command that outlives its bound, naming it, and still runs the next', async () => {
    await withNode('ovs-basics', 'compute1', async (node) => {
      await expect(execArgv(node, ['sleep', '600'], { timeoutMs: 3000 })).rejects.toMatchObject({
        code: 'failed',
        message: 'The Docker engine did not finish `sleep 600` in a node within 3 s.',
      });
      expect((await execArgv(node, ['echo', 'next'])).stdout).toBe('next\n');
    });
  }, 180_000);
});
