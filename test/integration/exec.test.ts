import { describe, expect, it } from 'vitest';
import { execArgv } from '../../main/core/docker/exec';
import { IDLE_MS } from '../../main/core/docker/exec-channel';
import { withNode } from './helpers';

/**
 * Commands in a node: through the node's command channel (exec-channel.ts) they behave as
 * `docker exec` did, and they are time-bounded: a hung one fails with a clear error, and it and
 * what it started are killed.
 */
describe('commands in a node', () => {
  it('answer each caller with its own output, exit code and errors, as docker exec does', async () => {
    await withNode('ovs-basics', 'compute1', async (node) => {
      // Thirty at once, each a different length, must come back to the right callers.
      const many = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          execArgv(node, ['sh', '-c', 'head -c "$1" /dev/zero | tr "\\0" x; echo " $0"', `n${i}`, String(i * 1000)]),
        ),
      );
      many.forEach((result, i) => expect(result).toEqual({ exitCode: 0, stdout: `${'x'.repeat(i * 1000)} n${i}\n`, stderr: '' }));

      expect(await execArgv(node, ['sh', '-c', 'echo out; echo err >&2; exit 3'])).toEqual({
        exitCode: 3,
        stdout: 'out\n',
        stderr: 'err\n',
      });
      expect(await execArgv(node, ['cat'], { stdin: 'to stdin' })).toMatchObject({ exitCode: 0, stdout: 'to stdin' });
      expect(
        await execArgv(node, ['sh', '-c', 'echo "$GREETING from $(pwd)"'], { env: { GREETING: 'hello' }, workdir: '/tmp' }),
      ).toMatchObject({
        stdout: 'hello from /tmp\n',
      });
      // No standard input unless given: a reader sees its end at once.
      expect((await execArgv(node, ['wc', '-c'])).stdout.trim()).toBe('0');
      const missing = await execArgv(node, ['no-such-program']);
      expect(missing.exitCode).toBe(127);
      expect(missing.stderr).toContain('no-such-program');
      // Killed by a signal: 128 + its number, as a shell reports it.
      expect((await execArgv(node, ['sh', '-c', 'kill -TERM $$'])).exitCode).toBe(143);
      // Two megabytes of output arrive whole.
      expect((await execArgv(node, ['head', '-c', '2000000', '/dev/zero'])).stdout.length).toBe(2_000_000);
      // A daemon the command leaves holding its output does not hold the answer (or this would time out).
      const started = await execArgv(node, ['sh', '-c', 'sleep 600 & echo started'], { timeoutMs: 20_000 });
      expect(started.stdout).toBe('started\n');
      expect((await execArgv(node, ['pkill', '-x', 'sleep'])).exitCode).toBe(0);

      // Idle for IDLE_MS, the channel closes and its server leaves the node (asked by docker exec,
      // which a user given takes, so that asking opens no channel).
      const servers = () => execArgv(node, ['pgrep', '-c', '-x', 'python3'], { user: 'root' });
      expect((await servers()).stdout.trim()).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      await expect.poll(async () => (await servers()).stdout.trim()).toBe('0');
      expect((await execArgv(node, ['echo', 'reopened'])).stdout).toBe('reopened\n');

      // A node restarted (its channel's server gone with it) answers again.
      await node.restart({ t: 0 });
      expect((await execArgv(node, ['echo', 'back'])).stdout).toBe('back\n');

      // A node without Python cannot run the server: its commands go by docker exec.
      await execArgv(node, ['mv', '/usr/bin/python3', '/usr/bin/python3.hidden'], { user: 'root' });
      await node.restart({ t: 0 });
      expect(await execArgv(node, ['sh', '-c', 'echo plain; exit 4'])).toEqual({ exitCode: 4, stdout: 'plain\n', stderr: '' });
    });
  }, 180_000);

  it('fails a command that outlives its bound, naming it, kills it and what it started, and still runs the next', async () => {
    await withNode('ovs-basics', 'compute1', async (node) => {
      await expect(execArgv(node, ['sh', '-c', 'sleep 601 & sleep 600'], { timeoutMs: 3000 })).rejects.toMatchObject({
        code: 'failed',
        message: 'The Docker engine did not finish `sh -c sleep 601 & sleep 600` in a node within 3 s.',
      });
      await expect.poll(async () => (await execArgv(node, ['pgrep', '-f', 'sleep 60[01]'])).stdout).toBe('');
      expect((await execArgv(node, ['echo', 'next'])).stdout).toBe('next\n');
    });
  }, 180_000);
});
