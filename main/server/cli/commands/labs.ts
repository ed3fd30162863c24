import type { Command } from 'commander';
import { formatLocation } from '../../../core/errors';
import { readKeptCatalog } from '../../../core/lab/kept-catalog';
import { summarizeLab } from '../../../core/lab/summary';
import { contextFor } from '../context';
import { printJson, table } from '../output';

export function registerLabs(program: Command): void {
  program
    .command('labs')
    .description('list the labs in the catalogue')
    .option('--json', 'print the catalogue as JSON')
    .action(async (_options, command: Command) => {
      const ctx = contextFor(command);
      const catalog = await readKeptCatalog();
      const labs = catalog.labs.map((loaded) => ({ ...summarizeLab(loaded), file: loaded.file }));
      if (ctx.json) {
        printJson({ labs, broken: catalog.broken });
      } else {
        const rows = [['ID', 'NODES', 'TITLE'], ...labs.map((l) => [l.id, String(l.nodes.length), l.title])];
        const broken = catalog.broken.map(
          (b) => `${b.id}: broken: ${b.error.location ? `${formatLocation(b.error.location)}: ` : ''}${b.error.message}`,
        );
        process.stdout.write(`${[table(rows), ...broken].join('\n')}\n`);
      }
      if (catalog.broken.length > 0) process.exitCode = 2;
    });
}
