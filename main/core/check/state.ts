import { flowLine } from '../inspect/flows/format';
import { parseFlowDump } from '../inspect/flows/parse';
import type { Flow } from '../inspect/flows/types';
import type { NamespaceState, NodeSnapshot } from '../inspect/snapshot/types';
import { portMapOf, type OvsBridge } from '../inspect/ovsdb/parse';
import { formatRule } from '../inspect/iptables/format';
import { matchingRules } from '../inspect/iptables/match';
import type { Check } from './schema';
import { compileSelector } from './flow-match';

/**
 * The kinds read from a snapshot: each returns whether it holds, what it looked for and what it
 * found — the found side is what a learner needs to see to fix it.
 */

export interface Outcome {
  passed: boolean;
  expected: string;
  found: string;
}

/** Where a check looks: a node and a namespace in it ('' for the node's own). */
export interface Where {
  node: string;
  namespace: string;
}

export type StateCheck = Extract<Check, { kind: 'bridge' | 'port' | 'flow' | 'iptables' | 'namespace' | 'address' | 'link' | 'route' | 'ip-rule' | 'neighbour' | 'process' | 'easyovs' }>;

/** "a flow …" / "no flow …", "port …" / "no port …". */
const presence = (present: boolean, what: string) => (present ? what : `no ${what.replace(/^an? /, '')}`);
const listed = (items: string[], none: string, max = 6) =>
  items.length === 0 ? none : `${items.slice(0, max).join('; ')}${items.length > max ? `; … ${items.length - max} more` : ''}`;

/** Kinds read inside a namespace (the node's own, or one named by the check or its VM). */
const NAMESPACE_KINDS: ReadonlySet<StateCheck['kind']> = new Set(['iptables', 'address', 'link', 'route', 'ip-rule', 'neighbour']);

export function evaluateState(check: StateCheck, snapshot: NodeSnapshot, where: Where): Outcome {
  if (NAMESPACE_KINDS.has(check.kind) && !namespaceOf(snapshot, where)) {
    // Evaluated against an empty namespace, so `expected` reads as always; found says why.
    const empty: NamespaceState = { name: where.namespace, interfaces: [], routes: [], rules: [], neighbours: [], iptables: { tables: [] } };
    const outcome = evaluateState(check, { ...snapshot, namespaces: [...snapshot.namespaces, empty] }, where);
    return { ...outcome, found: `no namespace ${where.namespace}` };
  }
  // There for the namespace kinds (checked above); the other kinds do not read it.
  const ns = namespaceOf(snapshot, where) as NamespaceState;
  switch (check.kind) {
    case 'bridge': {
      const bridge = snapshot.ovs.bridges.find((b) => b.name === check.bridge);
      const wants = [check.failMode && `fail_mode=${check.failMode}`, check.datapathType && `datapath_type=${check.datapathType}`].filter(Boolean);
      const expected = presence(check.present, `bridge ${check.bridge}${wants.length ? ` with ${wants.join(', ')}` : ''}`) + ` on ${where.node}`;
      if (!bridge) return { passed: !check.present, expected, found: `bridges: ${listed(snapshot.ovs.bridges.map((b) => b.name), 'none')}` };
      const failMode = bridge.failMode ?? 'standalone';
      const ok = (!check.failMode || failMode === check.failMode) && (!check.datapathType || bridge.datapathType === check.datapathType);
      return { passed: check.present === ok, expected, found: `bridge ${bridge.name}: fail_mode=${failMode}, datapath_type=${bridge.datapathType || 'system'}` };
    }
    case 'port': {
      const bridge = snapshot.ovs.bridges.find((b) => b.name === check.bridge);
      const port = bridge?.ports.find((p) => p.name === check.port);
      const wants = [
        check.tag === undefined ? undefined : `tag ${check.tag}`,
        check.type === undefined ? undefined : `type ${check.type || 'system'}`,
        ...Object.entries(check.options ?? {}).map(([k, v]) => `${k}=${v}`),
      ].filter(Boolean);
      const expected = `${presence(check.present, `port ${check.port} on ${check.bridge}`)}${wants.length ? ` with ${wants.join(', ')}` : ''} (${where.node})`;
      if (!bridge) return { passed: !check.present, expected, found: `no bridge ${check.bridge}` };
      if (!port) return { passed: !check.present, expected, found: `ports of ${check.bridge}: ${listed(bridge.ports.map((p) => p.name), 'none', 10)}` };
      const iface = port.interfaces.find((i) => i.name === port.name) ?? port.interfaces[0];
      const options = iface?.options ?? {};
      const ok =
        (check.tag === undefined || port.tag === check.tag) &&
        (check.type === undefined || (iface?.type ?? '') === check.type) &&
        Object.entries(check.options ?? {}).every(([k, v]) => options[k] === v);
      const found = [`port ${port.name}`, port.tag === undefined ? 'no tag' : `tag ${port.tag}`, `type ${iface?.type || 'system'}`, ...Object.entries(options).map(([k, v]) => `${k}=${v}`)];
      return { passed: check.present === ok, expected, found: found.join(', ') };
    }
    case 'flow': {
      const selector = compileSelector(check);
      const expected = `${presence(check.present, `a flow ${selector.describe()}`)} on ${check.bridge} (${where.node})`;
      const bridge = snapshot.ovs.bridges.find((b) => b.name === check.bridge);
      const flows = snapshot.flows[check.bridge];
      if (!bridge || !flows) return { passed: !check.present, expected, found: `no bridge ${check.bridge}` };
      const hits = selector.select(flows, portMapOf(bridge));
      if (hits.length > 0) return { passed: check.present, expected, found: listed(hits.map(flowLine), '') };
      return { passed: !check.present, expected, found: nearbyFlows(bridge, flows, check.table) };
    }
    case 'iptables': {
      const chain = ns.iptables.tables.find((t) => t.name === check.table)?.chains.find((c) => c.name === check.chain);
      const what = check.rule ? `a rule "${check.rule}" in ${check.table}/${check.chain}` : `chain ${check.table}/${check.chain}`;
      const expected = `${presence(check.present, what)} (${placeName(where)})`;
      if (!chain) return { passed: !check.present, expected, found: `no chain ${check.chain} in table ${check.table}` };
      if (!check.rule) return { passed: check.present, expected, found: `chain ${check.chain} with ${chain.rules.length} rules` };
      const hit = matchingRules(chain, check.rule)[0];
      return { passed: check.present === (hit !== undefined), expected, found: hit ? formatRule(hit) : listed(chain.rules.map(formatRule), `chain ${check.chain} is empty`, 8) };
    }
    case 'namespace': {
      const names = snapshot.namespaces.filter((n) => n.name !== '').map((n) => n.name);
      const wanted = check.name.endsWith('*') ? (n: string) => n.startsWith(check.name.slice(0, -1)) : (n: string) => n === check.name;
      const hit = names.find(wanted);
      return { passed: check.present === (hit !== undefined), expected: `${presence(check.present, `namespace ${check.name}`)} on ${where.node}`, found: `namespaces: ${listed(names, 'none')}` };
    }
    case 'address': {
      const [address, prefix] = check.address.split('/');
      const expected = `${presence(check.present, `address ${check.address}${check.interface ? ` on ${check.interface}` : ''}`)} (${placeName(where)})`;
      const interfaces = ns.interfaces.filter((i) => !check.interface || i.name === check.interface);
      const hit = interfaces.some((i) => i.addresses.some((a) => a.address === address && (prefix === undefined || String(a.prefix) === prefix)));
      const found = interfaces.flatMap((i) => i.addresses.filter((a) => a.family === 'inet').map((a) => `${i.name} ${a.address}/${a.prefix}`));
      return { passed: check.present === hit, expected, found: listed(found, check.interface ? `no IPv4 address on ${check.interface}` : 'no IPv4 address') };
    }
    case 'link': {
      const link = ns.interfaces.find((i) => i.name === check.name);
      const wants = [check.type !== undefined && `type ${check.type || 'plain'}`, check.master && `in ${check.master}`, check.up !== undefined && (check.up ? 'up' : 'down'), check.mtu && `MTU ${check.mtu}`].filter(Boolean);
      const expected = `${presence(check.present, `link ${check.name}`)}${wants.length ? ` (${wants.join(', ')})` : ''} in ${placeName(where)}`;
      if (!link) return { passed: !check.present, expected, found: `links: ${listed(ns.interfaces.map((i) => i.name), 'none', 12)}` };
      const up = link.flags.includes('UP');
      const ok = (check.type === undefined || (link.kind ?? '') === check.type) && (!check.master || link.master === check.master) && (check.up === undefined || up === check.up) && (!check.mtu || link.mtu === check.mtu);
      return { passed: check.present === ok, expected, found: `${link.name}: type ${link.kind ?? 'plain'}${link.master ? `, in ${link.master}` : ', in no bridge'}, ${up ? 'up' : 'down'}, MTU ${link.mtu ?? '?'}` };
    }
    case 'route': {
      const table = check.table === undefined ? 'main' : String(check.table);
      const routes = ns.routes.filter((r) => r.table === table && r.type === 'unicast');
      const hit = routes.some((r) => r.destination === check.to && (!check.via || r.gateway === check.via) && (!check.dev || r.device === check.dev));
      const expected = `${presence(check.present, `route ${check.to}${check.via ? ` via ${check.via}` : ''}${check.dev ? ` dev ${check.dev}` : ''} in table ${table}`)} (${placeName(where)})`;
      return { passed: check.present === hit, expected, found: listed(routes.map((r) => `${r.destination}${r.gateway ? ` via ${r.gateway}` : ''}${r.device ? ` dev ${r.device}` : ''}`), `no routes in table ${table}`) };
    }
    case 'ip-rule': {
      const rules = ns.rules;
      const hit = rules.some((r) => r.table === String(check.table) && (!check.from || r.from === check.from) && (!check.to || r.to === check.to) && (check.priority === undefined || r.priority === check.priority));
      const expected = `${presence(check.present, `ip rule${check.from ? ` from ${check.from}` : ''}${check.to ? ` to ${check.to}` : ''} lookup ${check.table}`)} (${placeName(where)})`;
      return { passed: check.present === hit, expected, found: listed(rules.map((r) => `${r.priority}: from ${r.from}${r.to ? ` to ${r.to}` : ''} lookup ${r.table ?? r.action ?? '?'}`), 'no rules') };
    }
    case 'neighbour': {
      const neighbours = ns.neighbours.filter((n) => n.mac);
      const hit = neighbours.some((n) => n.address === check.address && (!check.mac || n.mac?.toLowerCase() === check.mac.toLowerCase()));
      const expected = `${presence(check.present, `neighbour ${check.address}${check.mac ? ` at ${check.mac}` : ''}`)} (${placeName(where)})`;
      return { passed: check.present === hit, expected, found: listed(neighbours.map((n) => `${n.address} ${n.mac}`), 'no neighbours') };
    }
    case 'process': {
      const procs = snapshot.processes.filter((p) => p.command === check.name);
      const hit = procs.some((p) => check.namespace === undefined || p.namespace === check.namespace);
      const expected = `${presence(check.present, `${check.name} running${check.namespace ? ` in ${check.namespace}` : ''}`)} on ${where.node}`;
      return { passed: check.present === hit, expected, found: listed(procs.map((p) => `${p.command} (pid ${p.pid}) in ${p.namespace || 'the node'}`), `no ${check.name}`) };
    }
    case 'easyovs':
      return evaluateEasyOvs(check, snapshot, where);
  }
}

/** Did the learner run this easyOVS action here (on this bridge, for this VM, adding or deleting such a flow)? */
function evaluateEasyOvs(check: Extract<StateCheck, { kind: 'easyovs' }>, snapshot: NodeSnapshot, where: Where): Outcome {
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
  const what = [check.action, check.bridge, check.address, selector && (check.action === 'delflow' ? `deleting ${selector.describe()}` : selector.describe())].filter(Boolean).join(' ');
  const done = records.map(({ record: r, flows }) => [r.action, r.bridge, ...(r.addresses ?? []), ...flows.map((f) => `(${flowLine(f)})`)].filter(Boolean).join(' '));
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

function namespaceOf(snapshot: NodeSnapshot, where: Where): NamespaceState | undefined {
  return snapshot.namespaces.find((n) => n.name === where.namespace);
}

const placeName = (where: Where) => (where.namespace ? `${where.node}, namespace ${where.namespace}` : where.node);

/** What is in the table the check looked at (or in the bridge), so the learner sees what is there instead. */
function nearbyFlows(bridge: OvsBridge, flows: readonly Flow[], table: number | undefined): string {
  const inTable = table === undefined ? flows : flows.filter((f) => f.table === table);
  if (inTable.length === 0) return table === undefined ? `${bridge.name} has no flows` : `table ${table} of ${bridge.name} is empty`;
  return listed(inTable.map(flowLine), '');
}
