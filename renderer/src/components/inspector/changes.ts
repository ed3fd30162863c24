import type { SnapshotDiff } from '../../../../main/core/inspect/snapshot/diff';
import { formatRule } from '../../../../main/core/inspect/iptables/format';
import { actionsText, matchText } from './flow-table';

/**
 * "What changed": a SnapshotDiff as lines a learner can read — what appeared, what went, what
 * was rewritten and which counters grew — grouped by the part of the node they concern.
 */

export type ChangeKind = 'added' | 'removed' | 'changed' | 'grew';

/** A refresh's changes, with when it was taken (wall clock) and the span it covers (node clock). */
export interface ChangeEntry {
  at: number;
  seconds: number;
  lines: ChangeLine[];
}

export interface ChangeLine {
  kind: ChangeKind;
  /** bridge, port, flow, namespace, interface, rule. */
  subject: string;
  /** Where: the bridge, or the namespace (and iptables table). */
  place: string;
  text: string;
  /** For a change, what it was; for growth, by how much. */
  detail?: string;
}

const nodeNamespace = (name: string) => (name === '' ? '(node)' : name);

export function changeLines(diff: SnapshotDiff): ChangeLine[] {
  const lines: ChangeLine[] = [];
  const push = (kind: ChangeKind, subject: string, place: string, text: string, detail?: string) =>
    lines.push({ kind, subject, place, text, ...(detail === undefined ? {} : { detail }) });

  for (const name of diff.bridges.added) push('added', 'bridge', name, name);
  for (const name of diff.bridges.removed) push('removed', 'bridge', name, name);
  for (const { bridge, added, removed } of diff.ports) {
    for (const name of added) push('added', 'port', bridge, name);
    for (const name of removed) push('removed', 'port', bridge, name);
  }
  for (const changes of diff.flows) {
    const flowText = (f: (typeof changes.added)[number]) => `table=${f.table}, priority=${f.priority}${f.match.length ? `,${matchText(f.match)}` : ''} actions=${actionsText(f)}`;
    for (const flow of changes.added) push('added', 'flow', changes.bridge, flowText(flow));
    for (const flow of changes.removed) push('removed', 'flow', changes.bridge, flowText(flow));
    for (const { before, after } of changes.changed) push('changed', 'flow', changes.bridge, flowText(after), `was actions=${actionsText(before)}`);
    for (const growth of changes.counters) push('grew', 'flow', changes.bridge, flowText(growth.item), growthText(growth));
  }
  for (const name of diff.namespaces.added) push('added', 'namespace', nodeNamespace(name), nodeNamespace(name));
  for (const name of diff.namespaces.removed) push('removed', 'namespace', nodeNamespace(name), nodeNamespace(name));
  for (const { namespace, added, removed } of diff.interfaces) {
    for (const name of added) push('added', 'interface', nodeNamespace(namespace), name);
    for (const name of removed) push('removed', 'interface', nodeNamespace(namespace), name);
  }
  for (const changes of diff.rules) {
    const place = `${nodeNamespace(changes.namespace)} ${changes.table}`;
    for (const rule of changes.added) push('added', 'rule', place, formatRule(rule));
    for (const rule of changes.removed) push('removed', 'rule', place, formatRule(rule));
    for (const growth of changes.counters) push('grew', 'rule', place, formatRule(growth.item), growthText(growth));
  }
  return lines;
}

function growthText({ packets, bytes }: { packets: number; bytes: number }): string {
  return `+${packets} packet${packets === 1 ? '' : 's'}, +${bytes} byte${bytes === 1 ? '' : 's'}`;
}
