import cliProgress from 'cli-progress';
import { formatLocation, type AppError, type AppErrorJson } from '../../core/errors';
import type { ProgressListener } from '../../core/progress';

/**
 * How the CLI talks. Results go to stdout (with --json: exactly one JSON document); progress
 * and errors go to stderr, so `neutron-lab status --json | jq` always sees clean JSON.
 */

export interface OutputMode {
  json: boolean;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function info(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function printError(error: AppError, mode: OutputMode): void {
  if (mode.json) {
    printJson({ error: error.toJSON() });
    return;
  }
  const lines = [`error: ${error.message}`];
  // The headline already names the first problem; list the rest with their locations.
  for (const problem of error.problems.slice(1)) lines.push(`  ${describeProblem(problem)}`);
  if (error.hint) lines.push(`hint: ${error.hint}`);
  info(lines.join('\n'));
}

function describeProblem(problem: AppErrorJson): string {
  const where = problem.location ? `${formatLocation(problem.location)}: ` : '';
  const field = problem.location?.field ? `${problem.location.field}: ` : '';
  return `${where}${field}${problem.message}`;
}

/**
 * A progress bar on an interactive terminal; elsewhere (CI logs, pipes) one line per stage
 * and per tenth of the way, so logs stay readable.
 */
export function progressReporter(label: string, mode: OutputMode): { listener: ProgressListener; stop(): void } {
  if (mode.json) return { listener: () => undefined, stop: () => undefined };
  if (!process.stderr.isTTY) {
    let lastStage = '';
    let lastDecile = -1;
    return {
      listener: (event) => {
        const decile = Math.floor(event.percent / 10);
        if (event.stage === lastStage && decile === lastDecile) return;
        lastStage = event.stage;
        lastDecile = decile;
        info(`${label}: ${event.stage} ${Math.round(event.percent)}% ${event.message}`);
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {stage} [{bar}] {percentage}% {message}`,
      stream: process.stderr,
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      formatValue: (value, _options, type) => (type === 'percentage' ? String(value).padStart(3) : String(value)),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { stage: 'starting', message: '' });
  const width = Math.max(10, (process.stderr.columns ?? 100) - label.length - 55);
  return {
    listener: (event) =>
      bar.update(Math.round(event.percent), {
        stage: event.stage.padEnd(8),
        message: event.message.length > width ? `${event.message.slice(0, width - 1)}…` : event.message,
      }),
    stop: () => bar.stop(),
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** Left-aligned columns for human-readable tables. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}
