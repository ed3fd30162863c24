import { BUILTIN_CHAINS } from './parse';
import type { IptablesChain, IptablesRule, IptablesState, IptablesTable, RuleOption } from './types';

/**
 * iptables state printed back: in `iptables-save -c` form (what the parser reads, so the two
 * round-trip), and in the `iptables --line-numbers -vnL CHAIN` form the book shows, column for
 * column as iptables prints it.
 */

export function formatSave(state: IptablesState, options: { counters?: boolean } = {}): string {
  const counters = options.counters ?? true;
  const lines: string[] = [];
  for (const table of state.tables) {
    lines.push(`*${table.name}`);
    for (const chain of table.chains) {
      lines.push(`:${chain.name} ${chain.policy ?? '-'} [${chain.packets ?? 0}:${chain.bytes ?? 0}]`);
    }
    for (const chain of table.chains) {
      for (const rule of chain.rules) {
        lines.push(`${counters ? `[${rule.packets ?? 0}:${rule.bytes ?? 0}] ` : ''}${formatRule(rule)}`);
      }
    }
    lines.push('COMMIT');
  }
  return `${lines.join('\n')}\n`;
}

/** `-A CHAIN …` in iptables-save's order: generic options, matches, target. */
export function formatRule(rule: IptablesRule): string {
  const parts = [`-A ${quoteWord(rule.chain)}`, ...rule.generic.map(formatOption)];
  for (const match of rule.matches) parts.push(`-m ${match.module}`, ...match.options.map(formatOption));
  if (rule.target) parts.push(`${rule.target.goto ? '-g' : '-j'} ${quoteWord(rule.target.name)}`, ...rule.target.options.map(formatOption));
  return parts.join(' ');
}

function formatOption(option: RuleOption): string {
  return [option.negated ? '!' : '', option.name, ...option.values.map(quoteWord)].filter(Boolean).join(' ');
}

/** Quotes a word the way iptables-save does: when it holds spaces or quotes, is empty, or would read as "!" or an option. */
export function quoteWord(word: string): string {
  const plain = word !== '' && word !== '!' && !word.startsWith('-') && !/[\s"\\'`$]/.test(word);
  return plain ? word : `"${word.replace(/(["\\])/g, '\\$1')}"`;
}

// ---- iptables --line-numbers -vnL ----------------------------------------------------

const PROTOCOL_NAMES: Record<string, string> = {
  '0': 'all',
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '47': 'gre',
  '50': 'esp',
  '51': 'ah',
  '58': 'ipv6-icmp',
  '132': 'sctp',
};

export interface ListingOptions {
  /** Print the `num` column (default true). */
  lineNumbers?: boolean;
  /**
   * `book`: as the book's (legacy) iptables prints — protocol names, MACs in capitals.
   * `nft`: as the nf_tables iptables in the nodes prints — protocol numbers, MACs as given.
   */
  style?: 'book' | 'nft';
}

/** `iptables --line-numbers -vnL [CHAIN]` for one table (all chains when none is named). */
export function formatListing(table: IptablesTable, chainName?: string, options: ListingOptions = {}): string {
  const chains = chainName === undefined ? table.chains : table.chains.filter((c) => c.name === chainName);
  return chains.map((chain) => formatChainListing(table, chain, options)).join('\n');
}

function formatChainListing(table: IptablesTable, chain: IptablesChain, options: ListingOptions): string {
  const lineNumbers = options.lineNumbers ?? true;
  const builtin = BUILTIN_CHAINS[table.name]?.includes(chain.name) ?? false;
  const references = table.chains.reduce((sum, c) => sum + c.rules.filter((r) => r.target?.name === chain.name).length, 0);
  const lines = [
    builtin
      ? `Chain ${chain.name} (policy ${chain.policy ?? 'ACCEPT'} ${counter(chain.packets ?? 0).trim()} packets, ${counter(chain.bytes ?? 0).trim()} bytes)`
      : `Chain ${chain.name} (${references} references)`,
    `${lineNumbers ? `${pad('num', 4)} ` : ''}${padStart('pkts', 5)} ${padStart('bytes', 5)} ${pad('target', 9)}  prot opt ${pad('in', 6)} ${pad('out', 6)}  ${pad('source', 19)}  ${pad('destination', 19)} `,
  ];
  chain.rules.forEach((rule, index) => lines.push(formatListedRule(rule, index + 1, lineNumbers, options.style ?? 'book')));
  return `${lines.join('\n')}\n`;
}

function formatListedRule(rule: IptablesRule, number: number, lineNumbers: boolean, style: 'book' | 'nft'): string {
  const numericProtocols = style === 'nft';
  const generic = (name: string) => rule.generic.find((o) => o.name === name);
  const protocol = generic('-p');
  const protocolText = protocol
    ? numericProtocols
      ? protocolNumber(protocol.values[0] ?? '')
      : protocolName(protocol.values[0] ?? '')
    : numericProtocols
      ? '0'
      : 'all';
  const fragment = generic('-f');
  const iface = (option: RuleOption | undefined) => (option ? `${option.negated ? '!' : ''}${option.values[0]}` : '*');
  const address = (option: RuleOption | undefined) => {
    const text = option ? hostOrNetwork(option.values[0] ?? '') : '0.0.0.0/0';
    return `${option?.negated ? '!' : ' '}${pad(text, 19)} `;
  };
  let line = '';
  if (lineNumbers) line += `${pad(String(number), 4)} `;
  line += `${counter(rule.packets ?? 0)}${counter(rule.bytes ?? 0)}`;
  line += `${pad(rule.target?.name ?? '', 9)} `;
  line += `${protocol?.negated ? '!' : ' '}${pad(protocolText, 5)}`;
  line += `${fragment?.negated ? '!' : '-'}${fragment ? 'f' : '-'} `;
  line += ` ${pad(iface(generic('-i')), 6)} ${pad(iface(generic('-o')), 6)} `;
  line += address(generic('-s')) + address(generic('-d'));
  line += rule.matches.map((match) => describeMatch(match, style)).join('');
  line += rule.target ? describeTarget(rule.target.name, rule.target.options) : '';
  return line.trimEnd();
}

/** iptables' counter column: exact up to 99999, then K, M, G, T (rounded, base 1000). */
export function counter(value: number): string {
  let n = value;
  if (n <= 99999) return `${padStart(String(n), 5)} `;
  for (const unit of ['K', 'M', 'G', 'T']) {
    n = Math.floor((n + 500) / 1000);
    if (n <= 9999 || unit === 'T') return `${padStart(String(n), 4)}${unit} `;
  }
  return `${n} `;
}

function describeMatch(match: { module: string; options: RuleOption[] }, style: 'book' | 'nft'): string {
  const option = (name: string) => match.options.find((o) => o.name === name);
  const bang = (o: RuleOption | undefined) => (o?.negated ? '!' : '');
  const ports = (o: RuleOption | undefined, single: string) =>
    o ? ` ${single}${o.values[0]?.includes(':') ? 's' : ''}:${bang(o)}${o.values[0]}` : '';
  switch (match.module) {
    case 'tcp':
    case 'udp':
    case 'sctp': {
      const sport = option('--sport') ?? option('--source-port');
      const dport = option('--dport') ?? option('--destination-port');
      return ` ${match.module}${ports(sport, 'spt')}${ports(dport, 'dpt')}`;
    }
    case 'multiport':
      return match.options.map((o) => ` multiport ${o.name.replace(/^--/, '')} ${bang(o)}${o.values.join(' ')}`).join('');
    case 'state':
      return ` ${option('--state')?.negated ? '! ' : ''}state ${option('--state')?.values[0] ?? ''}`;
    case 'conntrack':
      return match.options.map((o) => ` ${o.negated ? '! ' : ''}${o.name.replace(/^--/, '')} ${o.values.join(' ')}`).join('');
    case 'physdev':
      return ` PHYSDEV match${match.options.map((o) => ` ${o.negated ? '! ' : ''}${o.name}${o.values.length ? ` ${o.values.join(' ')}` : ''}`).join('')}`;
    case 'mac': {
      const mac = option('--mac-source')?.values[0] ?? '';
      return ` MAC ${bang(option('--mac-source'))}${style === 'book' ? mac.toUpperCase() : mac}`;
    }
    case 'comment':
      return ` /* ${option('--comment')?.values[0] ?? ''} */`;
    case 'set':
      return match.options.map((o) => ` ${o.negated ? '! ' : ''}match-set ${o.values.join(' ')}`).join('');
    case 'mark':
      return ` ${bang(option('--mark'))}mark match ${option('--mark')?.values[0] ?? ''}`;
    case 'icmp':
      return ` icmptype ${bang(option('--icmp-type'))}${option('--icmp-type')?.values[0] ?? ''}`;
    default:
      return ` ${match.module}${match.options.map((o) => ` ${formatOption(o)}`).join('')}`;
  }
}

function describeTarget(name: string, options: RuleOption[]): string {
  const value = (option: string) => options.find((o) => o.name === option)?.values[0];
  switch (name) {
    case 'REJECT':
      return value('--reject-with') ? ` reject-with ${value('--reject-with')}` : '';
    case 'DNAT':
      return ` to:${value('--to-destination') ?? ''}`;
    case 'SNAT':
      return ` to:${value('--to-source') ?? ''}`;
    case 'REDIRECT':
      return value('--to-ports') ? ` redir ports ${value('--to-ports')}` : '';
    case 'CT':
      return value('--zone') !== undefined
        ? ` CT zone ${value('--zone')}`
        : options.some((o) => o.name === '--notrack')
          ? ' CT notrack'
          : ' CT';
    case 'MASQUERADE':
      return value('--to-ports') ? ` masq ports: ${value('--to-ports')}` : '';
    default:
      return options.map((o) => ` ${formatOption(o)}`).join('');
  }
}

/** `10.0.0.2/32` lists as `10.0.0.2`; networks keep their prefix. */
function hostOrNetwork(address: string): string {
  return address.endsWith('/32') ? address.slice(0, -3) : address.includes('/') ? address : address;
}

function protocolName(value: string): string {
  return PROTOCOL_NAMES[value] ?? value;
}

function protocolNumber(value: string): string {
  const entry = Object.entries(PROTOCOL_NAMES).find(([, name]) => name === value);
  return entry ? entry[0] : value;
}

const pad = (text: string, width: number) => text.padEnd(width);
const padStart = (text: string, width: number) => text.padStart(width);
