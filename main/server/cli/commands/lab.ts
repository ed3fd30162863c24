import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError, formatLocation } from '../../../core/errors';
import { LAB_FILE, readCatalog, resolveLab } from '../../../core/lab/catalog';
import { checkLab, resetLab, solveLab, takeHint } from '../../../core/run';
import type { CheckReport } from '../../../core/run/results';
import type { LocatedProblem } from '../../../core/errors';
import { decodeUtf8, lintLab } from '../../../core/lab/load';
import { ProgressStore } from '../../../core/run/progress-store';
import { assertLabId } from '../../../core/lab/lab-id';
import { listSessions } from '../../../core/session/sessions';
import type { Engine } from '../../../core/docker/engine';
import { labsDir } from '../../../core/paths';
import { textIn } from '../../../core/lab/schema';
import { contextFor } from '../context';
import { info, printJson, table } from '../output';

/** lint, check, solve, reset, hint and progress: working through a lab. */
export function registerLab(program: Command): void {
  program
    .command('lint')
    .description('validate lab files: schema, references, guide files, translations')
    .argument('[path...]', 'lab folders or lab.yaml files (default: every lab in the catalogue)')
    .option('--json', 'print the problems as JSON')
    .action(async (paths: string[], _options, command: Command) => {
      const ctx = contextFor(command);
      const files = paths.length ? paths.map(labFileOf) : (await catalogFiles());
      const reports = await Promise.all(
        files.map(async (file) => ({ file, problems: lintLab(decodeUtf8(await readFile(file), file), file).problems })),
      );
      const errors = reports.reduce((n, r) => n + r.problems.filter((p) => p.severity === 'error').length, 0);
      const warnings = reports.reduce((n, r) => n + r.problems.filter((p) => p.severity === 'warning').length, 0);
      if (ctx.json) printJson({ files: reports, errors, warnings });
      else {
        for (const report of reports) for (const problem of report.problems) process.stdout.write(`${describe(problem)}\n`);
        info(`${files.length} lab file${files.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`);
      }
      if (errors > 0) process.exitCode = 2;
    });

  program
    .command('check')
    .description("evaluate a running lab's objectives on its live state (exit 1 when some fail)")
    .argument('[name]', 'session name (default: the only running lab)')
    .option('--objective <id...>', 'only these objectives')
    .option('--lang <language>', 'en or zh', 'en')
    .option('--json', 'print the results as JSON')
    .action(async (name: string | undefined, options: { objective?: string[]; lang: string }, command: Command) => {
      const ctx = contextFor(command);
      const engine = await ctx.engine();
      const language = options.lang === 'zh' ? 'zh' : 'en';
      const report = await checkLab(engine, await sessionName(name, engine), { store: new ProgressStore(), language, only: options.objective });
      for (const notice of report.notices) info(`warning: ${notice}`);
      if (ctx.json) printJson(report);
      else process.stdout.write(`${formatReport(report)}\n`);
      process.exitCode = report.passed === report.total ? 0 : 1;
    });

  program
    .command('solve')
    .description('build what the learner builds: all of it, or up to and including step N')
    .argument('[name]', 'session name (default: the only running lab)')
    .option('--step <n>', 'the state after step N (1-based): steps 1 to N built', (v) => Number.parseInt(v, 10))
    .option('--json', 'print what was built as JSON')
    .action(async (name: string | undefined, options: { step?: number }, command: Command) => {
      const ctx = contextFor(command);
      const engine = await ctx.engine();
      if (options.step !== undefined && !Number.isInteger(options.step)) throw new AppError('usage', '--step takes a step number, like --step 2.');
      const result = await solveLab(engine, await sessionName(name, engine), { step: options.step });
      if (ctx.json) printJson(result);
      else info(result.built.length ? `Built ${result.built.join(', ')} (${result.commands} commands, ${result.elapsedMs} ms).` : 'Nothing to build in that step.');
    });

  program
    .command('reset')
    .description('take a running lab back to its boot state (the learner starts again)')
    .argument('[name]', 'session name (default: the only running lab)')
    .option('--json', 'print the result as JSON')
    .action(async (name: string | undefined, _options, command: Command) => {
      const ctx = contextFor(command);
      const engine = await ctx.engine();
      const result = await resetLab(engine, await sessionName(name, engine));
      if (ctx.json) printJson(result);
      else info(`Reset ${result.session}${result.recreated ? ' (its nodes were recreated)' : ''} in ${result.elapsedMs} ms.`);
    });

  program
    .command('hint')
    .description("show the next hint of an objective (it counts in the lab's progress)")
    .argument('<lab>', 'lab id or path')
    .argument('<objective>', 'objective id')
    .option('--lang <language>', 'en or zh', 'en')
    .option('--json', 'print the hint as JSON')
    .action(async (reference: string, objective: string, options: { lang: string }, command: Command) => {
      const ctx = contextFor(command);
      const hint = await takeHint(await resolveLab(reference), objective, new ProgressStore(), options.lang === 'zh' ? 'zh' : 'en');
      if (ctx.json) printJson(hint);
      else process.stdout.write(`hint ${hint.number}/${hint.total}: ${hint.hint}\n`);
    });

  program
    .command('progress')
    .description('show what you have done in each lab')
    .argument('[lab]', 'only this lab')
    .option('--json', 'print progress as JSON')
    .action(async (lab: string | undefined, _options, command: Command) => {
      const ctx = contextFor(command);
      const store = new ProgressStore();
      const catalog = await readCatalog();
      const ids = lab ? [assertLabId(lab, 'progress <lab>')] : [...new Set([...catalog.labs.map((l) => l.lab.id), ...(await store.labs())])].sort();
      const rows = await Promise.all(
        ids.map(async (id) => {
          const read = await store.read(id);
          if (read.problem) info(`warning: ${read.problem}`);
          const loaded = catalog.labs.find((l) => l.lab.id === id);
          const objectives = loaded ? loaded.lab.steps.flatMap((s) => s.objectives).filter((o) => !o.given) : [];
          return { lab: id, title: loaded ? textIn(loaded.lab.title) : '(not in the catalogue)', met: objectives.filter((o) => read.progress.objectives[o.id]).length, total: objectives.length, progress: read.progress };
        }),
      );
      if (ctx.json) printJson({ labs: rows, file: store.dir });
      else process.stdout.write(`${table([['LAB', 'MET', 'HINTS', 'TITLE'], ...rows.map((r) => [r.lab, `${r.met}/${r.total}`, String(Object.values(r.progress.hints).reduce((a, b) => a + b, 0)), r.title])])}\n`);
    });
}

function labFileOf(path: string): string {
  const full = resolve(path);
  if (!existsSync(full)) throw new AppError('input', `No lab file or folder at ${path}.`);
  return statSync(full).isDirectory() ? join(full, LAB_FILE) : full;
}

async function catalogFiles(): Promise<string[]> {
  const catalog = await readCatalog();
  return [...catalog.labs.map((l) => l.file), ...catalog.broken.map((b) => join(labsDir(), b.id, LAB_FILE))].sort();
}

function describe(problem: LocatedProblem): string {
  const where = formatLocation({ ...problem.location, file: relative(process.cwd(), problem.location.file) || problem.location.file });
  return `${where}: ${problem.severity}: ${problem.location.field ? `${problem.location.field}: ` : ''}${problem.message}`;
}

/** The session to act on: the one named, or the only one running. */
async function sessionName(name: string | undefined, engine: Engine): Promise<string> {
  if (name !== undefined) return name;
  const sessions = await listSessions(engine);
  if (sessions.length === 1) return (sessions[0] as { name: string }).name;
  throw new AppError('usage', sessions.length === 0 ? 'No lab is up: start one with `neutron-lab up LAB`.' : `Several labs are up (${sessions.map((s) => s.name).join(', ')}): say which.`);
}

export function formatReport(report: CheckReport): string {
  const lines = [`${report.lab} (${report.session}): ${report.passed}/${report.total} objectives met  [${report.elapsedMs} ms]`];
  for (const r of report.objectives) {
    lines.push(`  ${r.passed ? '✓' : '✗'} ${r.id}${r.given ? ' (given)' : ''}: ${r.title}`);
    if (r.measured) lines.push(`      measured: ${r.measured}`);
    if (!r.passed) {
      lines.push(`      expected: ${r.expected}`, `      found:    ${r.found}`);
      if (r.hint) lines.push(`      hint:     ${r.hint}${r.hintsTotal > 1 ? `  (more: neutron-lab hint ${report.lab} ${r.id})` : ''}`);
    }
  }
  return lines.join('\n');
}
