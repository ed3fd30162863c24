import { ParseError } from '../parse-error';
import { isSpace, ScanError, unquote } from '../scan';
import { parseActions } from './actions';
import { KNOWN_MATCH_FIELDS } from './fields';
import type { Action, Flow, FlowDump, MatchField } from './types';

/**
 * Reads `ovs-ofctl dump-flows` output: OpenFlow 1.0 and 1.3 forms, with or without
 * `--no-stats` and `--names`, and dumps copied from a book or a wrapped terminal, where one flow
 * runs over several lines. Header and prompt lines are skipped. Input it cannot read is a
 * ParseError naming the line and column; pieces it does not model are kept verbatim.
 */
export function parseFlowDump(text: string, source = '<input>', options: { tolerant?: boolean } = {}): FlowDump {
  const dump: FlowDump = { flows: [] };
  // A \r before the \n is trimmed with the other trailing white space below.
  const lines = text.split('\n');
  let pending: Joined | undefined;
  // Flows repeat action lists (every learned flow of a network has the same): read each once.
  // Flows of one dump share those action objects, which are never changed after parsing.
  const actionsSeen = new Map<string, Action[]>();

  const finish = () => {
    if (!pending) return;
    try {
      dump.flows.push(parseJoinedFlow(pending, source, actionsSeen));
    } catch (error) {
      // Tolerant readers (a paste box) keep every flow they can and list the others.
      if (!options.tolerant || !(error instanceof ParseError)) throw error;
      (dump.errors ??= []).push(error);
    }
    pending = undefined;
  };

  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] as string;
    let indent = 0;
    while (indent < raw.length && isSpace(raw.charCodeAt(indent))) indent++;
    let end = raw.length;
    while (end > indent && isSpace(raw.charCodeAt(end - 1))) end--;
    const trimmed = indent === 0 && end === raw.length ? raw : raw.slice(indent, end);
    if (trimmed === '') {
      finish();
      continue;
    }
    const first = trimmed.charCodeAt(0);
    const header = first === 78 /* N */ || first === 79 /* O */ ? /^(?:NXST|OFPST)_FLOW reply(?: \(([^)]+)\))?/.exec(trimmed) : null;
    if (header) {
      finish();
      if (header[1] && !header[1].startsWith('xid')) dump.protocol = header[1];
      continue;
    }
    // Shell prompts and comments around a pasted dump: "# ovs-ofctl dump-flows br-tun", "$ sudo …".
    if (first === 35 /* # */ || first === 36 /* $ */) {
      finish();
      continue;
    }
    const segment = { start: 0, line: index + 1, indent };
    if (startsFlow(raw, trimmed, pending)) {
      finish();
      pending = { text: trimmed, segments: [segment] };
    } else if (pending) {
      joinWrapped(pending, trimmed, segment);
    } else {
      const error = new ParseError('a flow dump', index + 1, indent + 1, `"${clip(trimmed)}" is not a flow`, source);
      if (!options.tolerant) throw error;
      (dump.errors ??= []).push(error);
    }
  }
  finish();
  return dump;
}

/** A flow's text with its physical lines joined, and where each line's text begins in it. */
interface Joined {
  text: string;
  segments: { start: number; line: number; indent: number }[];
  repairs?: string[];
}

/**
 * Appends a wrapped line. Terminals and books break flows mid-token, so the break usually
 * stands for nothing; but where the next line opens with a key (`actions=…`) the break stood
 * for a space, and PDF copies sometimes repeat the `-` of an arrow (`load:0-` / `->…`).
 */
function joinWrapped(joined: Joined, next: string, segment: Joined['segments'][number]): void {
  let text = next;
  const key = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(text)?.[1];
  const startsKey = key !== undefined && (key === 'actions' || ATTRIBUTE_SET.has(key) || KNOWN_MATCH_FIELDS.has(key));
  if (startsKey && !/[\s,(]$/.test(joined.text)) {
    joined.text += ' ';
  } else if (joined.text.endsWith('-') && text.startsWith('->')) {
    text = text.slice(1);
    (joined.repairs ??= []).push(`a "-" repeated across line ${segment.line - 1} and ${segment.line}`);
  }
  joined.segments.push({ ...segment, start: joined.text.length });
  joined.text += text;
}

/**
 * Does this line begin a new flow? With statistics every flow begins with `cookie=`; without
 * them (`--no-stats`) OVS indents every flow by one space, while lines wrapped by a book or a
 * terminal start at the margin and continue the flow before them.
 */
function startsFlow(raw: string, trimmed: string, pending: { text: string } | undefined): boolean {
  if (trimmed.startsWith('cookie=')) return true;
  if (!pending) return true;
  if (pending.text.startsWith('cookie=')) return false;
  return raw !== trimmed && /\bactions=/.test(pending.text);
}

/** Flow attributes OVS prints before the match, in this order. */
const ATTRIBUTES = [
  'cookie',
  'duration',
  'table',
  'n_packets',
  'n_bytes',
  'idle_timeout',
  'hard_timeout',
  'idle_age',
  'hard_age',
  'importance',
  'priority',
] as const;
type Attribute = (typeof ATTRIBUTES)[number];
const ATTRIBUTE_SET = new Set<string>(ATTRIBUTES);
const FLAGS = new Set(['send_flow_rem', 'check_overlap', 'reset_counts', 'no_packet_counts', 'no_byte_counts']);

function parseJoinedFlow(joined: Joined, source: string, actionsSeen: Map<string, Action[]>): Flow {
  const { text } = joined;
  const line = joined.segments[0]?.line ?? 1;
  const fail = (offset: number, message: string): never => failAt(joined, offset, message, source);
  const actionsAt = findActions(text);
  if (actionsAt < 0) fail(text.length, `no "actions=" (the flow "${clip(text)}" looks truncated)`);

  // Every field present from the start: one object shape for all flows keeps this loop fast.
  const flow: Flow = {
    cookie: undefined,
    duration: undefined,
    table: 0,
    priority: 32768,
    packets: undefined,
    bytes: undefined,
    idleTimeout: undefined,
    hardTimeout: undefined,
    idleAge: undefined,
    hardAge: undefined,
    importance: undefined,
    flags: [],
    match: [],
    actions: [],
    text,
    line,
    repairs: undefined,
  };
  if (joined.repairs) flow.repairs = [...joined.repairs];
  // The head (attributes and match) holds no brackets: tokens end at commas and whitespace,
  // except inside the quotes of --names output. Scanned inline: this is the hot path.
  let inMatch = false;
  let i = 0;
  while (i < actionsAt) {
    let c = text.charCodeAt(i);
    if (c === 44 || isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    let equals = -1;
    let quoted = false;
    for (; i < actionsAt; i++) {
      c = text.charCodeAt(i);
      if (c === 34) quoted = !quoted;
      else if (!quoted && (c === 44 || isSpace(c))) break;
      else if (c === 61 && equals < 0 && !quoted) equals = i;
    }
    if (quoted) fail(start, 'a quote is never closed');
    const key = equals < 0 ? text.slice(start, i) : text.slice(start, equals);
    const value = equals < 0 ? undefined : text.slice(equals + 1, i);
    if (!inMatch && value === undefined && FLAGS.has(key)) {
      flow.flags.push(key);
      continue;
    }
    const attribute = !inMatch || key === 'priority' ? attributeKey(key, flow) : undefined;
    if (attribute && value !== undefined) {
      if (!setAttribute(flow, attribute, value)) fail(equals + 1, `"${clip(value)}" is not a valid ${attribute}`);
      if (attribute === 'priority') inMatch = true;
      continue;
    }
    inMatch = true;
    flow.match.push(matchField(matchKey(key, flow), value));
  }

  const actionsText = text.slice(actionsAt + 'actions='.length);
  if (actionsText.trim() === '') fail(text.length, 'the actions are empty (truncated?)');
  try {
    let actions = actionsSeen.get(actionsText);
    if (!actions) actionsSeen.set(actionsText, (actions = parseActions(actionsText, actionsAt + 'actions='.length)));
    flow.actions = actions;
  } catch (error) {
    if (error instanceof ScanError) fail(actionsAt + 'actions='.length + error.offset, error.message);
    throw error;
  }
  return flow;
}

/** Throws for the physical line and column an offset of a joined flow falls on. */
function failAt(joined: Joined, offset: number, message: string, source: string): never {
  const at = joined.segments.findLast((s) => s.start <= offset) ?? joined.segments[0] ?? { start: 0, line: 1, indent: 0 };
  throw new ParseError('a flow', at.line, offset - at.start + at.indent + 1, message, source);
}

/** Offset of `actions=` where it starts a word (it never occurs inside a match). */
function findActions(text: string): number {
  let at = text.indexOf('actions=');
  while (at > 0 && !/[\s,]/.test(text[at - 1] as string)) at = text.indexOf('actions=', at + 1);
  return at;
}

/**
 * The attribute a key names — exactly, or despite one misprinted character (books and PDFs
 * turn `n_bytes=` into `n_byts=` at line breaks). Repairs are recorded on the flow.
 */
function attributeKey(key: string, flow: Flow): Attribute | undefined {
  if (ATTRIBUTE_SET.has(key)) return key as Attribute;
  if (key.length < 5) return undefined;
  const near = ATTRIBUTES.filter((attribute) => editDistanceAtMostOne(key, attribute));
  if (near.length !== 1) return undefined;
  (flow.repairs ??= []).push(`${key} read as ${near[0]}`);
  return near[0];
}

function setAttribute(flow: Flow, attribute: Attribute, value: string): boolean {
  if (attribute === 'cookie') {
    flow.cookie = value;
    return /^0x[0-9a-f]+(\/0x[0-9a-f]+)?$/i.test(value) || /^\d+$/.test(value);
  }
  if (attribute === 'table') {
    flow.table = /^\d+$/.test(value) ? Number(value) : unquote(value);
    return value !== '';
  }
  let number = Number(attribute === 'duration' ? value.replace(/s$/, '') : value);
  if (!Number.isFinite(number) || value === '') {
    // A counter whose text a copy mangled ("n_bytes=s=101338"): its digits still tell the count.
    const digits = /(\d+(?:\.\d+)?)s?$/.exec(value)?.[1];
    if (digits === undefined || attribute === 'priority') return false;
    number = Number(digits);
    (flow.repairs ??= []).push(`${attribute} "${value}" read as ${digits}`);
  }
  switch (attribute) {
    case 'duration':
      flow.duration = number;
      break;
    case 'n_packets':
      flow.packets = number;
      break;
    case 'n_bytes':
      flow.bytes = number;
      break;
    case 'idle_timeout':
      flow.idleTimeout = number;
      break;
    case 'hard_timeout':
      flow.hardTimeout = number;
      break;
    case 'idle_age':
      flow.idleAge = number;
      break;
    case 'hard_age':
      flow.hardAge = number;
      break;
    case 'importance':
      flow.importance = number;
      break;
    case 'priority':
      flow.priority = number;
      break;
  }
  return true;
}

/** A match key as printed — or the field it surely means despite one misprinted character (`d1_dst`). */
function matchKey(key: string, flow: Flow): string {
  if (KNOWN_MATCH_FIELDS.has(key) || /^(tun_metadata|x*reg)\d+$/.test(key) || key.length < 5) return key;
  const near = [...KNOWN_MATCH_FIELDS].filter((known) => editDistanceAtMostOne(key, known));
  if (near.length !== 1) return key;
  (flow.repairs ??= []).push(`${key} read as ${near[0]}`);
  return near[0] as string;
}

function matchField(key: string, value: string | undefined): MatchField {
  if (value === undefined) return { name: key };
  const unquoted = unquote(value);
  const slash = unquoted.indexOf('/');
  if (slash < 0) return { name: key, value: unquoted };
  return { name: key, value: unquoted.slice(0, slash), mask: unquoted.slice(slash + 1) };
}

/** True when a and b differ by at most one insertion, deletion, substitution or swap. */
export function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
