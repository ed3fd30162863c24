import { flowLine } from '../../inspect/flows/format';
import type { Flow } from '../../inspect/flows/types';
import type { OvsBridge } from '../../inspect/ovsdb/parse';
import type { NamespaceState, NodeSnapshot } from '../../inspect/snapshot/types';
import type { Where } from './kind';
import { listed } from './text';

/** Reading a snapshot, shared by the state kinds. */

export function namespaceOf(snapshot: NodeSnapshot, where: Where): NamespaceState | undefined {
  return snapshot.namespaces.find((n) => n.name === where.namespace);
}

/** The namespace a namespace kind reads: the round made sure it is there (an empty one when it is not). */
export const namespaceIn = (snapshot: NodeSnapshot, where: Where): NamespaceState => namespaceOf(snapshot, where) as NamespaceState;

/** What is in the table the check looked at (or in the bridge), so the learner sees what is there instead. */
export function nearbyFlows(bridge: OvsBridge, flows: readonly Flow[], table: number | undefined): string {
  const inTable = table === undefined ? flows : flows.filter((f) => f.table === table);
  if (inTable.length === 0) return table === undefined ? `${bridge.name} has no flows` : `table ${table} of ${bridge.name} is empty`;
  return listed(inTable.map(flowLine), '');
}
