import { matchText } from '../../../../main/api/view';
import type { DumpRow, OvsResult } from '../../../../main/api/view';
import { english, type Translate } from '../../i18n';

/**
 * easyOVS's results (book §easyOVS) as the inspector shows them: the same columns as
 * `neutron-lab ovs` prints, whose headers stay easyOVS's own in every language.
 */

export interface ResultTable {
  head: string[];
  /** `id` is a dump row's flow number, which delflow takes. */
  rows: { cells: string[]; id?: number }[];
}

/** A piece of a result: a heading, then lines or a table (or what to say when the table is empty). */
export interface ResultBlock {
  heading?: string;
  subheading?: string;
  lines?: string[];
  table?: ResultTable;
  empty?: string;
}

/** The flow numbers of the IDs field, in order without repeats, and whatever is not a number. */
export function parseFlowIds(text: string): { ids: number[]; invalid: string[] } {
  const words = text.split(/[\s,]+/).filter(Boolean);
  const invalid = words.filter((w) => !/^\d+$/.test(w));
  return { ids: [...new Set(words.filter((w) => /^\d+$/.test(w)).map(Number))], invalid };
}

/** The bridge to start on: br-int, where the VMs are, when the node has it. */
export function defaultBridge(bridges: readonly string[]): string {
  return bridges.includes('br-int') ? 'br-int' : (bridges[0] ?? '');
}

const dash = (value: string | number | undefined) => (value === undefined ? '-' : String(value));

export const deletedLines = (deleted: readonly DumpRow[], t: Translate = english): string[] =>
  deleted.map(({ id, flow }) => t('easyovs.deleted', { id, flow: flow.text.trim() }));

export function resultBlocks(result: OvsResult, t: Translate = english): ResultBlock[] {
  switch (result.action) {
    case 'list':
      return [
        {
          table: {
            head: ['BRIDGE', 'PORTS', 'FLOWS', 'FAIL_MODE'],
            rows: result.bridges.map((b) => ({ cells: [b.name, String(b.ports), String(b.flows), dash(b.failMode)] })),
          },
          empty: t('easyovs.noBridges'),
        },
      ];
    case 'show':
      return [
        {
          table: {
            head: ['PORT', 'OFPORT', 'VLAN', 'TYPE', 'NEUTRON PORT OF', 'IP', 'MAC'],
            rows: result.ports.map((p) => ({
              cells: [p.port, dash(p.ofport), dash(p.tag), p.type, dash(p.owner), dash(p.address), dash(p.mac)],
            })),
          },
          empty: t('easyovs.noPorts', { bridge: result.bridge }),
        },
      ];
    case 'dump':
      return [
        {
          table: {
            head: ['ID', 'TABLE', 'PRI', 'PACKETS', 'MATCH', 'ACTIONS'],
            rows: result.flows.map(({ id, flow }) => ({
              id,
              cells: [
                String(id),
                String(flow.table),
                String(flow.priority),
                String(flow.packets ?? 0),
                matchText(flow.match) || '*',
                flow.actions.map((a) => a.text).join(','),
              ],
            })),
          },
          empty: t('easyovs.noFlows', { bridge: result.bridge }),
        },
      ];
    case 'addflow':
      // No new flow means the add replaced an identical one (ovs-ofctl add-flow overwrites).
      return [
        {
          heading: t('easyovs.added', { bridge: result.bridge, flow: result.flow }),
          lines: result.added.length ? result.added.map((f) => f.text.trim()) : [t('easyovs.replaced')],
        },
      ];
    case 'delflow':
      return [{ lines: deletedLines(result.deleted, t) }];
    case 'ipt':
      return result.vms.flatMap((vm) => [
        { heading: `${vm.vm} (${vm.address}, ${vm.mac})` },
        ...vm.chains.map((c): ResultBlock => ({
          subheading: `${c.chain} (${t(`easyovs.direction.${c.direction}`)})`,
          table: {
            head: ['PKTS', 'BYTES', 'RULE'],
            rows: c.rules.map((r) => ({ cells: [String(r.packets), String(r.bytes), r.rule.replace(/^-A \S+ /, '')] })),
          },
          empty: t('easyovs.emptyChain'),
        })),
      ]);
  }
}
