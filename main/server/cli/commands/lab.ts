import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { AppError, formatLocation } from '../../../core/errors';
import { LAB_FILE, readCatalog } from '../../../core/lab/catalog';
import { checkLab, resetLab, solveLab, takeHint } from '../../../core/run';
import { creditOf, formatCredit } from '../../../core/run/credit';
import type { CheckReport } from '../../../core/run/results';
import type { LocatedProblem } from '../../../core/errors';
import { decodeUtf8, lintLab } from '../../../core/lab/load';
import { ProgressStore } from '../../../core/run/progress-store';
import { assertLabId } from '../../../core/lab/lab-id';
import { listSessions } from '../../../core/session/sessions';
import type { Engine } from '../../../core/docker/engine';
import { labsDir } from '../../../core/paths';
import { textIn, type Language } from '../../../core/lab/schema';
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
      const files = paths.length ? paths.map(labFileOf) : await catalogFiles();
      const reports = await Promise.all(
        files.map(async (file) => ({ file, problems: lintLab(decodeUtf8(await readFile(file), file), file).problems })),
      );
      const errors = reports.reduce((n, r) => n + r.problems.filter((p) => p.severity === 'error').length, 0);
      const warnings = reports.reduce((n, r) => n + r.problems.filter((p) => p.severity === 'warning').length, 0);
      if (ctx.json) printJson({ files: reports, errors, warnings });
      else {
        for (const report of reports) for (const problem of report.problems) process.stdout.write(`${describe(problem)}\n`);
        info(
          `${files.length} lab file${files.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`,
        );
      }
      if (errors > 0) process.exitCode = 2;
    });

  program
    .command('check')
    .description("evaluate a running lab's objectives on its live state (exit 1 when some fail)")
    .argument('[name]', 'session name (default: the only running lab)')
    .option('--objective <id...>', 'only these objectives')
    .addOption(languageOption())
    .option('--json', 'print the results as JSON')
    .action(async (name: string | undefined, options: { objective?: string[]; lang: Language }, command: Command) => {
      const ctx = contextFor(command);
      const engine = await ctx.engine();
      const report = await checkLab(engine, await sessionName(name, engine), {
        store: new ProgressStore(),
        language: options.lang,
        only: options.objective,
      });
      for (const notice of report.notices) info(`warning: ${notice}`);
      if (ctx.json) printJson(report);
      else process.stdout.write(`${formatReport(report)}\n`);
      process.exitCode = report.allPassed ? 0 : 1;
    });

  program
    .command('solve')
    .description('build what the learner builds: all of it, or up to and including step N')
    .argument('[name]', 'session name (default: the only running lab)')
    .option('--step <n>', 'the state after step N (1-based): steps 1 to N built', (v) => Number.parseInt(v, 10))
    .addOption(languageOption())
    .option('--json', 'print what was built as JSON')
    .action(async (name: string | undefined, options: { step?: number; lang: Language }, command: Command) => {
      const ctx = contextFor(command);
      const engine = await ctx.engine();
      if (options.step !== undefined && !Number.isInteger(options.step))
        throw new AppError('usage', '--step takes a step number, like --step 2.');
      const result = await solveLab(engine, await sessionName(name, engine), {
        step: options.step,
        store: new ProgressStore(),
        language: options.lang,
      });
      if (ctx.json) printJson(result);
      else {
        if (result.repaired) info(`The fault was ${result.repaired.fault}: ${result.repaired.title}. Repaired.`);
        info(
          result.built.length
            ? `Built ${result.built.join(', ')} (${result.commands} commands, ${result.elapsedMs} ms).`
            : result.repaired
              ? `Nothing else to build (${result.commands} commands, ${result.elapsedMs} ms).`
              : 'Nothing to build in that step.',
        );
      }
    });

  program
    .command('reset')
    .description('take a running lab back to its boot state (the learner starts again)')
    .argument('[name]', 'session name (default: the only running lab)')
    .option('--another', 'a break-fix lab: make another of its faults, not the same one again')
    .option('--fault <fault>', 'a break-fix lab: make this fault')
    .option('--json', 'print the result as JSON')
    .action(async (name: string | undefined, options: { another?: boolean; fault?: string }, command: Command) => {
      const ctx = contextFor(command);
      const engine = await ctx.engine();
      const result = await resetLab(engine, await sessionName(name, engine), {
        another: options.another === true,
        ...(options.fault === undefined ? {} : { fault: options.fault }),
      });
      if (ctx.json) printJson(result);
      else info(`Reset ${result.session}${result.recreated ? ' (its nodes were recreated)' : ''} in ${result.elapsedMs} ms.`);
    });

  program
    .command('hint')
    .description('show the next hint of an objective in a running lab (hints start afresh in each session)')
    .usage('[name] <objective> [options]')
    .argument('<name-or-objective>', 'session name, then the objective id (the session may be left out when only one lab is up)')
    .argument('[objective]', 'objective id')
    .addOption(languageOption())
    .option('--json', 'print the hint as JSON')
    .action(async (first: string, second: string | undefined, options: { lang: Language }, command: Command) => {
      const ctx = contextFor(command);
      const engine = await ctx.engine();
      const [name, objective] = second === undefined ? [undefined, first] : [first, second];
      const hint = await takeHint(engine, await sessionName(name, engine), objective, new ProgressStore(), options.lang);
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
      if (lab !== undefined) assertLabId(lab, 'progress <lab>');
      const known = [...new Set([...catalog.labs.map((l) => l.lab.id), ...(await store.labs())])].sort();
      // Only labs we know of: the catalogue's and those with stored progress (a made-up row for
      // a typo would say "0/0" as if it were true, and a path must never reach the store).
      if (lab !== undefined && !known.includes(lab)) {
        throw new AppError('input', `No lab "${lab}": it is not in the catalogue and has no stored progress.`, {
          hint: `Labs: ${catalog.labs.map((l) => l.lab.id).join(', ')}.`,
        });
      }
      const ids = lab ? [lab] : known;
      const rows = await Promise.all(
        ids.map(async (id) => {
          const read = await store.read(id);
          if (read.problem) info(`warning: ${read.problem}`);
          const loaded = catalog.labs.find((l) => l.lab.id === id);
          const credit = loaded ? creditOf(loaded.lab, read.progress) : undefined;
          return {
            lab: id,
            title: loaded ? textIn(loaded.lab.title) : '(not in the catalogue)',
            ...(credit ?? { met: 0, solved: 0, total: 0 }),
            progress: read.progress,
          };
        }),
      );
      if (ctx.json) printJson({ labs: rows, file: store.dir });
      else {
        const done = (r: (typeof rows)[number]) => (r.total ? formatCredit(r) : '-');
        const hints = (r: (typeof rows)[number]) => String(Object.values(r.progress.hints).reduce((a, b) => a + b, 0));
        process.stdout.write(`${table([['LAB', 'DONE', 'HINTS', 'TITLE'], ...rows.map((r) => [r.lab, done(r), hints(r), r.title])])}\n`);
      }
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
  throw new AppError(
    'usage',
    sessions.length === 0
      ? 'No lab is up: start one with `neutron-lab up LAB`.'
      : `Several labs are up (${sessions.map((s) => s.name).join(', ')}): say which.`,
  );
}

/** `--lang`: a language the labs are written in, or a usage error naming the choices. */
const languageOption = () => new Option('--lang <language>', 'language of titles and hints').choices(['en', 'zh']).default('en');

export function formatReport(report: CheckReport): string {
  const lines = [`${report.lab} (${report.session}): ${report.passed}/${report.total} objectives met  [${report.elapsedMs} ms]`];
  // The stored progress counts what was ever done here; say so when it is not what is met now.
  const { credit } = report;
  if (credit.met !== report.passed || credit.solved > 0)
    lines.push(`progress: ${formatCredit(credit)} (as \`neutron-lab progress\` counts it)`);
  for (const r of report.objectives) {
    lines.push(`  ${r.passed ? '✓' : '✗'} ${r.id}${r.given ? ' (given)' : ''}${r.solvedForYou ? ' (solved for you)' : ''}: ${r.title}`);
    if (r.measured) lines.push(`      measured: ${r.measured}`);
    if (!r.passed) {
      lines.push(`      expected: ${r.expected}`, `      found:    ${r.found}`);
      if (r.hint && r.hintNumber) {
        const more = r.hintNumber < r.hintsTotal ? `  (next: neutron-lab hint ${report.session} ${r.id})` : '';
        lines.push(`      hint ${r.hintNumber}/${r.hintsTotal}: ${r.hint}${more}`);
      }
    }
  }
  return lines.join('\n');
}
