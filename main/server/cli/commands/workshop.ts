import { readdir, rename, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../core/errors';
import { readCatalog, resolveLab } from '../../../core/lab/catalog';
import { userDataDir } from '../../../core/paths';
import { listSessions } from '../../../core/session/sessions';
import { removeSession } from '../../../core/session/teardown';
import { recordsToCsv } from '../../../core/workshop/records';
import { workshopRecords } from '../../../core/workshop/results';
import { Workshop } from '../../../core/workshop/workshop';
import { contextFor } from '../context';
import { info, printJson } from '../output';
import { DEFAULT_PORT, serveUntilStopped } from './serve';

/**
 * `workshop start`: one server for a class. The instructor's link carries the workshop's own
 * token; students open the join link, give the code and a name, and get a seat of their own.
 * The workshop is kept in a folder (the data folder's `workshop/` by default) and resumed by the
 * next `workshop start` there, so a restarted server keeps every identity and all progress.
 */

interface StartFlags {
  labs?: string;
  faultSeed?: string;
  seats: string;
  title: string;
  host: string;
  port: string;
  dir?: string;
}

const defaultDir = () => join(userDataDir(), 'workshop');

export function registerWorkshop(program: Command): void {
  const workshop = program.command('workshop').description('run a class: one server, a seat and labs of their own for each student');

  workshop
    .command('start')
    .description('start a workshop (or resume the one kept in --dir) and serve it')
    .option('--labs <ids>', 'the labs students may run, comma-separated (a new workshop needs them)')
    .option('--seats <n>', 'how many students may join', '30')
    .option('--title <text>', 'shown on the join page', 'Neutron Lab workshop')
    .option('--host <address>', 'address to listen on (0.0.0.0 for the room)', '127.0.0.1')
    .option('--port <port>', 'port to listen on', String(DEFAULT_PORT))
    .option('--dir <folder>', "where the workshop is kept (default: the data folder's workshop/)")
    .option('--fault-seed <text>', 'break-fix labs: draw every student the same fault, from this seed')
    .action(async (flags: StartFlags, command: Command) => {
      const dir = flags.dir ?? defaultDir();
      const kept = await Workshop.open(dir);
      let opened: Workshop;
      if (kept) {
        if (flags.labs !== undefined || flags.faultSeed !== undefined) {
          throw new AppError('state', `A workshop is already kept in ${dir} ("${kept.title}", labs ${kept.labs.join(', ')}).`, {
            hint: 'Resume it with `neutron-lab workshop start` (no --labs or --fault-seed), or end it first with `neutron-lab workshop end`.',
          });
        }
        opened = kept;
        info(`Resuming "${kept.title}": ${kept.students.length} of ${kept.seats} seats taken.`);
      } else {
        if (!flags.labs) throw new AppError('usage', 'A new workshop needs its labs: --labs gre-tenant,dhcp-router.');
        const labs = flags.labs
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean);
        // Every lab must load now, not when thirty students press Start.
        for (const lab of labs) await resolveLab(lab);
        const seats = Number(flags.seats);
        if (!Number.isInteger(seats) || seats < 1 || seats > 200)
          throw new AppError('usage', `--seats ${flags.seats}: give a number from 1 to 200.`);
        opened = await Workshop.create(dir, {
          title: flags.title,
          labs,
          seats,
          ...(flags.faultSeed === undefined ? {} : { faultSeed: flags.faultSeed }),
        });
      }
      await serveUntilStopped({
        host: flags.host,
        port: flags.port,
        dockerHost: command.optsWithGlobals<{ dockerHost?: string }>().dockerHost,
        workshop: { workshop: opened, dir },
        announce: (url) => announce(opened, url, flags.host),
      });
    });

  workshop
    .command('results')
    .description('what each student did: one row per student and objective, as CSV (or --json)')
    .option('--dir <folder>', 'where the workshop is kept')
    .option('--json', 'print JSON instead of CSV')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(results);

  workshop
    .command('end')
    .description('end the workshop kept in --dir: remove every student lab, keep its record aside')
    .option('--dir <folder>', 'where the workshop is kept')
    .option('--json', 'print what was removed as JSON')
    .action(async (flags: { dir?: string }, command: Command) => {
      const ctx = contextFor(command);
      const dir = flags.dir ?? defaultDir();
      const kept = await Workshop.open(dir);
      if (!kept) throw new AppError('state', `No workshop is kept in ${dir}.`);
      const engine = await ctx.engine();
      // This workshop's labs only: another workshop may run on the same engine.
      const labs = (await listSessions(engine)).filter((s) => s.student?.startsWith(`${kept.id}:`));
      for (const session of labs) await removeSession(engine, session.id);
      // The record (who joined) stays, under another name: the next start begins afresh.
      const record = join(dir, `ended-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      await rename(kept.file, record);
      if (ctx.json) printJson({ removedLabs: labs.map((s) => s.name), record });
      else info(`Ended "${kept.title}": removed ${labs.length} student lab${labs.length === 1 ? '' : 's'}; its record is ${record}.`);
    });
}

async function results(flags: { dir?: string; json?: boolean; out?: string }, command: Command): Promise<void> {
  const ctx = contextFor(command);
  const dir = flags.dir ?? defaultDir();
  const kept = (await Workshop.open(dir)) ?? (await lastEnded(dir));
  if (!kept) throw new AppError('state', `No workshop is kept in ${dir}.`);
  const catalog = await readCatalog();
  const records = await workshopRecords(kept, dir, catalog.labs);
  const text = ctx.json ? `${JSON.stringify({ title: kept.title, labs: kept.labs, students: records }, null, 2)}\n` : recordsToCsv(records);
  if (flags.out) {
    await writeFile(flags.out, text);
    info(`Wrote the results of ${records.length} student${records.length === 1 ? '' : 's'} to ${flags.out}.`);
  } else process.stdout.write(text);
}

/** The record of the last workshop ended in `dir`: its results stay readable after the end. */
async function lastEnded(dir: string): Promise<Workshop | undefined> {
  const ended = (await readdir(dir).catch(() => [] as string[])).filter((f) => /^ended-.*\.json$/.test(f)).sort();
  const last = ended.at(-1);
  return last ? Workshop.openFile(join(dir, last)) : undefined;
}

function announce(workshop: Workshop, url: string, host: string): void {
  const base = new URL(url);
  // 0.0.0.0 is where the server listens, not an address a laptop can reach: name one that is.
  if (host === '0.0.0.0' || host === '::') {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (address) base.hostname = address;
  }
  const instructor = new URL(base);
  const join = new URL('/join', base);
  join.search = '';
  join.searchParams.set('code', workshop.joinCode);
  process.stdout.write(
    [
      `Workshop "${workshop.title}": ${workshop.labs.join(', ')} · ${workshop.seats} seats`,
      `Instructor (keep it private): ${instructor.href}`,
      `Students join at:             ${join.href}`,
      `Join code:                    ${workshop.joinCode}`,
      '',
    ].join('\n'),
  );
}
