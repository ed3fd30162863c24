import { AppError } from '../../errors';

/**
 * Guards for plan steps that start a service (a step's `unless`): the step is skipped while the
 * service runs, so a plan applied twice (solve twice, solve after a partial solve) does not start
 * a second dnsmasq that fails "Address already in use".
 *
 * pgrep reads any argument starting with "-" as an option (exit 2, so the guard never skipped),
 * hence every pattern comes after "--". A process killed but not yet reaped by the node's init
 * is a zombie, not a running service: only live run states count.
 */

const LIVE_STATES = ['-r', 'D,I,R,S,T,t'];

/** Succeeds while the process named in `pidFile` is alive and is the program `name` (a stale pid file whose pid was reused does not count). */
export function runningFromPidFile(pidFile: string, name: string): string[] {
  // pgrep -x matches the kernel's process name, which is cut at 15 characters.
  if (name.length === 0 || name.length > 15)
    throw new AppError('internal', `A process name for pgrep -x has 1 to 15 characters, not "${name}".`);
  return ['pgrep', ...LIVE_STATES, '-x', '-F', pidFile, '--', name];
}

/** Succeeds while a process runs with exactly this command line. */
export function runningCommand(argv: readonly string[]): string[] {
  return ['pgrep', ...LIVE_STATES, '-f', '--', commandLinePattern(argv)];
}

/** The extended regular expression pgrep/pkill -f match `argv`'s whole command line with, and nothing longer. */
export function commandLinePattern(argv: readonly string[]): string {
  return `^${argv.join(' ').replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`;
}
