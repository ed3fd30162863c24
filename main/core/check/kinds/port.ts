import { z } from 'zod';
import { node, present } from './fields';
import { stateKind } from './kind';
import { presence, listed } from './text';

export const PortCheck = z
  .object({
    kind: z.literal('port'),
    node,
    bridge: z.string().min(1).max(15),
    port: z.string().min(1).max(15),
    present,
    tag: z.number().int().min(0).max(4095).optional(),
    type: z.string().optional().describe('Interface type: patch, gre, vxlan, internal, system (empty), …'),
    options: z
      .record(z.string(), z.string())
      .optional()
      .describe('Interface options that must be set so, e.g. { remote_ip: 10.0.0.100, in_key: flow }.'),
  })
  .strict();

export const portCheck = stateKind({
  kind: 'port',
  schema: PortCheck,
  inNamespace: false,
  ovsOnly: true,
  read(check, snapshot, where) {
    const bridge = snapshot.ovs.bridges.find((b) => b.name === check.bridge);
    const port = bridge?.ports.find((p) => p.name === check.port);
    const wants = [
      check.tag === undefined ? undefined : `tag ${check.tag}`,
      check.type === undefined ? undefined : `type ${check.type || 'system'}`,
      ...Object.entries(check.options ?? {}).map(([k, v]) => `${k}=${v}`),
    ].filter(Boolean);
    const expected = `${presence(check.present, `port ${check.port} on ${check.bridge}`)}${wants.length ? ` with ${wants.join(', ')}` : ''} (${where.node})`;
    if (!bridge) return { passed: !check.present, expected, found: `no bridge ${check.bridge}` };
    if (!port)
      return {
        passed: !check.present,
        expected,
        found: `ports of ${check.bridge}: ${listed(
          bridge.ports.map((p) => p.name),
          'none',
          10,
        )}`,
      };
    const iface = port.interfaces.find((i) => i.name === port.name) ?? port.interfaces[0];
    const options = iface?.options ?? {};
    const ok =
      (check.tag === undefined || port.tag === check.tag) &&
      (check.type === undefined || (iface?.type ?? '') === check.type) &&
      Object.entries(check.options ?? {}).every(([k, v]) => options[k] === v);
    const found = [
      `port ${port.name}`,
      port.tag === undefined ? 'no tag' : `tag ${port.tag}`,
      `type ${iface?.type || 'system'}`,
      ...Object.entries(options).map(([k, v]) => `${k}=${v}`),
    ];
    return { passed: check.present === ok, expected, found: found.join(', ') };
  },
});
