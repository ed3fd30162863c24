import { z } from 'zod';
import { inNamespace } from '../../docker/exec';
import { namespace, node } from './fields';
import { probeKind, type Outcome, type ProbeContext, type Where } from './kind';
import { probePlace, firstLine } from './text';

export const CommandCheck = z
  .object({
    kind: z.literal('command'),
    node,
    namespace: namespace.optional(),
    argv: z.array(z.string()).min(1).describe('Run as is, without a shell, inside the node.'),
    input: z.string().optional().describe('Standard input for it (e.g. "show stat\\n" for haproxy\'s stats socket).'),
    exitCode: z.number().int().default(0),
    output: z.string().optional().describe('A regular expression standard output must match.'),
  })
  .strict();

export const commandCheck = probeKind({ kind: 'command', schema: CommandCheck, probe: (check, ctx) => command(check, ctx) });

async function command(check: z.infer<typeof CommandCheck>, ctx: ProbeContext): Promise<Outcome> {
  const where: Where = { node: check.node, namespace: check.namespace ?? '' };
  const result = await ctx.run(
    check.node,
    inNamespace(check.argv, where.namespace),
    check.input === undefined ? {} : { stdin: check.input },
  );
  const given = check.input === undefined ? '' : ` given ${JSON.stringify(check.input)}`;
  const expected = `\`${check.argv.join(' ')}\`${given} in ${probePlace(where)} exits ${check.exitCode}${check.output ? ` printing /${check.output}/` : ''}`;
  const passed = result.exitCode === check.exitCode && (!check.output || new RegExp(check.output, 'm').test(result.stdout));
  return { passed, expected, found: `exit ${result.exitCode}: ${firstLine(result.stdout) || firstLine(result.stderr) || '(no output)'}` };
}
