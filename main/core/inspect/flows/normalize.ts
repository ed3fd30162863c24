import { canonicalField, SHORTHANDS } from './fields';
import type { Action, FieldRef, Flow, LearnSpec, MatchField } from './types';

/**
 * The meaning of a flow, independent of how it was spelled: so that a check can ask "is there
 * a flow in table 21 that pops the VLAN, sets tunnel 0x1 and outputs to the GRE port" and accept
 * `strip_vlan,set_tunnel:0x1,output:2` from the book's ofctl driver as well as
 * `pop_vlan,set_field:0x1->tun_id,output:"gre-1"` from the native OpenFlow 1.3 driver.
 *
 *   resubmit(,N) ≈ goto_table:N        strip_vlan ≈ pop_vlan ≈ load:0->NXM_OF_VLAN_TCI[]
 *   mod_vlan_vid:1 ≈ set_field:4097->vlan_vid       set_tunnel:0x1 ≈ set_field:0x1->tun_id
 *   output:2 ≈ output:"gre-1" (through the bridge's port map)     dl_dst ≈ eth_dst ≈ NXM_OF_ETH_DST
 */

/** OpenFlow port number → port name, for one bridge. */
export type PortMap = ReadonlyMap<number, string>;

export type NormalAction =
  | { op: 'output'; port: string }
  | { op: 'normal' | 'drop' | 'flood' | 'all' | 'local' | 'in_port' | 'pop_vlan' | 'controller' | 'exit' }
  | { op: 'goto'; table: number }
  | { op: 'resubmit'; port: string; table?: number }
  | { op: 'push_vlan'; ethertype: string }
  | { op: 'set_vlan'; vid: number }
  | { op: 'set'; field: string; value: string }
  | { op: 'move'; from: string; to: string }
  | { op: 'learn'; specs: string[] }
  | { op: 'other'; text: string };

export interface NormalFlow {
  table: number | string;
  priority: number;
  /** Canonical field → canonical value (`value/mask` when masked). */
  match: Map<string, string>;
  actions: NormalAction[];
}

export function normalizeFlow(flow: Flow, ports: PortMap = new Map()): NormalFlow {
  return {
    table: flow.table,
    priority: flow.priority,
    match: normalizeMatch(flow.match, ports),
    actions: normalizeActions(flow.actions, ports),
  };
}

// ---- match ------------------------------------------------------------------------------

export function normalizeMatch(fields: readonly MatchField[], ports: PortMap = new Map()): Map<string, string> {
  const match = new Map<string, string>();
  for (const field of fields) {
    const implied = SHORTHANDS[field.name];
    if (implied && field.value === undefined) {
      for (const [name, value] of Object.entries(implied)) match.set(name, canonicalValue(name, value));
      continue;
    }
    const name = canonicalField(field.name);
    if (field.value === undefined) {
      match.set(name, '');
      continue;
    }
    if (name === 'dl_vlan') {
      // dl_vlan=N is vlan_tci=0x1000|N with mask 0x1fff (OVS prints it so when it can);
      // dl_vlan=0xffff is OpenFlow 1.0's "no 802.1Q header" (a flat network's untagged frames).
      const vid = toBigInt(field.value);
      if (vid !== undefined) {
        match.set('vlan_tci', vid === 0xffffn ? UNTAGGED : `${(vid | 0x1000n).toString()}/${0x1fffn.toString()}`);
        continue;
      }
    }
    if (name === 'vlan_vid' || name === 'vlan_tci') {
      const value = toBigInt(field.value);
      const mask = field.mask === undefined ? (name === 'vlan_vid' ? 0x1fffn : 0xffffn) : toBigInt(field.mask);
      if (value !== undefined && mask !== undefined) {
        match.set('vlan_tci', untagged(value, mask) ? UNTAGGED : `${value.toString()}/${mask.toString()}`);
        continue;
      }
    }
    if (name === 'in_port') {
      match.set(name, portName(field.value, ports));
      continue;
    }
    const value = canonicalValue(name, field.value);
    match.set(name, field.mask === undefined ? value : `${value}/${canonicalMask(name, field.mask)}`);
  }
  return match;
}

/**
 * No 802.1Q header, however it is spelled: dl_vlan=0xffff, vlan_tci=0x0000 (OVS's print of it),
 * vlan_tci=0/0x1fff, vlan_vid=0. Without a tag the whole TCI is zero, so every match of a zero TCI
 * whose mask holds the tag-present bit (0x1000) means the same: untagged frames.
 */
const UNTAGGED = `0/${0x1000n.toString()}`;
const untagged = (value: bigint, mask: bigint) => value === 0n && (mask & 0x1000n) !== 0n;

/** True when every field of `wanted` is in `actual` with the same meaning. */
export function matchIncludes(actual: ReadonlyMap<string, string>, wanted: ReadonlyMap<string, string>): boolean {
  for (const [name, value] of wanted) if (actual.get(name) !== value) return false;
  return true;
}

// ---- actions ----------------------------------------------------------------------------

export function normalizeActions(actions: readonly Action[], ports: PortMap = new Map()): NormalAction[] {
  const out: NormalAction[] = [];
  for (const action of actions) out.push(...normalizeAction(action, ports));
  // `actions=drop` prints an empty list: both mean "no actions".
  return out.filter((a) => a.op !== 'drop');
}

function normalizeAction(action: Action, ports: PortMap): NormalAction[] {
  switch (action.type) {
    case 'output':
      return [{ op: 'output', port: typeof action.port === 'string' ? portName(action.port, ports) : refText(action.port) }];
    case 'normal':
    case 'drop':
    case 'flood':
    case 'all':
    case 'local':
    case 'in_port':
    case 'exit':
      return [{ op: action.type }];
    case 'controller':
      return [{ op: 'controller' }];
    case 'strip_vlan':
    case 'pop_vlan':
      return [{ op: 'pop_vlan' }];
    case 'resubmit':
      if (action.port === undefined && action.table !== undefined) return [{ op: 'goto', table: action.table }];
      return [
        {
          op: 'resubmit',
          port: action.port === undefined ? 'in_port' : portName(action.port, ports),
          ...(action.table === undefined ? {} : { table: action.table }),
        },
      ];
    case 'goto_table':
      return [{ op: 'goto', table: action.table }];
    case 'push_vlan':
      return [{ op: 'push_vlan', ethertype: canonicalValue('dl_type', action.ethertype) }];
    case 'mod_vlan_vid':
      return [{ op: 'set_vlan', vid: action.vid }];
    case 'set_tunnel':
      return [{ op: 'set', field: 'tun_id', value: canonicalValue('tun_id', action.id) }];
    case 'set_field':
    case 'load':
      return setField(action.field, action.value);
    case 'modify':
      return [{ op: 'set', field: canonicalField(action.field), value: canonicalValue(action.field, action.value) }];
    case 'move':
      return [{ op: 'move', from: refText(action.source), to: refText(action.destination) }];
    case 'learn':
      return [{ op: 'learn', specs: action.specs.map(learnSpecText) }];
    default:
      return [{ op: 'other', text: action.text.replace(/\s+/g, '') }];
  }
}

/** set_field / load, with the VLAN spellings folded onto set_vlan and pop_vlan. */
function setField(target: FieldRef, value: string): NormalAction[] {
  const field = canonicalField(target.field);
  const number = toBigInt(value);
  const whole = target.start === undefined;
  if (field === 'vlan_vid' && number !== undefined) return [{ op: 'set_vlan', vid: Number(number & 0xfffn) }];
  if (field === 'vlan_tci' && number !== undefined) {
    if (whole) return number === 0n ? [{ op: 'pop_vlan' }] : [{ op: 'set_vlan', vid: Number(number & 0xfffn) }];
    if (target.start === 0 && target.end === 11) return [{ op: 'set_vlan', vid: Number(number) }];
  }
  const bits = whole ? '' : `[${target.start}..${target.end}]`;
  return [{ op: 'set', field: `${field}${bits}`, value: canonicalValue(field, value) }];
}

function learnSpecText(spec: LearnSpec): string {
  const side = (value: FieldRef | string) => (typeof value === 'string' ? canonicalValue('', value) : refText(value));
  switch (spec.kind) {
    case 'param':
      return `${spec.name}=${spec.value}`;
    case 'match':
      return spec.source === undefined ? refText(spec.field) : `${refText(spec.field)}=${side(spec.source)}`;
    case 'load':
      return `load:${side(spec.value)}->${refText(spec.field)}`;
    case 'output':
      return `output:${side(spec.port)}`;
  }
}

/** `NXM_OF_VLAN_TCI[0..11]` → `vlan_tci[0..11]`; a whole field loses its empty brackets. */
export function refText(ref: FieldRef): string {
  const field = canonicalField(ref.field);
  return ref.start === undefined ? field : `${field}[${ref.start}..${ref.end}]`;
}

// ---- values -----------------------------------------------------------------------------

function portName(port: string, ports: PortMap): string {
  if (/^\d+$/.test(port)) return ports.get(Number(port)) ?? port;
  return port;
}

export function toBigInt(text: string): bigint | undefined {
  const trimmed = text.trim();
  if (/^0x[0-9a-f]+$/i.test(trimmed) || /^\d+$/.test(trimmed)) return BigInt(trimmed);
  return undefined;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** One spelling per value: numbers in decimal, MACs in lower case, IPv4 masks as prefix lengths. */
export function canonicalValue(_field: string, value: string): string {
  const text = value.trim();
  if (MAC.test(text)) return text.toLowerCase();
  const number = toBigInt(text);
  if (number !== undefined) return number.toString();
  return text;
}

function canonicalMask(field: string, mask: string): string {
  const dotted = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(mask);
  if (dotted) {
    const bits = dotted
      .slice(1)
      .map(Number)
      .reduce((acc, octet) => acc * 256 + octet, 0);
    const prefix = 32 - Math.log2((~bits >>> 0) + 1);
    if (Number.isInteger(prefix)) return String(prefix);
  }
  return canonicalValue(field, mask);
}

/** A readable one-line form of normalised actions, for "expected … found …" messages. */
export function describeActions(actions: readonly NormalAction[]): string {
  if (actions.length === 0) return 'drop';
  return actions
    .map((a) => {
      switch (a.op) {
        case 'output':
          return `output:${a.port}`;
        case 'goto':
          return `goto_table:${a.table}`;
        case 'resubmit':
          return `resubmit(${a.port},${a.table ?? ''})`;
        case 'push_vlan':
          return `push_vlan:${a.ethertype}`;
        case 'set_vlan':
          return `set_vlan:${a.vid}`;
        case 'set':
          return `set:${a.value}->${a.field}`;
        case 'move':
          return `move:${a.from}->${a.to}`;
        case 'learn':
          return `learn(${a.specs.join(',')})`;
        case 'other':
          return a.text;
        default:
          return a.op;
      }
    })
    .join(',');
}
