import { z } from 'zod';
import { inNamespace } from '../../docker/exec';
import { PlaceSchema, target } from './fields';
import { probeKind, type Outcome, type ProbeContext } from './kind';
import { probePlace, RETRIES } from './text';

export const TcpProbe = z
  .object({
    kind: z.literal('tcp'),
    from: PlaceSchema,
    to: target,
    port: z.number().int().min(1).max(65535),
    expect: z.enum(['open', 'refused', 'blocked']).default('open').describe('blocked: refused or no answer at all.'),
  })
  .strict();

export const tcpProbe = probeKind({ kind: 'tcp', schema: TcpProbe, probe: (check, ctx) => tcp(check, ctx) });

async function tcp(check: z.infer<typeof TcpProbe>, ctx: ProbeContext): Promise<Outcome> {
  const where = ctx.where(check.from);
  const to = ctx.address(check.to);
  const expected = `TCP ${to}:${check.port} from ${probePlace(where)} is ${check.expect === 'open' ? 'open' : check.expect === 'refused' ? 'refused' : 'blocked (refused or silent)'}`;
  let state = 'silent';
  // Expecting no connection, 0.7 s of silence is enough on a lab's links (nc -w counts whole seconds).
  const nc = ['nc', '-z', '-v', '-n', '-w', '1', to, String(check.port)];
  const argv = check.expect === 'blocked' ? ['timeout', '0.7', ...nc] : nc;
  for (let attempt = 0; attempt < (check.expect === 'open' ? RETRIES : 1); attempt++) {
    const result = await ctx.run(where.node, inNamespace(argv, where.namespace));
    const text = `${result.stdout}\n${result.stderr}`;
    state = result.exitCode === 0 ? 'open' : /refused/i.test(text) ? 'refused' : 'silent';
    if (state === 'open') break;
  }
  const passed = check.expect === 'open' ? state === 'open' : check.expect === 'refused' ? state === 'refused' : state !== 'open';
  return {
    passed,
    expected,
    found:
      state === 'open'
        ? 'the connection was accepted'
        : state === 'refused'
          ? 'the connection was refused'
          : `no answer within ${check.expect === 'blocked' ? '0.7' : '1'} s`,
  };
}
