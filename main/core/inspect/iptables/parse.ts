import { ParseError } from '../parse-error';
import type { IptablesChain, IptablesRule, IptablesState, IptablesTable, RuleOption } from './types';

/**
 * Reads `iptables-save` (with or without `-c`) and `iptables -S` output — every table, chain
 * policies and counters, user chains, rules with counters — splitting each rule into its generic
 * options, its `-m` matches and its target with options. Negations (`!`) stay with their option.
 * Lines a book or terminal wrapped are joined.
 */

export const BUILTIN_CHAINS: Record<string, readonly string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** Options that take no value. */
const FLAGS = new Set([
  '-f',
  '--fragment',
  '--physdev-is-bridged',
  '--physdev-is-in',
  '--physdev-is-out',
  '--syn',
  '--rcheck',
  '--update',
  '--set',
  '--remove',
  '--notrack',
  '--random',
  '--random-fully',
  '--persistent',
  '--log-tcp-sequence',
  '--log-tcp-options',
  '--log-ip-options',
  '--log-uid',
  '--ctdir',
  '--helper-none',
  '--return-nomatch',
  '--no-trim',
]);

/** Options whose value is two words: `--match-set NAME src,dst`, `--tcp-flags MASK COMP`. */
const TWO_VALUES = new Set(['--match-set', '--tcp-flags', '--set-mark-pair']);

const GENERIC: Record<string, string> = {
  '-s': '-s',
  '--source': '-s',
  '--src': '-s',
  '-d': '-d',
  '--destination': '-d',
  '--dst': '-d',
  '-i': '-i',
  '--in-interface': '-i',
  '-o': '-o',
  '--out-interface': '-o',
  '-p': '-p',
  '--protocol': '-p',
  '-f': '-f',
  '--fragment': '-f',
};

export interface IptablesParseOptions {
  /** Table for `iptables -S` output, which names none (default: filter, or the `-t` of a pasted prompt). */
  table?: string;
}

export function parseIptables(text: string, source = '<input>', options: IptablesParseOptions = {}): IptablesState {
  const state: IptablesState = { tables: [] };
  let table: IptablesTable | undefined;
  let defaultTable = options.table ?? 'filter';
  const tableNamed = (name: string) => {
    let found = state.tables.find((t) => t.name === name);
    if (!found) state.tables.push((found = { name, chains: [] }));
    return found;
  };
  const currentTable = () => (table ??= tableNamed(defaultTable));
  // Chains by table and name: a rule line must not search every chain of a table.
  const chainIndex = new Map<IptablesTable, Map<string, IptablesChain>>();
  const chainNamed = (t: IptablesTable, name: string): IptablesChain => {
    let index = chainIndex.get(t);
    if (!index) chainIndex.set(t, (index = new Map()));
    let chain = index.get(name);
    if (!chain) {
      chain = { name, rules: [] };
      if (BUILTIN_CHAINS[t.name]?.includes(name)) chain.policy = 'ACCEPT';
      t.chains.push(chain);
      index.set(name, chain);
    }
    return chain;
  };

  for (const { text: line, number, column } of logicalLines(text)) {
    const fail = (offset: number, message: string): never => {
      throw new ParseError('iptables rules', number, column + offset, message, source);
    };
    const first = line[0];
    if (first === '#' || first === '$') {
      // A pasted prompt may say which table the rules below belong to: "… iptables -t nat -S".
      const named = /(?:^|\s)-t\s+(\w+)/.exec(line)?.[1];
      if (named && /\biptables\b/.test(line)) {
        defaultTable = named;
        table = undefined;
      }
      continue;
    }
    if (first === '*') {
      table = tableNamed(line.slice(1).trim());
      continue;
    }
    if (line === 'COMMIT') {
      table = undefined;
      continue;
    }
    if (first === ':') {
      // :CHAIN POLICY [packets:bytes]
      const m =
        /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?\s*$/.exec(line) ??
        fail(0, `"${line}" is not a chain declaration (:CHAIN POLICY [packets:bytes])`);
      const chain = chainNamed(currentTable(), m[1] as string);
      if (m[2] !== '-') chain.policy = m[2];
      else delete chain.policy;
      if (m[3] !== undefined) {
        chain.packets = Number(m[3]);
        chain.bytes = Number(m[4]);
      }
      continue;
    }

    let words: Word[];
    try {
      words = shellWords(line);
    } catch (error) {
      if (error instanceof WordError) fail(error.offset, error.message);
      throw error;
    }
    let counters: { packets: number; bytes: number } | undefined;
    const counterWord = words[0]?.text.match(/^\[(\d+):(\d+)\]$/);
    if (counterWord) {
      counters = { packets: Number(counterWord[1]), bytes: Number(counterWord[2]) };
      words.shift();
    }
    const command = words[0];
    if (!command) continue;
    switch (command.text) {
      case '-P': {
        const [name, policy] = [words[1], words[2]];
        if (!name || !policy) fail(command.offset, '-P needs a chain and a policy');
        const chain = chainNamed(currentTable(), name?.text ?? '');
        chain.policy = policy?.text ?? '';
        continue;
      }
      case '-N':
        if (!words[1]) fail(command.offset, '-N needs a chain name');
        chainNamed(currentTable(), words[1]?.text ?? '');
        continue;
      case '-A':
      case '--append':
      case '-I':
      case '--insert': {
        const chainWord = words[1] ?? fail(command.offset, `${command.text} needs a chain name`);
        let rest = words.slice(2);
        if ((command.text === '-I' || command.text === '--insert') && /^\d+$/.test(rest[0]?.text ?? '')) rest = rest.slice(1);
        const t = currentTable();
        const rule = parseRule(rest, t.name, chainWord.text, number, fail);
        if (counters) Object.assign(rule, counters);
        chainNamed(t, chainWord.text).rules.push(rule);
        continue;
      }
      default:
        fail(command.offset, `"${command.text}" is not an iptables-save line (expected *table, :chain, -P, -N, -A or COMMIT)`);
    }
  }
  return state;
}

function parseRule(
  words: Word[],
  table: string,
  chain: string,
  line: number,
  fail: (offset: number, message: string) => never,
): IptablesRule {
  const rule: IptablesRule = { table, chain, generic: [], matches: [], line };
  let negate = false;
  let inTarget = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as Word;
    const text = word.text;
    if (text === '!' && !word.quoted) {
      negate = true;
      continue;
    }
    if (text === '-m' || text === '--match') {
      const module = words[++i] ?? fail(word.offset, '-m needs a module name');
      rule.matches.push({ module: module.text, options: [] });
      inTarget = false;
      continue;
    }
    if (text === '-j' || text === '--jump' || text === '-g' || text === '--goto') {
      const target = words[++i] ?? fail(word.offset, `${text} needs a target`);
      rule.target = { name: target.text, goto: text === '-g' || text === '--goto', options: [] };
      inTarget = true;
      continue;
    }
    if (text === '-c' || text === '--set-counters') {
      const packets = words[++i];
      const bytes = words[++i];
      if (!packets || !bytes || !/^\d+$/.test(packets.text) || !/^\d+$/.test(bytes.text)) fail(word.offset, '-c needs packets and bytes');
      rule.packets = Number(packets?.text);
      rule.bytes = Number(bytes?.text);
      continue;
    }
    if (!text.startsWith('-') || text === '-' || word.quoted) fail(word.offset, `"${text}" is not an option (a value without its option?)`);
    const generic = GENERIC[text];
    const option: RuleOption = { name: generic ?? text, values: [], negated: negate };
    negate = false;
    const takes = FLAGS.has(text) ? 0 : TWO_VALUES.has(text) ? 2 : 1;
    for (let k = 0; k < takes; k++) {
      // A "!" between option and value is the older spelling of a negation.
      if (words[i + 1]?.text === '!' && !words[i + 1]?.quoted) {
        option.negated = true;
        i++;
      }
      const value = words[++i] ?? fail(word.offset, `${text} needs a value`);
      option.values.push(value.text);
    }
    if (inTarget && rule.target) rule.target.options.push(option);
    else if (generic) rule.generic.push(option);
    else if (rule.matches.length > 0) (rule.matches.at(-1) as { options: RuleOption[] }).options.push(option);
    else fail(word.offset, `"${text}" belongs to no match module (a missing -m?)`);
  }
  if (negate) fail(words.at(-1)?.offset ?? 0, 'a "!" negates nothing');
  return rule;
}

// ---- lines and words ------------------------------------------------------------------

interface LogicalLine {
  text: string;
  number: number;
  column: number;
}

/**
 * Non-empty lines, with wrapped ones joined: a line that does not start a command continues the
 * previous one — with a space when it starts an option (`--physdev-is-bridged`, `-j …`), without
 * one when the wrap fell inside a word (`tap583c7038` / `-d3`).
 */
function logicalLines(text: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const starts = /^(\[\d+:\d+\]\s+)?(-[APNIX]\s|\*|:|COMMIT$|#|\$)/.test(trimmed);
    const previous = lines.at(-1);
    if (starts || !previous) {
      lines.push({ text: trimmed, number: index + 1, column: raw.indexOf(trimmed) + 1 });
    } else if (/^[#$]/.test(previous.text)) {
      previous.text += ` ${trimmed}`; // a wrapped prompt: "$ sudo ip netns exec qrouter-…" / "iptables -t nat -S"
    } else {
      const option = /^(--[a-z]|-[a-zA-Z]\s|!\s)/.test(trimmed);
      previous.text += option ? ` ${trimmed}` : trimmed;
    }
  });
  return lines;
}

interface Word {
  text: string;
  offset: number;
  /** Written in quotes: a value, never "!" or an option. */
  quoted: boolean;
}

class WordError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Splits like iptables-save quotes: double quotes group, backslash escapes inside them. */
function shellWords(line: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i >= line.length) break;
    const start = i;
    // Most words hold no quote: take them as one slice.
    while (i < line.length && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9 && line.charCodeAt(i) !== 34) i++;
    if (i >= line.length || line.charCodeAt(i) !== 34) {
      words.push({ text: line.slice(start, i), offset: start, quoted: false });
      continue;
    }
    let text = line.slice(start, i);
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      if (line[i] === '"') {
        const open = i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < line.length) i++;
          text += line[i++];
        }
        if (i >= line.length) throw new WordError(open, 'a quote is never closed');
        i++;
      } else {
        text += line[i++];
      }
    }
    words.push({ text, offset: start, quoted: true });
  }
  return words;
}
