import { describe, expect, it } from 'vitest';
import { applyParts } from '../../main/core/cloud/apply';
import { webServer } from '../../main/core/cloud/agents/ports';
import { runningCommand, runningFromPidFile } from '../../main/core/cloud/agents/process-guard';
import { part } from '../../main/core/cloud/plan';
import { execArgv } from '../../main/core/docker/exec';
import { withNode } from './helpers';

/**
 * The guards that keep solve from starting a service twice, in a real node: they succeed while
 * the service runs and fail once it is gone, and nl-apply skips a guarded step the second time.
 */

const PID_FILE = '/tmp/nl-guard-test/pid';
// A dnsmasq that serves nothing (no DNS port, no DHCP range): a daemon with a pid file whose options start with "--".
const DNSMASQ = ['dnsmasq', '--port=0', '--no-resolv', '--no-hosts', '--conf-file=', `--pid-file=${PID_FILE}`];
const POLL = { timeout: 30_000, interval: 200 };

describe('process guards in a node', () => {
  it(
    'a pid file guard: running → exit 0; another name, or killed → non-zero; and nl-apply skips the second start',
    { timeout: 120_000 },
    async () => {
      await withNode('ovs-basics', 'compute1', async (node) => {
        const guard = runningFromPidFile(PID_FILE, 'dnsmasq');
        const exitOf = async (argv: string[]) => (await execArgv(node, argv)).exitCode;
        expect(await exitOf(guard), 'no pid file yet').not.toBe(0);

        const start = part(
          { node: 'compute1', kind: 'dhcp', subject: 'guard-test' },
          'a guarded dnsmasq',
          [],
          [{ argv: ['mkdir', '-p', '/tmp/nl-guard-test'] }, { argv: DNSMASQ, unless: guard }],
        );
        expect(await applyParts(node, 'compute1', [start])).toEqual({ ran: 2, skipped: 0 });
        expect(await exitOf(guard)).toBe(0);
        expect(await exitOf(runningFromPidFile(PID_FILE, 'haproxy')), 'the pid is not a haproxy').not.toBe(0);
        // Applied again: the start is skipped (before the fix it ran, and a second dnsmasq fails on a busy port).
        expect(await applyParts(node, 'compute1', [start])).toEqual({ ran: 1, skipped: 1 });
        expect((await execArgv(node, ['pgrep', '-c', '-x', 'dnsmasq'])).stdout.trim()).toBe('1');

        expect(await exitOf(['pkill', '-x', 'dnsmasq'])).toBe(0);
        await expect.poll(() => exitOf(guard), POLL).not.toBe(0);
        // The pid file stays behind, stale: the guard still lets the start run again.
        expect(await exitOf(['test', '-s', PID_FILE])).toBe(0);
        expect(await applyParts(node, 'compute1', [start])).toEqual({ ran: 2, skipped: 0 });
        expect(await exitOf(guard)).toBe(0);
      });
    },
  );

  it(
    "a failed step names its part, even a key with spaces (a fault's repair), the command, its status and what it said",
    { timeout: 120_000 },
    async () => {
      await withNode('ovs-basics', 'compute1', async (node) => {
        const failing = { key: 'the repair of fault x', steps: [{ argv: ['true'] }, { argv: ['sh', '-c', 'echo broken >&2; exit 3'] }] };
        await expect(applyParts(node, 'compute1', [failing])).rejects.toThrow(
          'Building the repair of fault x on compute1 failed: `sh -c echo broken >&2; exit 3` exited 3: broken',
        );
      });
    },
  );

  it('a command-line guard: only that exact command line counts, running or not', { timeout: 120_000 }, async () => {
    await withNode('ovs-basics', 'compute1', async (node) => {
      const server = webServer('guard-test', 8081);
      const exitOf = async (argv: string[]) => (await execArgv(node, argv)).exitCode;
      const guard = runningCommand(server.argv);
      const other = runningCommand(webServer('guard-test', 808).argv);
      expect(await exitOf(guard)).not.toBe(0);
      expect(await exitOf(['mkdir', '-p', server.root])).toBe(0);
      expect(await exitOf(server.argv)).toBe(0);
      await expect.poll(() => exitOf(guard), POLL).toBe(0);
      expect(await exitOf(other), 'port 808 is a prefix of 8081, not the same command').not.toBe(0);
      // A pattern that starts with "-" is a pattern, not an option (pgrep exited 2 on those).
      expect(await exitOf(runningCommand(['-p', '/nowhere/pid']))).toBe(1);
      expect(await exitOf(['pkill', '-f', '--', server.pattern])).toBe(0);
      await expect.poll(() => exitOf(guard), POLL).not.toBe(0);
    });
  });
});
