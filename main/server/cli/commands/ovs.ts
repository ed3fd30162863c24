import type { Command } from 'commander';
import { runOvsAction } from '../../../core/easyovs/actions';
import type { OvsRequest, OvsResult } from '../../../core/easyovs/types';
import { ovsTarget } from '../../../core/run/ovs-target';
import { AppError } from '../../../core/errors';
import { matchText } from '../../../core/inspect/flows/format';
import { describeActions, normalizeFlow } from '../../../core/inspect/flows/normalize';
import { contextFor, type CommandContext } from '../context';
import { info, printJson, table } from '../output';

const print = (text: string): void => void process.stdout.write(`${text}\n`);

/**
 * `neutron-lab ovs LAB NODE ACTION …`: easyOVS's commands (book §easyOVS) on a live node —
 * list, show, dump, addflow, delflow, ipt. Each is recorded on the node (the easyOVS tour checks it).
 */

const ACTIONS = 'list | show BRIDGE | dump BRIDGE | addflow BRIDGE FLOW | delflow BRIDGE ID… | ipt VM-IP…';

export function registerOvs(program: Command): void {
  program
    .command('ovs')
    .description(`easyOVS on a node of a running lab: ${ACTIONS}`)
    .argument('<lab>', 'session name')
    .argument('<node>', 'node name')
    .argument('<action>', 'list, show, dump, addflow, delflow or ipt')
    .argument('[args...]', 'the bridge, flow, flow numbers or VM addresses the action takes')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  neutron-lab ovs gre-tenant compute1 show br-int        ports with VLAN tag and the VM (IP, MAC) behind each',
        '  neutron-lab ovs gre-tenant compute1 dump br-tun        flows, numbered',
        '  neutron-lab ovs gre-tenant compute1 delflow br-tun 3 4 delete flows 3 and 4 of that dump',
        '  neutron-lab ovs gre-tenant compute1 addflow br-tun "table=20,priority=2,dl_vlan=1,actions=drop"',
        '  neutron-lab ovs security-groups compute1 ipt 192.168.0.2  security-group rules of that VM, with counters',
      ].join('\n'),
    )
    .action(async (lab: string, node: string, action: string, args: string[], _options, command: Command) => {
      const ctx = contextFor(command);
      const request = requestOf(action, args);
      report(ctx, await runOvsAction(await ovsTarget(await ctx.engine(), lab, node), request));
    });
}

/** The action and its arguments as the command line gives them, checked. */
function requestOf(action: string, args: string[]): OvsRequest {
  const need = (count: number, what: string) => {
    if (args.length < count) throw new AppError('usage', `ovs ${action} needs ${what} (${ACTIONS}).`);
  };
  const bridge = args[0] as string;
  switch (action) {
    case 'list':
      return { action };
    case 'show':
    case 'dump':
      need(1, 'a bridge');
      return { action, bridge };
    case 'addflow':
      need(2, 'a bridge and a flow');
      return { action, bridge, flow: args.slice(1).join(' ') };
    case 'delflow':
      need(2, 'a bridge and flow numbers from dump');
      return {
        action,
        bridge,
        ids: args.slice(1).map((a) => {
          if (!/^\d+$/.test(a)) throw new AppError('usage', `"${a}" is not a flow number (dump prints them in the ID column).`);
          return Number(a);
        }),
      };
    case 'ipt':
      need(1, 'a VM address');
      return { action, addresses: args };
    default:
      throw new AppError('usage', `Unknown ovs action "${action}" (${ACTIONS}).`);
  }
}

function report(ctx: CommandContext, result: OvsResult): void {
  switch (result.action) {
    case 'list':
      if (ctx.json) return printJson(result.bridges);
      return print(
        table([
          ['BRIDGE', 'PORTS', 'FLOWS', 'FAIL_MODE'],
          ...result.bridges.map((b) => [b.name, String(b.ports), String(b.flows), b.failMode ?? '-']),
        ]),
      );
    case 'show':
      if (ctx.json) return printJson(result.ports);
      return print(
        table([
          ['PORT', 'OFPORT', 'VLAN', 'TYPE', 'NEUTRON PORT OF', 'IP', 'MAC'],
          ...result.ports.map((p) => [
            p.port,
            String(p.ofport ?? '-'),
            p.tag === undefined ? '-' : String(p.tag),
            p.type,
            p.owner ?? '-',
            p.address ?? '-',
            p.mac ?? '-',
          ]),
        ]),
      );
    case 'dump':
      if (ctx.json)
        return printJson(
          result.flows.map(({ id, flow }) => ({
            id,
            table: flow.table,
            priority: flow.priority,
            packets: flow.packets ?? 0,
            match: normalizeFlow(flow).match,
            actions: describeActions(normalizeFlow(flow).actions),
            text: flow.text,
          })),
        );
      return print(
        table([
          ['ID', 'TABLE', 'PRI', 'PACKETS', 'MATCH', 'ACTIONS'],
          ...result.flows.map(({ id, flow }) => [
            String(id),
            String(flow.table),
            String(flow.priority),
            String(flow.packets ?? 0),
            matchText(flow.match) || '*',
            flow.actions.map((a) => a.text).join(','),
          ]),
        ]),
      );
    case 'addflow':
      if (ctx.json) return printJson({ added: result.flow, flows: result.added.map((f) => f.text.trim()) });
      return info(`Added to ${result.bridge}: ${result.flow}`);
    case 'delflow':
      if (ctx.json) return printJson(result.deleted.map(({ id, flow }) => ({ id, text: flow.text })));
      return info(result.deleted.map(({ id, flow }) => `Deleted ${id}: ${flow.text.trim()}`).join('\n'));
    case 'ipt':
      if (ctx.json) return printJson(result.vms);
      return print(
        result.vms
          .map((vm) =>
            [
              `${vm.vm} (${vm.address}, ${vm.mac}) on ${vm.node}`,
              ...vm.chains.map(
                (c) =>
                  `${c.chain} (${c.direction})\n${c.rules.length === 0 ? '  (no such chain, or empty: the port has no security groups)' : table([['PKTS', 'BYTES', 'RULE'], ...c.rules.map((r) => [String(r.packets), String(r.bytes), r.rule.replace(/^-A \S+ /, '')])]).replace(/^/gm, '  ')}`,
              ),
            ].join('\n'),
          )
          .join('\n\n'),
      );
  }
}
