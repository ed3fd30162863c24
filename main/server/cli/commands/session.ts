import type { Command } from 'commander';
import { AppError } from '../../../core/errors';
import { keptLab } from '../../../core/lab/kept-catalog';
import { startLab } from '../../../core/run/start';
import { labFileChanged } from '../../../core/run/running-lab';
import { listSessions, type SessionStatus } from '../../../core/session/sessions';
import { removeEverything, removeSessionsNamed } from '../../../core/session/teardown';
import { contextFor } from '../context';
import { onStopSignal } from '../signals';
import { info, printJson, table } from '../output';

/** up, status and down: the life of a running lab (a session). */
export function registerSession(program: Command): void {
  program
    .command('up')
    .description('boot a lab: its networks and nodes, each running Open vSwitch')
    .argument('<lab>', 'lab id from `neutron-lab labs`, or the path of a lab folder or lab.yaml')
    .option('--name <name>', 'session name (default: the lab id); lets a second copy of a lab run')
    .option('--fault <fault>', 'a break-fix lab: make this fault (default: one drawn at random)')
    .option('--fault-seed <text>', 'a break-fix lab: draw the fault from this seed (the same seed, the same fault)')
    .option('--json', 'print the running session as JSON')
    .action(async (reference: string, options: { name?: string; fault?: string; faultSeed?: string }, command: Command) => {
      const ctx = contextFor(command);
      // The handshake's round trips run while the lab file is read and checked.
      const connecting = ctx.engine();
      connecting.catch(() => undefined); // a bad lab file is the error to show first
      // A catalogue lab as kept, already checked; the parser loads only for others (a path, a changed file).
      const loaded = (await keptLab(reference)) ?? (await (await import('../../../core/lab/catalog')).resolveLab(reference));
      for (const warning of loaded.warnings) info(`warning: ${warning.location.file}:${warning.location.line}: ${warning.message}`);
      const engine = await connecting;
      const name = options.name ?? loaded.lab.id;
      const nodes = Object.keys(loaded.lab.topology.nodes);
      if (!ctx.json) info(`Booting ${name} (${nodes.length} node${nodes.length === 1 ? '' : 's'})…`);

      const abort = new AbortController();
      const stopListening = onStopSignal(() => abort.abort());
      try {
        const session = await startLab(engine, loaded, {
          name: options.name,
          fault: {
            ...(options.fault === undefined ? {} : { fault: options.fault }),
            ...(options.faultSeed === undefined ? {} : { seed: options.faultSeed }),
          },
          signal: abort.signal,
          onLeftoversRemoved: (removed) =>
            info(`Removed what crashed runs left behind: ${removed.map((s) => `${s.name} (${s.problems.join('; ')})`).join(', ')}`),
          onEvent: (event) => {
            if (!ctx.json && event.phase === 'ready') {
              info(`  ${event.node.padEnd(12)} ready  ${(event.elapsedMs / 1000).toFixed(2)} s`);
            }
          },
        });
        if (ctx.json) printJson(session);
        else {
          process.stdout.write(`${describeSessions([session])}\n`);
          info(`Open a shell: neutron-lab shell ${session.name} ${session.nodes[0]?.name ?? '<node>'}`);
        }
      } finally {
        stopListening();
      }
    });

  program
    .command('status')
    .description('list running labs, their nodes and addresses')
    .argument('[name]', 'only this session')
    .option('--json', 'print the sessions as JSON')
    .action(async (name: string | undefined, _options, command: Command) => {
      const ctx = contextFor(command);
      const listed = (await listSessions(await ctx.engine())).filter((s) => name === undefined || s.name === name);
      if (name !== undefined && listed.length === 0) {
        throw new AppError('state', `No lab is up under the name "${name}".`);
      }
      // stale: the lab file changed since the session was booted from it (left out without a pin to compare with).
      const sessions = await Promise.all(
        listed.map(async (s): Promise<ListedSession> => {
          const stale = await labFileChanged(s);
          return stale === undefined ? s : { ...s, stale };
        }),
      );
      if (ctx.json) printJson({ sessions });
      else process.stdout.write(`${sessions.length ? describeSessions(sessions) : 'No lab is up.'}\n`);
    });

  program
    .command('down')
    .description('stop a lab and remove its nodes and networks')
    .argument('[name]', 'session name (default: the lab id)')
    .option('--all', 'remove every lab and every leftover Neutron Lab made')
    .option('--json', 'print what was removed as JSON')
    .action(async (name: string | undefined, options: { all?: boolean }, command: Command) => {
      const ctx = contextFor(command);
      if (!options.all && name === undefined) {
        throw new AppError('usage', 'Say which lab to stop (neutron-lab down NAME), or --all.');
      }
      if (options.all && name !== undefined) throw new AppError('usage', 'Give a name or --all, not both.');
      const engine = await ctx.engine();
      let removed;
      if (options.all) {
        removed = await removeEverything(engine);
      } else {
        const target = name as string;
        removed = await removeSessionsNamed(engine, target);
        if (removed.containers + removed.networks === 0) {
          throw new AppError('state', `No lab is up under the name "${target}".`, {
            hint: '`neutron-lab status` lists what is up.',
          });
        }
      }
      if (ctx.json) printJson(removed);
      else
        info(
          `Removed ${removed.containers} node${removed.containers === 1 ? '' : 's'} and ${removed.networks} network${removed.networks === 1 ? '' : 's'}.`,
        );
    });
}

/** A session as status lists it: with whether its lab file changed since its boot. */
type ListedSession = SessionStatus & { stale?: boolean };

export function describeSessions(sessions: ListedSession[]): string {
  const blocks = sessions.map((session) => {
    const stale = session.stale ? '  (its lab file changed since it was booted: down and up again to run the new one)' : '';
    const header = `${session.name}  lab ${session.lab}  ${session.state}${session.problems.length ? ` (${session.problems.join('; ')})` : ''}${stale}`;
    const rows = [
      ['  NODE', 'ROLE', 'STATE', 'LINKS'],
      ...session.nodes.map((node) => [
        `  ${node.name}`,
        node.role,
        node.exit ?? node.state,
        node.links.map((l) => `${l.interface} ${l.address ?? '(no address)'} [${l.network}]`).join(', ') || '-',
      ]),
    ];
    return `${header}\n${table(rows)}`;
  });
  return blocks.join('\n\n');
}
