import { readFile } from 'node:fs/promises';
import { Argument, type Command } from 'commander';
import { AppError } from '../../../core/errors';
import { matchText } from '../../../core/inspect/flows/format';
import { describeActions, normalizeFlow } from '../../../core/inspect/flows/normalize';
import { parseFlowDump } from '../../../core/inspect/flows/parse';
import { formatSave } from '../../../core/inspect/iptables/format';
import { parseIptables } from '../../../core/inspect/iptables/parse';
import { parseOvsdbDump } from '../../../core/inspect/ovsdb/parse';
import { renderShow } from '../../../core/inspect/ovsdb/show';
import { collectSnapshot } from '../../../core/inspect/snapshot/snapshot';
import type { NodeSnapshot } from '../../../core/inspect/snapshot/types';
import { describeTrace } from '../../../core/inspect/trace/format';
import { parseTrace, type PacketTrace } from '../../../core/inspect/trace/parse';
import { traceInNode } from '../../../core/inspect/trace/run';
import { requireNode } from '../../../core/session/sessions';
import { contextFor } from '../context';
import { printJson, table } from '../output';

/** parse, snapshot and trace: reading the data plane, offline from text or live from a node. */
export function registerInspect(program: Command): void {
  program
    .command('parse')
    .description('read ovs-ofctl, ovsdb-client, iptables-save or ofproto/trace output (a file, or stdin)')
    .addArgument(new Argument('<kind>', 'what the text is').choices(['flows', 'ovsdb', 'iptables', 'trace']))
    .argument('[file]', 'file to read; stdin when absent or "-"')
    .option('--table <name>', 'iptables: the table of `iptables -S` output, which names none')
    .option('--json', 'print the structured form as JSON')
    .action(async (kind: string, file: string | undefined, options: { table?: string }, command: Command) => {
      const ctx = contextFor(command);
      const source = file && file !== '-' ? file : '<stdin>';
      const text = await readInput(file);
      const result = parseText(kind, text, source, options.table);
      if (ctx.json) printJson(result);
      else process.stdout.write(describeParsed(kind, result));
    });

  program
    .command('snapshot')
    .description("read a node's whole data plane at once: OVS, flows, namespaces, routes, iptables, services")
    .argument('<lab>', 'session name')
    .argument('<node>', 'node name')
    .option('--json', 'print the snapshot as JSON')
    .action(async (lab: string, node: string, _options, command: Command) => {
      const ctx = contextFor(command);
      const snapshot = await collectSnapshot(await requireNode(await ctx.engine(), lab, node), node);
      if (ctx.json) printJson(snapshot);
      else process.stdout.write(describeSnapshot(snapshot));
    });

  program
    .command('trace')
    .description('follow a packet through the bridges of a node (ovs-appctl ofproto/trace)')
    .argument('<lab>', 'session name')
    .argument('<node>', 'node name')
    .argument('<bridge>', 'bridge the packet enters')
    .argument('<flow>', 'the packet, as a match: in_port=tap0,dl_dst=ff:ff:ff:ff:ff:ff,arp')
    .option('--json', 'print the walk as JSON')
    .action(async (lab: string, node: string, bridge: string, flow: string, _options, command: Command) => {
      const ctx = contextFor(command);
      const trace = await traceInNode(await requireNode(await ctx.engine(), lab, node), bridge, flow);
      if (ctx.json) printJson(trace);
      else process.stdout.write(describeTrace(trace));
    });
}

async function readInput(file: string | undefined): Promise<string> {
  if (file && file !== '-') {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new AppError('input', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  }
  if (process.stdin.isTTY) throw new AppError('usage', 'Give a file, or pipe the text in (… | neutron-lab parse flows).');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseText(kind: string, text: string, source: string, table: string | undefined): unknown {
  switch (kind) {
    case 'flows':
      return parseFlowDump(text, source);
    case 'ovsdb':
      return parseOvsdbDump(text, source);
    case 'iptables':
      return parseIptables(text, source, { table });
    default:
      return parseTrace(text, source);
  }
}

/** Without --json: what was read, in the form people know. */
function describeParsed(kind: string, result: unknown): string {
  switch (kind) {
    case 'flows': {
      const { flows } = result as ReturnType<typeof parseFlowDump>;
      const rows = [['TABLE', 'PRIO', 'PACKETS', 'MATCH', 'ACTIONS (meaning)']];
      for (const flow of flows) {
        const normal = normalizeFlow(flow);
        rows.push([
          String(flow.table),
          String(flow.priority),
          flow.packets === undefined ? '-' : String(flow.packets),
          matchText(flow.match) || '*',
          describeActions(normal.actions),
        ]);
      }
      const repairs = flows.flatMap((f) => (f.repairs ?? []).map((r) => `line ${f.line}: ${r}`));
      return `${table(rows)}\n${repairs.length ? `\nread despite misprints:\n  ${repairs.join('\n  ')}\n` : ''}`;
    }
    case 'ovsdb':
      return renderShow(result as ReturnType<typeof parseOvsdbDump>);
    case 'iptables':
      return formatSave(result as ReturnType<typeof parseIptables>);
    default:
      return describeTrace(result as PacketTrace);
  }
}

function describeSnapshot(s: NodeSnapshot): string {
  const lines = [`node ${s.node}`];
  for (const bridge of s.ovs.bridges) {
    lines.push(
      `  bridge ${bridge.name}${bridge.failMode ? ` (fail_mode ${bridge.failMode})` : ''}: ${s.flows[bridge.name]?.length ?? 0} flows`,
    );
    for (const port of bridge.ports) {
      const iface = port.interfaces[0];
      const ofport = iface?.ofport;
      const options =
        iface && Object.keys(iface.options).length
          ? ` {${Object.entries(iface.options)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}}`
          : '';
      lines.push(
        `    ${String(ofport ?? '-').padStart(5)} ${port.name}${iface?.type ? ` (${iface.type})` : ''}${port.tag !== undefined ? ` tag ${port.tag}` : ''}${options}`,
      );
    }
  }
  for (const ns of s.namespaces) {
    const rules = ns.iptables.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0);
    lines.push(
      `  ${ns.name ? `namespace ${ns.name}` : 'the node itself'}: ${rules} iptables rules, ${ns.routes.filter((r) => r.table === 'main').length} routes`,
    );
    for (const iface of ns.interfaces) {
      const addresses = iface.addresses.filter((a) => a.family === 'inet').map((a) => `${a.address}/${a.prefix}`);
      lines.push(
        `    ${iface.name}${iface.kind ? ` (${iface.kind})` : ''}${iface.master ? ` in ${iface.master}` : ''}${addresses.length ? ` ${addresses.join(' ')}` : ''}`,
      );
    }
  }
  for (const process of s.processes) {
    lines.push(
      `  ${process.command} (pid ${process.pid}) in ${process.namespace || 'the node itself'}${process.files.length ? `, reads ${process.files.map((f) => f.path).join(', ')}` : ''}`,
    );
  }
  for (const problem of s.problems) lines.push(`  could not read ${problem.section}: ${problem.message}`);
  return `${lines.join('\n')}\n`;
}
