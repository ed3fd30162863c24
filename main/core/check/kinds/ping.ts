import { z } from 'zod';
import { inNamespace } from '../../docker/exec';
import { Ipv4Schema } from '../../topology/schema';
import { PlaceSchema, target } from './fields';
import { probeKind, type Outcome, type ProbeContext, type Where } from './kind';
import { probePlace, firstLine, RETRIES } from './text';

export const PingProbe = z
  .object({
    kind: z.literal('ping'),
    from: PlaceSchema,
    to: target,
    expect: z.enum(['reply', 'no-reply']).default('reply'),
    source: Ipv4Schema.optional().describe(
      'Send from this address, as a VM forging its source would (from a VM only: the address is on its eth0 for the probe).',
    ),
  })
  .strict();

export const pingProbe = probeKind({ kind: 'ping', schema: PingProbe, probe: (check, ctx) => ping(check, ctx) });

async function ping(check: z.infer<typeof PingProbe>, ctx: ProbeContext): Promise<Outcome> {
  if (check.source === undefined || !('vm' in check.from)) return pingFrom(check, ctx, []);
  // A VM forging its source: the address goes on its eth0 (as /32, no route) for the probe only.
  const where = ctx.where(check.from);
  await ctx.run(where.node, inNamespace(['ip', 'addr', 'add', `${check.source}/32`, 'dev', 'eth0'], where.namespace));
  try {
    return await pingFrom(check, ctx, ['-I', check.source]);
  } finally {
    await ctx.run(where.node, inNamespace(['ip', 'addr', 'del', `${check.source}/32`, 'dev', 'eth0'], where.namespace));
  }
}

async function pingFrom(check: z.infer<typeof PingProbe>, ctx: ProbeContext, options: string[]): Promise<Outcome> {
  const where = ctx.where(check.from);
  const to = ctx.address(check.to);
  const expected = `${probePlace(where)} ${check.expect === 'reply' ? 'gets a reply from' : 'gets no reply from'} ${to}${check.source ? ` when it sends from ${check.source}` : ''}`;
  if (check.expect === 'reply') {
    // One process tries for RETRIES seconds, a packet a second, and stops at the first reply:
    // a tunnel's first packet lost while OVS resolves ARP costs a second, not another exec.
    // But it stops at the first error too: the kernel gave up on an ARP it started before the
    // path was repaired ("+1 errors", host unreachable). Its next packet asks afresh, so while
    // time is left, another process asks again.
    const deadline = performance.now() + RETRIES * 1000;
    let result = await pingOnce(ctx, where, to, options, RETRIES);
    while (result.exitCode !== 0 && / \+\d+ errors/.test(result.stdout) && deadline - performance.now() > 500) {
      result = await pingOnce(ctx, where, to, options, Math.ceil((deadline - performance.now()) / 1000));
    }
    if (result.exitCode === 0) {
      return { passed: true, expected, found: firstLine(result.stdout.split('\n').find((l) => l.includes('bytes from')) ?? result.stdout) };
    }
    const why = firstLine(result.stderr) || pingSummary(result.stdout);
    return { passed: false, expected, found: `no reply within ${RETRIES} s${why ? ` (${why})` : ''}` };
  }
  // Two probes: one lost first packet must not count as isolation. -W waits for the last.
  const result = await ctx.run(
    where.node,
    inNamespace(['ping', '-n', '-c', '2', '-i', '0.2', '-W', '0.6', ...options, to], where.namespace),
  );
  const replied = result.exitCode === 0;
  return {
    passed: !replied,
    expected,
    found: replied ? `a reply: ${firstLine(result.stdout.split('\n')[1] ?? '')}` : pingSummary(result.stdout) || firstLine(result.stderr),
  };
}

function pingOnce(ctx: ProbeContext, where: Where, to: string, options: string[], seconds: number) {
  return ctx.run(where.node, inNamespace(['ping', '-n', '-c', '1', '-w', String(seconds), ...options, to], where.namespace));
}

function pingSummary(stdout: string): string {
  return (
    stdout
      .split('\n')
      .find((l) => l.includes('packets transmitted'))
      ?.trim() ?? ''
  );
}
