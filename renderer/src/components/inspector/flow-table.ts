import { matchText } from '../../../../main/api/view';
import type { Flow } from '../../../../main/api/view';

/**
 * A bridge's flows as the inspector's table shows them: one row per flow, sorted the way OVS
 * evaluates them (table, then priority high to low), with the row's counters compared to the
 * previous refresh so a flow that matched packets meanwhile can be highlighted.
 */

export interface FlowRow {
  /** Stable across refreshes: the flow's OpenFlow identity (table, priority, match). */
  key: string;
  bridge: string;
  table: number | string;
  priority: number;
  match: string;
  actions: string;
  packets?: number;
  bytes?: number;
  /** n_packets grew since the previous refresh (or the flow is new and has packets). */
  grew: boolean;
  flow: Flow;
}

/** What a refresh remembers of each flow's counters, by bridge and then by row key. */
export type CounterMemory = Map<string, Map<string, { packets: number; duration?: number }>>;

export function actionsText(flow: Flow): string {
  return flow.actions.length === 0 ? 'drop' : flow.actions.map((a) => a.text).join(',');
}

/** Numbered tables in order, then named ones (OVS prints names when tables have them). */
export function compareTables(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function flowRows(bridge: string, flows: readonly Flow[], memory?: CounterMemory): FlowRow[] {
  const before = memory?.get(bridge);
  const seen = new Map<string, number>();
  const rows = flows.map((flow): FlowRow => {
    const match = matchText(flow.match);
    const identity = `${flow.table}|${flow.priority}|${match}`;
    // Two flows never share an identity in one switch, but a dump can repeat one: keep keys unique.
    const repeat = seen.get(identity) ?? 0;
    seen.set(identity, repeat + 1);
    const key = repeat === 0 ? identity : `${identity}#${repeat}`;
    return {
      key,
      bridge,
      table: flow.table,
      priority: flow.priority,
      match,
      actions: actionsText(flow),
      ...(flow.packets === undefined ? {} : { packets: flow.packets }),
      ...(flow.bytes === undefined ? {} : { bytes: flow.bytes }),
      grew: before !== undefined && grew(before.get(key), flow),
      flow,
    };
  });
  return rows.sort((a, b) => compareTables(a.table, b.table) || b.priority - a.priority);
}

/** A flow grew if its packet count rose — or it was (re-)added since and has matched packets. */
function grew(before: { packets: number; duration?: number } | undefined, flow: Flow): boolean {
  const packets = flow.packets ?? 0;
  if (!before) return packets > 0;
  const readded = before.duration !== undefined && flow.duration !== undefined && flow.duration < before.duration;
  return readded ? packets > 0 : packets > before.packets;
}

/** The counters to compare the next refresh with. */
export function rememberCounters(rowsByBridge: ReadonlyMap<string, readonly FlowRow[]>): CounterMemory {
  const memory: CounterMemory = new Map();
  for (const [bridge, rows] of rowsByBridge) {
    memory.set(
      bridge,
      new Map(
        rows.map((row) => [
          row.key,
          { packets: row.packets ?? 0, ...(row.flow.duration === undefined ? {} : { duration: row.flow.duration }) },
        ]),
      ),
    );
  }
  return memory;
}

/** Every bridge's rows, bridges in the database's order (then any with flows but no row). */
export function flowTables(
  flows: Readonly<Record<string, Flow[]>>,
  bridgeOrder: readonly string[],
  memory?: CounterMemory,
): Map<string, FlowRow[]> {
  const names = [...bridgeOrder.filter((b) => b in flows), ...Object.keys(flows).filter((b) => !bridgeOrder.includes(b))];
  return new Map(names.map((bridge) => [bridge, flowRows(bridge, flows[bridge] ?? [], memory)]));
}
