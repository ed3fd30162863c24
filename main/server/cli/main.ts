import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { AppError, toAppError } from '../../core/errors';
import { appRoot } from '../../core/paths';
import { modulesFor } from './commands';
import type { OutputMode } from './output';

/**
 * `neutron-lab`: the command line. It drives the same core as the app, for learners in a
 * terminal, for scripts and tests (`--json` everywhere state is reported), and for servers.
 *
 * Exit codes: 0 success; 1 the operation failed; 2 bad usage or bad input; 3 environment
 * problem (no engine, no image); 4 the lab's state forbids it (not up, already up);
 * 130 interrupted. `exec` and `shell` exit with the command's own code.
 */

/** The program with the commands `argv` needs (all of them without argv): see commands/index.ts. */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const { version } = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string };
  const program = new Command('neutron-lab')
    .description('Learn how OpenStack Neutron moves packets, on containerized Open vSwitch nodes.')
    .version(version)
    .option('--docker-host <url>', 'Docker engine endpoint (default: $DOCKER_HOST, then the local socket)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  const registers = await Promise.all(modulesFor(argv ?? []).map((module) => module.load()));
  for (const register of registers) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const beforeSeparator = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  const mode = { json: beforeSeparator.includes('--json') };
  try {
    await (await buildProgram(argv)).parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end through here too, with exit code 0; commander already printed.
      if (error.exitCode === 0) return 0;
      if (mode.json) await printError(new AppError('usage', error.message.replace(/^error: /, '')), mode);
      return 2;
    }
    const appError = toAppError(error);
    await printError(appError, mode);
    if (appError.code === 'internal' && process.env.NEUTRON_LAB_DEBUG) console.error(error);
    return appError.exitCode;
  }
}

/** output.ts brings the progress bar, which `--version` never needs: it loads when an error is printed. */
async function printError(error: AppError, mode: OutputMode): Promise<void> {
  (await import('./output')).printError(error, mode);
}
