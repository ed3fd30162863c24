import { findClosing, splitTopLevel, unquote } from '../scan';
import type { Action, FieldRef, LearnSpec } from './types';

/**
 * OpenFlow actions as OVS prints them, in either driver's spelling (`mod_vlan_vid:1` or
 * `set_field:4097->vlan_vid`, `resubmit(,10)` or `goto_table:10`), nested ones included
 * (`learn(...)`, `clone(...)`). Anything well-formed we do not model is kept verbatim.
 * Offsets in ScanErrors are relative to the actions text.
 */
export function parseActions(text: string, offset = 0): Action[] {
  return splitTopLevel(text).map((piece) => parseAction(piece.text, offset + piece.offset));
}

const BARE: Record<string, Action['type']> = {
  normal: 'normal',
  drop: 'drop',
  flood: 'flood',
  all: 'all',
  local: 'local',
  in_port: 'in_port',
  strip_vlan: 'strip_vlan',
  pop_vlan: 'pop_vlan',
  pop_queue: 'pop_queue',
  exit: 'exit',
  dec_ttl: 'dec_ttl',
};

const MODIFY = new Set([
  'mod_dl_src',
  'mod_dl_dst',
  'mod_nw_src',
  'mod_nw_dst',
  'mod_tp_src',
  'mod_tp_dst',
  'mod_nw_tos',
  'mod_nw_ecn',
  'mod_nw_ttl',
]);

function parseAction(text: string, offset: number): Action {
  let nameEnd = 0;
  while (nameEnd < text.length && isNameChar(text.charCodeAt(nameEnd), nameEnd === 0)) nameEnd++;
  if (nameEnd === 0) return { type: 'unknown', name: '', argument: text, text };
  const name = text.slice(0, nameEnd);
  const lower = name.toLowerCase();
  const rest = text.slice(nameEnd);

  if (rest === '') {
    const bare = BARE[lower];
    if (bare) return { type: bare, text } as Action;
    if (lower === 'controller') return { type: 'controller', args: [], text };
    // A bare port name or number is an output (`actions=1` is output:1 in ovs-ofctl syntax).
    return { type: 'unknown', name, text };
  }

  if (rest.startsWith('(')) {
    const close = findClosing(text, nameEnd);
    if (close !== text.length - 1) return { type: 'unknown', name, argument: rest, text };
    const inner = text.slice(nameEnd + 1, -1);
    const innerOffset = offset + nameEnd + 1;
    switch (lower) {
      case 'resubmit':
        return resubmit(inner, text);
      case 'learn':
        return { type: 'learn', specs: splitTopLevel(inner).map((p) => learnSpec(p.text)), text };
      case 'ct':
        return { type: 'ct', args: splitTopLevel(inner).map((p) => p.text), text };
      case 'controller':
        return { type: 'controller', args: splitTopLevel(inner).map((p) => p.text), text };
      case 'conjunction':
        return { type: 'conjunction', args: splitTopLevel(inner).map((p) => p.text), text };
      case 'clone':
        return { type: 'clone', actions: parseActions(inner, innerOffset), text };
      case 'output': {
        const port = splitTopLevel(inner)
          .map((p) => p.text)
          .find((p) => p.startsWith('port='));
        return port ? { type: 'output', port: portOrField(port.slice(5)), text } : { type: 'unknown', name, argument: rest, text };
      }
      default:
        return { type: 'unknown', name, argument: rest, text };
    }
  }

  if (rest.startsWith(':')) {
    const argument = rest.slice(1).trim();
    switch (lower) {
      case 'output':
        return { type: 'output', port: portOrField(argument), text };
      case 'resubmit':
        return { type: 'resubmit', port: unquote(argument), text };
      case 'goto_table':
        return numeric(argument) === undefined ? unknown() : { type: 'goto_table', table: numeric(argument) as number, text };
      case 'mod_vlan_vid':
        return numeric(argument) === undefined ? unknown() : { type: 'mod_vlan_vid', vid: numeric(argument) as number, text };
      case 'mod_vlan_pcp':
        return numeric(argument) === undefined ? unknown() : { type: 'mod_vlan_pcp', pcp: numeric(argument) as number, text };
      case 'push_vlan':
        return { type: 'push_vlan', ethertype: argument, text };
      case 'set_tunnel':
      case 'set_tunnel64':
        return { type: 'set_tunnel', id: argument, text };
      case 'set_field':
      case 'load': {
        const [value, field] = splitArrow(argument);
        if (value === undefined || field === undefined) return unknown();
        return { type: lower, value, field: fieldRef(field), text };
      }
      case 'move': {
        const [source, destination] = splitArrow(argument);
        if (source === undefined || destination === undefined) return unknown();
        return { type: 'move', source: fieldRef(source), destination: fieldRef(destination), text };
      }
      case 'enqueue': {
        const [port, queue] = argument.split(':');
        return port && queue ? { type: 'enqueue', port: unquote(port), queue, text } : unknown();
      }
      case 'set_queue':
        return { type: 'set_queue', queue: argument, text };
      case 'note':
        return { type: 'note', data: argument, text };
      case 'controller':
        return { type: 'controller', args: [`max_len=${argument}`], text };
      default:
        if (MODIFY.has(lower)) return { type: 'modify', field: lower.slice(4), value: argument, text };
        return unknown();
    }
  }
  return unknown();

  function unknown(): Action {
    return { type: 'unknown', name, argument: rest, text };
  }
}

/** Letters and "_", and digits after the first character. */
function isNameChar(code: number, first: boolean): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || (!first && code >= 48 && code <= 57);
}

function resubmit(inner: string, text: string): Action {
  const comma = inner.indexOf(',');
  const port = (comma < 0 ? inner : inner.slice(0, comma)).trim();
  const table = comma < 0 ? undefined : inner.slice(comma + 1).trim();
  const tableNumber = table === undefined || table === '' ? undefined : numeric(table);
  return {
    type: 'resubmit',
    ...(port !== '' ? { port: unquote(port) } : {}),
    ...(tableNumber !== undefined ? { table: tableNumber } : {}),
    text,
  };
}

const LEARN_PARAMS = new Set([
  'table',
  'priority',
  'idle_timeout',
  'hard_timeout',
  'fin_idle_timeout',
  'fin_hard_timeout',
  'cookie',
  'send_flow_rem',
  'delete_learned',
  'limit',
  'result_dst',
  'importance',
]);

function learnSpec(text: string): LearnSpec {
  if (text.startsWith('load:')) {
    const [value, field] = splitArrow(text.slice(5));
    if (value !== undefined && field !== undefined) return { kind: 'load', value: valueOrField(value), field: fieldRef(field), text };
  }
  if (text.startsWith('output:')) return { kind: 'output', port: valueOrField(text.slice(7)), text };
  const equals = topLevelEquals(text);
  if (equals < 0) {
    if (LEARN_PARAMS.has(text)) return { kind: 'param', name: text, value: '', text };
    return { kind: 'match', field: fieldRef(text), text };
  }
  const left = text.slice(0, equals).trim();
  const right = text.slice(equals + 1).trim();
  if (LEARN_PARAMS.has(left)) return { kind: 'param', name: left, value: right, text };
  return { kind: 'match', field: fieldRef(left), source: valueOrField(right), text };
}

/** `=` outside brackets (field refs contain none, but be safe). */
function topLevelEquals(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === '=' && depth === 0) return i;
  }
  return -1;
}

/** `value->field`, split at the last top-level arrow. */
function splitArrow(text: string): [string | undefined, string | undefined] {
  const at = text.lastIndexOf('->');
  if (at < 0) return [undefined, undefined];
  return [text.slice(0, at).trim(), text.slice(at + 2).trim()];
}

/** `NXM_OF_VLAN_TCI[0..11]`, `NXM_NX_REG0[5]`, `NXM_NX_TUN_ID[]`, `vlan_vid`. */
export function fieldRef(text: string): FieldRef {
  const match = /^([A-Za-z0-9_]+)\[(?:(\d+)(?:\.\.(\d+))?)?\]$/.exec(text.trim());
  if (!match) return { field: text.trim() };
  const [, field = '', start, end] = match;
  if (start === undefined) return { field };
  return { field, start: Number(start), end: Number(end ?? start) };
}

function valueOrField(text: string): FieldRef | string {
  return /\[[\d.]*\]$/.test(text) ? fieldRef(text) : text;
}

function portOrField(text: string): string | FieldRef {
  return /\[[\d.]*\]$/.test(text) ? fieldRef(text) : unquote(text);
}

function numeric(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text, 16);
  if (/^\d+$/.test(text)) return Number(text);
  return undefined;
}
