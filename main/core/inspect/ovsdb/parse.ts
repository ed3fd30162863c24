import { ParseError } from '../parse-error';
import { findClosing } from '../scan';

/**
 * The OVS database (`ovsdb-client -f json dump Open_vSwitch`) as bridges → ports → interfaces.
 * OVSDB's JSON encodes atoms, ["uuid", u], ["set", [...]] (a one-element set may be the bare
 * atom) and ["map", [[k, v], ...]]; sets keep the database's order, which is what
 * `ovs-vsctl show` prints.
 */

export interface OvsInterface {
  uuid: string;
  name: string;
  /** "" for a system (kernel) device, as OVSDB stores it. */
  type: string;
  options: Record<string, string>;
  ofport?: number;
  ofportRequest?: number;
  mac?: string;
  macInUse?: string;
  mtu?: number;
  adminState?: string;
  linkState?: string;
  error?: string;
  externalIds: Record<string, string>;
  statistics: Record<string, number>;
  status: Record<string, string>;
}

export interface OvsPort {
  uuid: string;
  name: string;
  tag?: number;
  trunks: number[];
  vlanMode?: string;
  interfaces: OvsInterface[];
  externalIds: Record<string, string>;
  otherConfig: Record<string, string>;
}

export interface OvsBridge {
  uuid: string;
  name: string;
  datapathType: string;
  datapathId?: string;
  failMode?: string;
  protocols: string[];
  controllers: { target: string; isConnected?: boolean }[];
  ports: OvsPort[];
  externalIds: Record<string, string>;
  otherConfig: Record<string, string>;
}

export interface OvsDatabase {
  /** The Open_vSwitch row's UUID (the first line of `ovs-vsctl show`). */
  uuid: string;
  ovsVersion?: string;
  managers: { target: string; isConnected?: boolean }[];
  externalIds: Record<string, string>;
  otherConfig: Record<string, string>;
  bridges: OvsBridge[];
}

type Row = Record<string, unknown>;
type Tables = Map<string, Map<string, Row>>;

export function parseOvsdbDump(text: string, source = '<input>'): OvsDatabase {
  const tables = readTables(text, source);
  const fail = (message: string): never => {
    throw new ParseError('an OVSDB dump', 1, 1, message, source);
  };
  const root =
    [...(tables.get('Open_vSwitch')?.values() ?? [])][0] ??
    fail('it has no Open_vSwitch table row (is this `ovsdb-client -f json dump Open_vSwitch` output?)');

  const interfaces = tables.get('Interface') ?? new Map<string, Row>();
  const ports = tables.get('Port') ?? new Map<string, Row>();
  const bridges = tables.get('Bridge') ?? new Map<string, Row>();
  const controllers = tables.get('Controller') ?? new Map<string, Row>();
  const managers = tables.get('Manager') ?? new Map<string, Row>();

  const target = (row: Row) => ({
    target: str(row.target),
    ...(row.is_connected === undefined || isEmptySet(row.is_connected) ? {} : { isConnected: Boolean(atomOf(row.is_connected)) }),
  });
  const rowsOf = (value: unknown, table: Map<string, Row>, what: string): Row[] =>
    uuids(value).map((uuid) => table.get(uuid) ?? fail(`a ${what} refers to a missing row ${uuid}`));

  const toInterface = (row: Row): OvsInterface => ({
    uuid: uuidOf(row._uuid),
    name: str(row.name),
    type: str(row.type),
    options: stringMap(row.options),
    ...optionalNumber('ofport', row.ofport),
    ...optionalNumber('ofportRequest', row.ofport_request),
    ...optionalString('mac', row.mac),
    ...optionalString('macInUse', row.mac_in_use),
    ...optionalNumber('mtu', row.mtu),
    ...optionalString('adminState', row.admin_state),
    ...optionalString('linkState', row.link_state),
    ...optionalString('error', row.error),
    externalIds: stringMap(row.external_ids),
    statistics: numberMap(row.statistics),
    status: stringMap(row.status),
  });
  const toPort = (row: Row): OvsPort => ({
    uuid: uuidOf(row._uuid),
    name: str(row.name),
    ...optionalNumber('tag', row.tag),
    trunks: setOf(row.trunks).map(Number),
    ...optionalString('vlanMode', row.vlan_mode),
    interfaces: rowsOf(row.interfaces, interfaces, 'port').map(toInterface),
    externalIds: stringMap(row.external_ids),
    otherConfig: stringMap(row.other_config),
  });
  const toBridge = (row: Row): OvsBridge => ({
    uuid: uuidOf(row._uuid),
    name: str(row.name),
    datapathType: str(row.datapath_type),
    ...optionalString('datapathId', row.datapath_id),
    ...optionalString('failMode', row.fail_mode),
    protocols: setOf(row.protocols).map(String),
    controllers: rowsOf(row.controller, controllers, 'bridge').map(target),
    ports: rowsOf(row.ports, ports, 'bridge').map(toPort),
    externalIds: stringMap(row.external_ids),
    otherConfig: stringMap(row.other_config),
  });

  return {
    uuid: uuidOf(root._uuid),
    ...optionalString('ovsVersion', root.ovs_version),
    managers: rowsOf(root.manager_options, managers, 'switch').map(target),
    externalIds: stringMap(root.external_ids),
    otherConfig: stringMap(root.other_config),
    bridges: rowsOf(root.bridges, bridges, 'switch').map(toBridge),
  };
}

/** The dump is one JSON object per table: {caption: "Bridge table", headings: [...], data: [[...]]}. */
function readTables(text: string, source: string): Tables {
  const tables: Tables = new Map();
  for (const { value, line, column } of jsonSequence(text, source)) {
    if (!isObject(value) || typeof value.caption !== 'string' || !Array.isArray(value.headings) || !Array.isArray(value.data)) {
      throw new ParseError('an OVSDB dump', line, column, 'expected a table object {caption, headings, data}', source);
    }
    const name = value.caption.replace(/ table$/, '');
    const headings = value.headings as string[];
    const rows = new Map<string, Row>();
    for (const data of value.data as unknown[][]) {
      const row: Row = {};
      headings.forEach((heading, i) => (row[heading] = data[i]));
      rows.set(uuidOf(row._uuid), row);
    }
    tables.set(name, rows);
  }
  return tables;
}

/** Concatenated JSON values (whitespace between them), each with its position for errors. */
function* jsonSequence(text: string, source: string): Generator<{ value: unknown; line: number; column: number }> {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  // Positions are kept as the scan goes, never recounted from the start.
  const advance = (to: number) => {
    for (let k = i; k < to; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
    i = to;
  };
  while (i < text.length) {
    let start = i;
    while (start < text.length && /\s/.test(text[start] as string)) start++;
    advance(start);
    if (i >= text.length) return;
    const column = i - lineStart + 1;
    const end = endOfJsonValue(text, i);
    if (end < 0) throw new ParseError('an OVSDB dump', line, column, 'a JSON value is never closed (truncated?)', source);
    let value: unknown;
    try {
      value = JSON.parse(text.slice(i, end));
    } catch (error) {
      throw new ParseError('an OVSDB dump', line, column, `not JSON: ${(error as Error).message}`, source);
    }
    yield { value, line, column };
    advance(end);
  }
}

/** End (exclusive) of the JSON value starting at `start` (an object or array: to its closing bracket), or -1. */
function endOfJsonValue(text: string, start: number): number {
  if (text[start] !== '{' && text[start] !== '[') {
    const stop = text.slice(start).search(/\s/);
    return stop < 0 ? text.length : start + stop;
  }
  const close = findClosing(text, start);
  return close < 0 ? -1 : close + 1;
}

// ---- OVSDB JSON values ----------------------------------------------------------------

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** ["set", [...]] / ["map", [[k, v], ...]] / ["uuid", u]; a set or map whose body is not a list is broken input. */
function isTagged(value: unknown, tag: string): value is [string, unknown] {
  if (!Array.isArray(value) || value.length !== 2 || value[0] !== tag) return false;
  const body = value[1];
  const wellFormed =
    tag === 'set'
      ? Array.isArray(body)
      : tag === 'map'
        ? Array.isArray(body) && body.every((pair) => Array.isArray(pair) && pair.length === 2)
        : true;
  if (!wellFormed) throw new ParseError('an OVSDB dump', 1, 1, `a malformed ${tag} value: ${JSON.stringify(value).slice(0, 80)}`);
  return true;
}

/** Elements of a set-valued column (a bare atom is a one-element set). */
function setOf(value: unknown): unknown[] {
  if (isTagged(value, 'set')) return value[1] as unknown[];
  if (value === undefined) return [];
  return [value];
}

function isEmptySet(value: unknown): boolean {
  return isTagged(value, 'set') && (value[1] as unknown[]).length === 0;
}

/** The atom of an optional (0-or-1 set) column, or undefined. */
function atomOf(value: unknown): unknown {
  const elements = setOf(value);
  return elements.length === 0 ? undefined : elements[0];
}

function uuidOf(value: unknown): string {
  return isTagged(value, 'uuid') ? String(value[1]) : String(value);
}

function uuids(value: unknown): string[] {
  return setOf(value).map(uuidOf);
}

function str(value: unknown): string {
  const atom = atomOf(value);
  return atom === undefined ? '' : String(atom);
}

function stringMap(value: unknown): Record<string, string> {
  if (!isTagged(value, 'map')) return {};
  return Object.fromEntries((value[1] as [unknown, unknown][]).map(([k, v]) => [String(k), String(isTagged(v, 'uuid') ? v[1] : v)]));
}

function numberMap(value: unknown): Record<string, number> {
  if (!isTagged(value, 'map')) return {};
  return Object.fromEntries((value[1] as [unknown, unknown][]).map(([k, v]) => [String(k), Number(v)]));
}

function optionalNumber<K extends string>(key: K, value: unknown): { [P in K]?: number } {
  const atom = atomOf(value);
  return (typeof atom === 'number' ? { [key]: atom } : {}) as { [P in K]?: number };
}

function optionalString<K extends string>(key: K, value: unknown): { [P in K]?: string } {
  const atom = atomOf(value);
  return (typeof atom === 'string' ? { [key]: atom } : {}) as { [P in K]?: string };
}

/** Port number → port name, for one bridge (to read flows that print numbers). */
export function portMapOf(bridge: OvsBridge): Map<number, string> {
  const map = new Map<number, string>();
  for (const port of bridge.ports) {
    for (const iface of port.interfaces) if (iface.ofport !== undefined && iface.ofport >= 0) map.set(iface.ofport, iface.name);
  }
  return map;
}
