import type { Command } from 'commander';
import { labJsonSchema } from '../../../core/lab/json-schema';
import { printJson } from '../output';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of lab files (for editors; labs/lab.schema.json is a copy)')
    .action(() => printJson(labJsonSchema()));
}
