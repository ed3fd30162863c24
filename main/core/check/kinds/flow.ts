import { z } from 'zod';
import { portMapOf } from '../../inspect/ovsdb/parse';
import { flowLine } from '../../inspect/flows/format';
import { compileSelector } from '../flow-match';
import { flowSelector, present } from './fields';
import { stateKind } from './kind';
import { presence, listed } from './text';
import { nearbyFlows } from './read';

export const FlowCheck = z.object({ kind: z.literal('flow'), ...flowSelector, present }).strict();

export const flowCheck = stateKind({
  kind: 'flow',
  schema: FlowCheck,
  inNamespace: false,
  ovsOnly: true,
  read(check, snapshot, where) {
    const selector = compileSelector(check);
    const expected = `${presence(check.present, `a flow ${selector.describe()}`)} on ${check.bridge} (${where.node})`;
    const bridge = snapshot.ovs.bridges.find((b) => b.name === check.bridge);
    const flows = snapshot.flows[check.bridge];
    if (!bridge || !flows) return { passed: !check.present, expected, found: `no bridge ${check.bridge}` };
    const hits = selector.select(flows, portMapOf(bridge));
    if (hits.length > 0) return { passed: check.present, expected, found: listed(hits.map(flowLine), '') };
    return { passed: !check.present, expected, found: nearbyFlows(bridge, flows, check.table) };
  },
});
