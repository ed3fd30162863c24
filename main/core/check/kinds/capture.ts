import { z } from 'zod';
import { inNamespace } from '../../docker/exec';
import { namespace, node } from './fields';
import { probeKind, type Outcome, type ProbeContext, type Where } from './kind';
import { describeTraffic, TrafficSchema } from './traffic';
import { probePlace, firstLine } from './text';

export const CaptureCheck = z
  .object({
    kind: z.literal('capture'),
    node,
    namespace: namespace.optional(),
    interface: z.string().min(1).max(15).describe('Where to listen, e.g. eth1 (the wire) or a qvo port.'),
    filter: z.string().min(1).describe('A tcpdump filter: "vlan 101 and icmp", "icmp and src 9.186.100.2".'),
    traffic: TrafficSchema.describe('What the check sends once the capture listens.'),
    output: z.string().optional().describe('A regular expression a captured line must match (tcpdump -nn -e).'),
  })
  .strict();

/** How long the capture still listens once the traffic is over. */
const AFTER_TRAFFIC_MS = 1000;

/** `sh -c` script: says its pid, then runs tcpdump with the arguments for at most 4 s. */
const STARTS = 'echo "nl-capture $$"; exec timeout 4 tcpdump "$@"';

export const captureCheck = probeKind({ kind: 'capture', schema: CaptureCheck, probe: (check, ctx) => capture(check, ctx) });

/**
 * Watches an interface while the check sends traffic: tcpdump starts first, and the traffic goes
 * only once it reports that it listens, so nothing is missed by starting late.
 */
async function capture(check: z.infer<typeof CaptureCheck>, ctx: ProbeContext): Promise<Outcome> {
  // The one packet caught may be a stray the filter also matches (another probe's, still in
  // flight: seen in dvr under load); a second look settles it. A miss or a match is final.
  const first = await captureOnce(check, ctx);
  return (first.stray ? await captureOnce(check, ctx) : first).outcome;
}

async function captureOnce(check: z.infer<typeof CaptureCheck>, ctx: ProbeContext): Promise<{ outcome: Outcome; stray: boolean }> {
  const where: Where = { node: check.node, namespace: check.namespace ?? '' };
  const expected = `tcpdump on ${check.interface} (${probePlace(where)}) sees "${check.filter}"${check.output ? ` matching /${check.output}/` : ''} while ${describeTraffic(check.traffic, ctx)}`;
  let listening: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  let stderr = '';
  let caught = '';
  // The shell says its pid first (then becomes timeout, then tcpdump's parent), so that a capture
  // given up on is stopped, not left to its timeout.
  const argv = inNamespace(
    ['sh', '-c', STARTS, 'nl-capture', '-l', '-c', '1', '-nn', '-e', '-i', check.interface, ...check.filter.split(/\s+/)],
    where.namespace,
  );
  const watching = ctx.run(check.node, argv, {
    onStdout: (chunk) => (caught += chunk.toString()),
    onStderr: (chunk) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) listening();
    },
  });
  // Either tcpdump listens, or it ends (a bad interface or filter) before it could.
  await Promise.race([
    ready,
    watching.then(
      () => undefined,
      () => undefined,
    ),
  ]);
  const sent = await ctx.probe(check.traffic);
  // The traffic is over: what it sent is on the wire by now or a moment from it. Waiting out
  // tcpdump's whole 4 s after a ping refused at once ("Network is unreachable") only made a
  // failing check slow: a capture that caught nothing a second after is stopped.
  const pid = () => /^nl-capture (\d+)$/m.exec(caught)?.[1];
  const result = await Promise.race([
    watching,
    new Promise<void>((resolve) => setTimeout(resolve, AFTER_TRAFFIC_MS)).then(() => (/\n.*\S/.test(caught) ? watching : undefined)),
  ]);
  if (result === undefined) {
    watching.catch(() => undefined);
    const running = pid();
    if (running) await ctx.run(check.node, ['kill', running]).catch(() => undefined);
  }
  const missed = result === undefined || result.exitCode === 124 || result.exitCode === 143;
  // One packet, on one line or more (tcpdump prints a tunnel's inner frame on a line of its own).
  const lines = (result?.stdout ?? '').split('\n').filter((l) => l.trim() !== '' && !/^nl-capture \d+$/.test(l));
  const pattern = check.output === undefined ? undefined : new RegExp(check.output);
  const line = (pattern && lines.find((l) => pattern.test(l))) || lines.join(' | ');
  const passed = result?.exitCode === 0 && lines.length > 0 && (!pattern || lines.some((l) => pattern.test(l)));
  const found = line
    ? `captured: ${line.trim().slice(0, 200)}`
    : missed
      ? `nothing caught (the traffic: ${sent.found})`
      : `tcpdump failed: ${firstLine(stderr.replace(/.*listening on.*\n?/, '')) || `exit ${result.exitCode}`}`;
  return { outcome: { passed, expected, found }, stray: !passed && result?.exitCode === 0 && lines.length > 0 };
}
