import { z } from 'zod';
import { parseTrace } from '../../inspect/trace/parse';
import { runTrace } from '../../inspect/trace/run';
import { node } from './fields';
import { probeKind, type Outcome, type ProbeContext } from './kind';
import { firstLine } from './text';

export const TraceCheck = z
  .object({
    kind: z.literal('trace'),
    node,
    bridge: z.string().min(1).max(15),
    flow: z.string().min(1).describe('The packet, as ofproto/trace reads it: in_port=qvo…,dl_src=…,dl_dst=…,ip,nw_src=…,nw_dst=…'),
    output: z.string().optional().describe('The port the packet must leave by (in the datapath).'),
    tunnelId: z.number().int().min(0).optional().describe('The tunnel key it must carry out.'),
    drop: z.boolean().optional().describe('true: the packet must be dropped.'),
  })
  .strict();

export const traceCheck = probeKind({ kind: 'trace', schema: TraceCheck, probe: (check, ctx) => trace(check, ctx) });

async function trace(check: z.infer<typeof TraceCheck>, ctx: ProbeContext): Promise<Outcome> {
  const wants = [
    check.output && `leaves by ${check.output}`,
    check.tunnelId !== undefined && `with tunnel id 0x${check.tunnelId.toString(16)}`,
    check.drop && 'is dropped',
  ].filter(Boolean);
  const expected = `a packet ${check.flow} on ${check.bridge} ${wants.join(' ')} (${check.node})`;
  const result = await runTrace((argv) => ctx.run(check.node, argv), check.bridge, check.flow);
  if (result.exitCode !== 0)
    return { passed: false, expected, found: `ofproto/trace failed: ${firstLine(result.stderr || result.stdout)}` };
  const walk = parseTrace(result.stdout, `${check.bridge} trace`);
  // Outputs as port names: the trace prints each bridge's port numbers.
  const ports = await portNumbers(ctx, check.node, walk.bridges);
  const outputs = walk.steps.flatMap((step) => {
    const map = ports.get(step.bridge) ?? new Map<number, string>();
    return step.actions.flatMap((a) => {
      const m = /^output:(\d+|"?[\w.-]+"?)$/.exec(a.trim());
      if (!m) return [];
      const port = (m[1] as string).replaceAll('"', '');
      return [/^\d+$/.test(port) ? (map.get(Number(port)) ?? port) : port];
    });
  });
  const ids = walk.tunnels.map((t) => t.tunnelId).filter((id): id is string => id !== undefined);
  const passed =
    (!check.output || outputs.includes(check.output)) &&
    (check.tunnelId === undefined || ids.some((id) => Number(id) === check.tunnelId)) &&
    (check.drop === undefined || walk.dropped === check.drop);
  const found = walk.dropped ? 'dropped' : `out by ${outputs.join(', ') || 'no port'}${ids.length ? `, tunnel id ${ids.join(', ')}` : ''}`;
  return { passed, expected, found: `${found} (datapath: ${walk.datapathActions.slice(0, 100)})` };
}

/** Bridge → OpenFlow port number → port name, for the bridges a trace walked through. */
async function portNumbers(ctx: ProbeContext, node: string, bridges: readonly string[]): Promise<Map<string, Map<number, string>>> {
  const entries = await Promise.all(
    bridges.map(async (bridge) => {
      const result = await ctx.run(node, ['ovs-ofctl', 'dump-ports-desc', bridge]);
      const ports = new Map<number, string>();
      for (const m of result.stdout.matchAll(/^\s*(\d+)\(([^)]+)\):/gm)) ports.set(Number(m[1]), m[2] as string);
      return [bridge, ports] as const;
    }),
  );
  return new Map(entries);
}
