import type { Command } from 'commander';
import { runDoctor, type Check } from '../../../core/doctor';
import { printJson } from '../output';
import { electronBinary } from '../../../core/desktop';

const MARK: Record<Check['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check that this machine can run labs, and say how to fix what is missing')
    .option('--json', 'print the checks as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { dockerHost } = command.optsWithGlobals<{ dockerHost?: string }>();
      const report = await runDoctor({ endpoint: dockerHost });
      const electron = electronBinary();
      report.checks.push(
        electron.path
          ? { id: 'desktop', title: 'Desktop app (Electron)', status: 'ok', detail: electron.path }
          : {
              id: 'desktop',
              title: 'Desktop app (Electron)',
              status: 'warn',
              detail: electron.reason ?? 'unavailable',
              hint: '`npm start` serves the same UI in a browser instead.',
            },
      );
      if (options.json) printJson(report);
      else {
        const lines = report.checks.flatMap((c) => [
          `${MARK[c.status]}  ${c.title}: ${c.detail}`,
          ...(c.hint && c.status !== 'ok' ? [`      fix: ${c.hint}`] : []),
        ]);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (!report.ok) process.exitCode = 3;
    });
}
