import { z } from 'zod';
import { flowLine } from '../../inspect/flows/format';
import { parseFlowDump } from '../../inspect/flows/parse';
import type { Flow } from '../../inspect/flows/types';
import { portMapOf } from '../../inspect/ovsdb/parse';
import { EASYOVS_ACTIONS, type NodeSnapshot } from '../../inspect/snapshot/types';
import { Ipv4Schema } from '../../topology/schema';
import { compileSelector } from '../flow-match';
import { flowSelector, node } from './fields';
import { stateKind, type Outcome, type Where } from './kind';
import { listed } from './text';

/** An easyOVS action the learner ran on a node (the CLI's `neutron-lab ovs` or the inspector's), since boot or reset. */
export const EasyOvsCheck = z
  .object({
    kind: z.literal('easyovs'),
    node,
    action: z.enum(EASYOVS_ACTIONS).describe('list, show, dump, addflow, delflow or ipt.'),
    bridge: z.string().min(1).max(15).optional().describe('The bridge it ran on (show, dump, addflow, delflow).'),
    address: Ipv4Schema.optional().describe('ipt: a VM address it was asked about.'),
    table: flowSelector.table,
    priority: flowSelector.priority,
    match: flowSelector.match.describe(
      'addflow, delflow: a flow it added or deleted must match these fields (compared by meaning, as in a flow check). solve adds "table,priority,match,actions" as given.',
    ),
    actions: flowSelector.actions,
  })
  .strict();

export const easyOvsCheck = stateKind({
  kind: 'easyovs',
  schema: EasyOvsCheck,
  inNamespace: false,
  ovsOnly: true,
  read: (check, snapshot, where) => evaluateEasyOvs(check, snapshot, where),
});

/** Did the learner run this easyOVS action here (on this bridge, for this VM, adding or deleting such a flow)? */
function evaluateEasyOvs(check: z.infer<typeof EasyOvsCheck>, snapshot: NodeSnapshot, where: Where): Outcome {
  const flowWanted = check.table !== undefined || check.priority !== undefined || check.match !== undefined || check.actions !== undefined;
  const selector = flowWanted ? compileSelector(check) : undefined;
  const bridge = snapshot.ovs.bridges.find((b) => b.name === check.bridge);
  const ports = bridge ? portMapOf(bridge) : new Map<number, string>();
  const records = snapshot.easyovs.map((record) => ({ record, flows: recordedFlows(record.flows ?? []) }));
  const hit = records.some(
    ({ record: r, flows }) =>
      r.action === check.action &&
      (check.bridge === undefined || r.bridge === check.bridge) &&
      (check.address === undefined || (r.addresses ?? []).includes(check.address)) &&
      (!selector || selector.select(flows, ports).length > 0),
  );
  const what = [
    check.action,
    check.bridge,
    check.address,
    selector && (check.action === 'delflow' ? `deleting ${selector.describe()}` : selector.describe()),
  ]
    .filter(Boolean)
    .join(' ');
  const done = records.map(({ record: r, flows }) =>
    [r.action, r.bridge, ...(r.addresses ?? []), ...flows.map((f) => `(${flowLine(f)})`)].filter(Boolean).join(' '),
  );
  return {
    passed: hit,
    expected: `the easyOVS action "${what}" run on ${where.node}`,
    found: done.length ? `run there: ${listed(done, '', 8)}` : `no easyOVS action run on ${where.node} since it booted or was reset`,
  };
}

/** The flows a record names; one the parser cannot read (a learner's odd spelling) is skipped. */
function recordedFlows(lines: readonly string[]): Flow[] {
  return lines.flatMap((line) => {
    try {
      return parseFlowDump(line, 'easyovs record').flows;
    } catch {
      return [];
    }
  });
}
