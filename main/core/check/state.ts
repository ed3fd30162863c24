import type { NamespaceState, NodeSnapshot } from '../inspect/snapshot/types';
import { kindOf } from './kinds';
import type { Outcome, Where } from './kinds/kind';
import { namespaceOf } from './kinds/read';
import type { StateCheck } from './schema';

/**
 * The kinds read from a snapshot: each returns whether it holds, what it looked for and what it
 * found — the found side is what a learner needs to see to fix it. Each kind's reading is in its
 * module (./kinds); this hands a check to it.
 */

export type { Outcome, Where } from './kinds/kind';
export type { StateCheck } from './schema';

export function evaluateState(check: StateCheck, snapshot: NodeSnapshot, where: Where): Outcome {
  const kind = kindOf(check.kind);
  if (!('read' in kind)) throw new Error(`the ${check.kind} check reads no snapshot`);
  if (kind.inNamespace && !namespaceOf(snapshot, where)) {
    // Evaluated against an empty namespace, so `expected` reads as always; found says why.
    const empty: NamespaceState = {
      name: where.namespace,
      interfaces: [],
      routes: [],
      rules: [],
      neighbours: [],
      iptables: { tables: [] },
    };
    const outcome = evaluateState(check, { ...snapshot, namespaces: [...snapshot.namespaces, empty] }, where);
    return { ...outcome, found: `no namespace ${where.namespace}` };
  }
  return (kind.read as (check: StateCheck, snapshot: NodeSnapshot, where: Where) => Outcome)(check, snapshot, where);
}

/** Whether the kind reads only the OVS part of a snapshot. */
export function readsOvsOnly(check: StateCheck): boolean {
  const kind = kindOf(check.kind);
  return 'ovsOnly' in kind && kind.ovsOnly === true;
}

/** Whether the kind reads inside a namespace (the check's, or its VM's). */
export function readsNamespace(check: StateCheck): boolean {
  const kind = kindOf(check.kind);
  return 'inNamespace' in kind && kind.inNamespace;
}
