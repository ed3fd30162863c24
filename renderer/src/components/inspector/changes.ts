import { formatRule, matchText } from '../../../../main/api/view';
import type { SnapshotDiff } from '../../../../main/api/view';
import { english, type Translate } from '../../i18n';
import { actionsText } from './flow-table';

/**
 * "What changed": a SnapshotDiff as lines a learner can read — what appeared, what went, what
 * was rewritten and which counters grew — grouped by the part of the node they concern.
 */

export type ChangeKind = 'added' | 'removed' | 'changed' | 'grew';
/** What changed; the view shows it in the learner's language, and tests see it as is. */
export type ChangeSubject = 'bridge' | 'port' | 'flow' | 'namespace' | 'interface' | 'rule';

/** A refresh's changes, with when it was taken (wall clock) and the span it covers (node clock). */
export interface ChangeEntry {
  at: number;
  seconds: number;
  lines: ChangeLine[];
}

export interface ChangeLine {
  kind: ChangeKind;
  subject: ChangeSubject;
  /** Where: the bridge, or the namespace (and iptables table). */
  place: string;
  text: string;
  /** For a change, what it was; for growth, by how much. */
  detail?: string;
}

/** The lines of a diff; `t` words the places and details (the subject stays a name for the view). */
export function changeLines(diff: SnapshotDiff, t: Translate = english): ChangeLine[] {
  const lines: ChangeLine[] = [];
  const nodeNamespace = (name: string) => (name === '' ? t('changes.rootNamespace') : name);
  const growthText = ({ packets, bytes }: { packets: number; bytes: number }) =>
    t('changes.growth', {
      packets: t(packets === 1 ? 'changes.packetsOne' : 'changes.packetsMany', { n: packets }),
      bytes: t(bytes === 1 ? 'changes.bytesOne' : 'changes.bytesMany', { n: bytes }),
    });
  const push = (kind: ChangeKind, subject: ChangeSubject, place: string, text: string, detail?: string) =>
    lines.push({ kind, subject, place, text, ...(detail === undefined ? {} : { detail }) });

  for (const name of diff.bridges.added) push('added', 'bridge', name, name);
  for (const name of diff.bridges.removed) push('removed', 'bridge', name, name);
  for (const { bridge, added, removed } of diff.ports) {
    for (const name of added) push('added', 'port', bridge, name);
    for (const name of removed) push('removed', 'port', bridge, name);
  }
  for (const changes of diff.flows) {
    const flowText = (f: (typeof changes.added)[number]) =>
      `table=${f.table}, priority=${f.priority}${f.match.length ? `,${matchText(f.match)}` : ''} actions=${actionsText(f)}`;
    for (const flow of changes.added) push('added', 'flow', changes.bridge, flowText(flow));
    for (const flow of changes.removed) push('removed', 'flow', changes.bridge, flowText(flow));
    for (const { before, after } of changes.changed)
      push('changed', 'flow', changes.bridge, flowText(after), t('changes.was', { actions: actionsText(before) }));
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
