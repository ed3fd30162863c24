import { z } from 'zod';
import { node, present } from './fields';
import { stateKind } from './kind';
import { presence, listed } from './text';

export const BridgeCheck = z
  .object({
    kind: z.literal('bridge'),
    node,
    bridge: z.string().min(1).max(15),
    present,
    failMode: z.enum(['secure', 'standalone']).optional(),
    datapathType: z.string().optional(),
  })
  .strict();

export const bridgeCheck = stateKind({
  kind: 'bridge',
  schema: BridgeCheck,
  inNamespace: false,
  ovsOnly: true,
  read(check, snapshot, where) {
    const bridge = snapshot.ovs.bridges.find((b) => b.name === check.bridge);
    const wants = [check.failMode && `fail_mode=${check.failMode}`, check.datapathType && `datapath_type=${check.datapathType}`].filter(
      Boolean,
    );
    const expected =
      presence(check.present, `bridge ${check.bridge}${wants.length ? ` with ${wants.join(', ')}` : ''}`) + ` on ${where.node}`;
    if (!bridge)
      return {
        passed: !check.present,
        expected,
        found: `bridges: ${listed(
          snapshot.ovs.bridges.map((b) => b.name),
          'none',
        )}`,
      };
    const failMode = bridge.failMode ?? 'standalone';
    const ok = (!check.failMode || failMode === check.failMode) && (!check.datapathType || bridge.datapathType === check.datapathType);
    return {
      passed: check.present === ok,
      expected,
      found: `bridge ${bridge.name}: fail_mode=${failMode}, datapath_type=${bridge.datapathType || 'system'}`,
    };
  },
});
