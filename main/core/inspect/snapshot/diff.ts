import { describeActions, normalizeFlow } from '../flows/normalize';
import type { Flow } from '../flows/types';
import { formatRule } from '../iptables/format';
import type { IptablesRule } from '../iptables/types';
import { portMapOf } from '../ovsdb/parse';
import type { NodeSnapshot } from './types';

/**
 * What changed between two snapshots of one node: flows and rules added, removed or changed,
 * and the counters that grew — the base for "show me what my command changed" and for
 * objectives proven by counters that grow while traffic is sent.
 */

export interface CounterGrowth<T> {
  item: T;
  packets: number;
  bytes: number;
}

export interface FlowChanges {
  bridge: string;
  added: Flow[];
  removed: Flow[];
  /** Same table, priority and match; other actions. */
  changed: { before: Flow; after: Flow }[];
  counters: CounterGrowth<Flow>[];
}

export interface RuleChanges {
  namespace: string;
  table: string;
  added: IptablesRule[];
  removed: IptablesRule[];
  counters: CounterGrowth<IptablesRule>[];
}

export interface SnapshotDiff {
  node: string;
  /** Seconds between the snapshots, by the node's clock. */
  seconds: number;
  bridges: { added: string[]; removed: string[] };
  ports: { bridge: string; added: string[]; removed: string[] }[];
  flows: FlowChanges[];
  namespaces: { added: string[]; removed: string[] };
  interfaces: { namespace: string; added: string[]; removed: string[] }[];
  rules: RuleChanges[];
}

export function diffSnapshots(before: NodeSnapshot, after: NodeSnapshot): SnapshotDiff {
  const diff: SnapshotDiff = {
    node: after.node,
    seconds: Math.max(0, after.takenAt - before.takenAt),
    bridges: setDiff(
      before.ovs.bridges.map((b) => b.name),
      after.ovs.bridges.map((b) => b.name),
    ),
    ports: [],
    flows: [],
    namespaces: setDiff(
      before.namespaces.map((n) => n.name),
      after.namespaces.map((n) => n.name),
    ),
    interfaces: [],
    rules: [],
  };

  for (const bridge of after.ovs.bridges) {
    const old = before.ovs.bridges.find((b) => b.name === bridge.name);
    const ports = setDiff(
      old?.ports.map((p) => p.name) ?? [],
      bridge.ports.map((p) => p.name),
    );
    if (ports.added.length || ports.removed.length) diff.ports.push({ bridge: bridge.name, ...ports });
  }

  const bridgeNames = new Set([...Object.keys(before.flows), ...Object.keys(after.flows)]);
  for (const bridge of bridgeNames) {
    const bridgeAfter = after.ovs.bridges.find((b) => b.name === bridge);
    const bridgeBefore = before.ovs.bridges.find((b) => b.name === bridge);
    const changes = diffFlows(
      bridge,
      before.flows[bridge] ?? [],
      after.flows[bridge] ?? [],
      bridgeBefore ? portMapOf(bridgeBefore) : new Map(),
      bridgeAfter ? portMapOf(bridgeAfter) : new Map(),
    );
    if (changes.added.length || changes.removed.length || changes.changed.length || changes.counters.length) diff.flows.push(changes);
  }

  for (const namespace of after.namespaces) {
    const old = before.namespaces.find((n) => n.name === namespace.name);
    const interfaces = setDiff(
      old?.interfaces.map((i) => i.name) ?? [],
      namespace.interfaces.map((i) => i.name),
    );
    if (interfaces.added.length || interfaces.removed.length) diff.interfaces.push({ namespace: namespace.name, ...interfaces });
    const tableNames = new Set([...(old?.iptables.tables ?? []), ...namespace.iptables.tables].map((t) => t.name));
    for (const table of tableNames) {
      const rulesOf = (state: typeof namespace | undefined) =>
        state?.iptables.tables.find((t) => t.name === table)?.chains.flatMap((c) => c.rules) ?? [];
      const changes = diffRules(namespace.name, table, rulesOf(old), rulesOf(namespace));
      if (changes.added.length || changes.removed.length || changes.counters.length) diff.rules.push(changes);
    }
  }
  return diff;
}

export function diffIsEmpty(diff: SnapshotDiff): boolean {
  return (
    diff.bridges.added.length +
      diff.bridges.removed.length +
      diff.ports.length +
      diff.flows.length +
      diff.namespaces.added.length +
      diff.namespaces.removed.length +
      diff.interfaces.length +
      diff.rules.length ===
    0
  );
}

function diffFlows(
  bridge: string,
  before: Flow[],
  after: Flow[],
  portsBefore: Map<number, string>,
  portsAfter: Map<number, string>,
): FlowChanges {
  const changes: FlowChanges = { bridge, added: [], removed: [], changed: [], counters: [] };
  // A flow is its table, priority and match (OpenFlow's identity); actions may change under it.
  const keyed = (flow: Flow, ports: Map<number, string>) => {
    const normal = normalizeFlow(flow, ports);
    return {
      flow,
      id: `${normal.table}|${normal.priority}|${[...normal.match].sort().join(',')}`,
      actions: describeActions(normal.actions),
    };
  };
  const old = multimap(
    before.map((flow) => keyed(flow, portsBefore)),
    (entry) => entry.id,
  );
  for (const flow of after) {
    const { id, actions } = keyed(flow, portsAfter);
    const match = old.get(id)?.shift();
    if (!match) {
      changes.added.push(flow);
      continue;
    }
    if (match.actions !== actions) changes.changed.push({ before: match.flow, after: flow });
    const growth = grown(match.flow.packets, match.flow.bytes, flow.packets, flow.bytes, match.flow.duration, flow.duration);
    if (growth) changes.counters.push({ item: flow, ...growth });
  }
  for (const rest of old.values()) changes.removed.push(...rest.map((entry) => entry.flow));
  return changes;
}

function diffRules(namespace: string, table: string, before: IptablesRule[], after: IptablesRule[]): RuleChanges {
  const changes: RuleChanges = { namespace, table, added: [], removed: [], counters: [] };
  const old = multimap(before, formatRule);
  for (const rule of after) {
    const match = old.get(formatRule(rule))?.shift();
    if (!match) {
      changes.added.push(rule);
      continue;
    }
    const growth = grown(match.packets, match.bytes, rule.packets, rule.bytes);
    if (growth) changes.counters.push({ item: rule, ...growth });
  }
  for (const rest of old.values()) changes.removed.push(...rest);
  return changes;
}

/** Counter growth; a counter that went down was reset (the flow re-added), so all of it is new. */
function grown(
  packetsBefore = 0,
  bytesBefore = 0,
  packetsAfter = 0,
  bytesAfter = 0,
  durationBefore?: number,
  durationAfter?: number,
): { packets: number; bytes: number } | undefined {
  const reset =
    packetsAfter < packetsBefore || (durationBefore !== undefined && durationAfter !== undefined && durationAfter < durationBefore);
  const packets = reset ? packetsAfter : packetsAfter - packetsBefore;
  const bytes = reset ? bytesAfter : bytesAfter - bytesBefore;
  return packets > 0 || bytes > 0 ? { packets, bytes } : undefined;
}

function multimap<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

function setDiff(before: string[], after: string[]): { added: string[]; removed: string[] } {
  const was = new Set(before);
  const is = new Set(after);
  return { added: after.filter((x) => !was.has(x)), removed: before.filter((x) => !is.has(x)) };
}
