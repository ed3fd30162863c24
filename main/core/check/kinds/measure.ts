import { z } from 'zod';
import { inNamespace } from '../../docker/exec';
import { vm } from './fields';
import { probeKind, type Outcome, type ProbeContext } from './kind';

/**
 * Measurements (seed 003's comparison): the round-trip time of pings between two VMs, and the
 * TCP throughput iperf3 gets between them. A measurement passes when it could be made: the path
 * works and a figure came out. The figure is what the learner reads, beside the reference the lab
 * gives; the check never asserts a figure, as a container's userspace datapath is no testbed.
 */

/** A figure measured between two VMs (seed 003's comparison): it passes when it could be measured. */
export const MeasureProbe = z
  .object({
    kind: z.literal('measure'),
    metric: z.enum(['rtt', 'throughput']).describe('rtt: the average of 10 pings. throughput: iperf3 (TCP) from one VM to the other.'),
    from: z.object({ vm }).strict(),
    to: vm,
    seconds: z.number().min(1).max(10).default(1).describe('How long iperf3 sends (throughput).'),
    reference: z.string().optional().describe('A published figure to show beside the measured one, e.g. "seed 003: 1.124 ms".'),
  })
  .strict();

/** A measurement would measure the others' load: it runs alone. */
export const measureProbe = probeKind({
  kind: 'measure',
  schema: MeasureProbe,
  order: () => 'alone',
  probe: (check, ctx) => measure(check, ctx),
});

type Measure = z.infer<typeof MeasureProbe>;

const PINGS = 10;
const IPERF_PORT = '5201';

async function measure(check: Measure, ctx: ProbeContext): Promise<Outcome> {
  const from = ctx.vm(check.from.vm);
  const to = ctx.vm(check.to);
  const what = check.metric === 'rtt' ? `the round-trip time of ${PINGS} pings` : `iperf3's TCP throughput over ${check.seconds} s`;
  const expected = `${what} from ${check.from.vm} to ${check.to} (${to.address})${check.reference ? `, beside ${check.reference}` : ''}`;
  const figure = check.metric === 'rtt' ? await rtt(ctx, from, to.address) : await throughput(ctx, from, to, check.seconds);
  if ('problem' in figure) return { passed: false, expected, found: figure.problem };
  return { passed: true, expected, found: `${figure.text}${check.reference ? ` (${check.reference})` : ''}` };
}

type Place = ReturnType<ProbeContext['vm']>;

/** One ping first: ARP, learning and the datapath's first upcalls are not what is measured. */
async function warmUp(ctx: ProbeContext, from: Place, address: string): Promise<void> {
  await ctx.run(from.node, inNamespace(['ping', '-n', '-c', '1', '-W', '1', address], from.namespace));
}

async function rtt(ctx: ProbeContext, from: Place, address: string): Promise<{ text: string } | { problem: string }> {
  await warmUp(ctx, from, address);
  const result = await ctx.run(
    from.node,
    inNamespace(['ping', '-n', '-q', '-c', String(PINGS), '-i', '0.05', '-W', '1', address], from.namespace),
  );
  const stats = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(result.stdout);
  const received = /(\d+) received/.exec(result.stdout)?.[1];
  if (result.exitCode !== 0 || !stats)
    return {
      problem: `no round trip measured: ${
        result.stdout
          .split('\n')
          .find((l) => l.includes('transmitted'))
          ?.trim() ||
        result.stderr.trim() ||
        `ping exited ${result.exitCode}`
      }`,
    };
  if (received !== String(PINGS)) return { problem: `only ${received} of ${PINGS} pings answered` };
  const [, min, avg, max] = stats;
  return { text: `${avg} ms average over ${PINGS} pings (min ${min}, max ${max})` };
}

async function throughput(ctx: ProbeContext, from: Place, to: Place, seconds: number): Promise<{ text: string } | { problem: string }> {
  await warmUp(ctx, from, to.address);
  // The server answers one test, and gives up on its own if none comes.
  const server = ctx.run(to.node, inNamespace(['timeout', String(seconds + 6), 'iperf3', '-s', '-1', '-p', IPERF_PORT], to.namespace));
  let last = '';
  let measured = false;
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      const client = await ctx.run(
        from.node,
        inNamespace(
          ['iperf3', '-c', to.address, '-p', IPERF_PORT, '-t', String(seconds), '--connect-timeout', '1000', '-J'],
          from.namespace,
        ),
      );
      const report = parseReport(client.stdout);
      measured = client.exitCode === 0 && report !== undefined;
      if (measured) return { text: `${((report as number) / 1e9).toFixed(2)} Gbit/s over ${seconds} s` };
      last = (report === undefined ? jsonError(client.stdout) : '') || client.stderr.trim() || `iperf3 exited ${client.exitCode}`;
      // Until the server listens, connections are refused: ask again shortly. A connection that
      // timed out (a SYN lost in a busy userspace datapath) gets one more try.
      if (!/refused/i.test(last) && !(/timed out/i.test(last) && attempt === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { problem: `no throughput measured: ${last}` };
  } finally {
    // After one test the server is gone; after none, it would wait for its timeout.
    if (!measured) await ctx.run(to.node, ['pkill', '-f', `^iperf3 -s -1 -p ${IPERF_PORT}$`]);
    await server;
  }
}

/** The receiver's bits per second from iperf3's JSON report. */
function parseReport(stdout: string): number | undefined {
  try {
    const value = (JSON.parse(stdout) as { end?: { sum_received?: { bits_per_second?: number } } }).end?.sum_received?.bits_per_second;
    return typeof value === 'number' && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

function jsonError(stdout: string): string {
  try {
    return String((JSON.parse(stdout) as { error?: string }).error ?? '');
  } catch {
    return '';
  }
}
