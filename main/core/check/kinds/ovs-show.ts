import { z } from 'zod';
import type { OvsBridge } from '../../inspect/ovsdb/parse';
import { node } from './fields';
import { stateKind } from './kind';
import { listed } from './text';

/**
 * A node's `ovs-vsctl show` has the shape a listing prints: for each bridge listed, each of its
 * ports with its tag, and each port's interfaces with their type — compared by structure, not by
 * text, so the order of ports, the quotes, the uuid and the lines the listing does not have
 * (datapath_type, options, ovs_version) do not matter. With `exact` (the default), the bridge has
 * no port the listing lacks: the book's listings are whole.
 */

interface ShapePort {
  tag?: number;
  /** Interface name → type ('' for a system device). */
  interfaces: Map<string, string>;
}

/** Bridge → port → what the listing says of it. */
type Shape = Map<string, Map<string, ShapePort>>;

const LINE = /^\s*(Bridge|Port|Interface|tag:|type:)\s+"?([^"]*?)"?\s*$/;

/** The Bridge, Port, Interface, tag and type lines of an `ovs-vsctl show` listing; other lines are skipped. */
export function parseShape(text: string): Shape {
  const shape: Shape = new Map();
  let bridge: Map<string, ShapePort> | undefined;
  let port: ShapePort | undefined;
  let iface: string | undefined;
  for (const [index, line] of text.split('\n').entries()) {
    const parsed = LINE.exec(line);
    if (!parsed) continue;
    const [, keyword, value = ''] = parsed;
    const where = `line ${index + 1} of the shape ("${line.trim()}")`;
    if (keyword === 'Bridge') {
      bridge = new Map();
      shape.set(value, bridge);
      port = undefined;
    } else if (keyword === 'Port') {
      if (!bridge) throw new Error(`${where}: a Port outside a Bridge`);
      port = { interfaces: new Map() };
      bridge.set(value, port);
      iface = undefined;
    } else if (keyword === 'Interface') {
      if (!port) throw new Error(`${where}: an Interface outside a Port`);
      iface = value;
      port.interfaces.set(value, '');
    } else if (keyword === 'tag:') {
      if (!port || iface !== undefined || !/^\d+$/.test(value)) throw new Error(`${where}: a tag belongs to a Port, before its Interface`);
      port.tag = Number(value);
    } else if (keyword === 'type:') {
      if (!port || iface === undefined) throw new Error(`${where}: a type belongs to an Interface`);
      port.interfaces.set(iface, value);
    }
  }
  if (shape.size === 0) throw new Error('the shape lists no Bridge');
  return shape;
}

export const OvsShowCheck = z
  .object({
    kind: z.literal('ovs-show'),
    node,
    shape: z
      .string()
      .min(1)
      .superRefine((text, ctx) => {
        try {
          parseShape(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      })
      .describe("The listing, as `ovs-vsctl show` prints it (the book's): Bridge, Port, tag:, Interface and type: lines count."),
    exact: z.boolean().default(true).describe('true: the listed bridges have no other ports.'),
  })
  .strict();

export const ovsShowCheck = stateKind({
  kind: 'ovs-show',
  schema: OvsShowCheck,
  inNamespace: false,
  ovsOnly: true,
  read(check, snapshot, where) {
    const shape = parseShape(check.shape);
    const expected = `${where.node}'s ovs-vsctl show has ${[...shape].map(([name, ports]) => `${name} with ${describePorts(ports)}`).join('; ')}${check.exact ? ', no other ports' : ''}`;
    const differences = [...shape].flatMap(([name, ports]) => {
      const bridge = snapshot.ovs.bridges.find((b) => b.name === name);
      return bridge ? bridgeDifferences(bridge, ports, check.exact) : [`no bridge ${name}`];
    });
    return { passed: differences.length === 0, expected, found: differences.length ? listed(differences, '') : 'that shape' };
  },
});

function describePorts(ports: Map<string, ShapePort>): string {
  return [...ports].map(([name, port]) => (port.tag === undefined ? name : `${name} (tag ${port.tag})`)).join(', ');
}

function bridgeDifferences(bridge: OvsBridge, ports: Map<string, ShapePort>, exact: boolean): string[] {
  const out: string[] = [];
  for (const [name, want] of ports) {
    const port = bridge.ports.find((p) => p.name === name);
    if (!port) {
      out.push(`${bridge.name} has no port ${name}`);
      continue;
    }
    if (port.tag !== want.tag)
      out.push(`${name} has ${port.tag === undefined ? 'no tag' : `tag ${port.tag}`}, not ${want.tag === undefined ? 'none' : want.tag}`);
    for (const [iface, type] of want.interfaces) {
      const found = port.interfaces.find((i) => i.name === iface);
      if (!found) out.push(`${name} has no interface ${iface}`);
      else if (found.type !== type) out.push(`${iface} is of type ${found.type || 'system'}, not ${type || 'system'}`);
    }
  }
  if (exact) for (const extra of bridge.ports.filter((p) => !ports.has(p.name))) out.push(`${bridge.name} also has port ${extra.name}`);
  return out;
}
