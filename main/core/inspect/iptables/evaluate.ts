import { contains, parseCidr, parseIpv4 } from '../../net/ipv4';
import { formatRule } from './format';
import type { IptablesChain, IptablesRule, IptablesTable, RuleOption } from './types';

/**
 * One packet through one table's chains, from a built-in chain, as the kernel would take it:
 * rule after rule, into the chains they jump to, back at RETURN or a chain's end, until a
 * verdict (ACCEPT, DROP, REJECT) or the built-in chain's policy. What the walk (check/walk.ts)
 * needs to say which chain a security group's drop happens in.
 *
 * Only the matches Neutron's agents write are understood: addresses, protocol and interfaces,
 * physdev, state/conntrack (a walk's packet is the first of its connection: NEW), mac, tcp/udp
 * ports, multiport, icmp type, comment. A rule with any other match stops the evaluation and
 * says so, rather than guessing past it.
 */

export interface EvaluatedPacket {
  proto: 'icmp' | 'tcp' | 'udp';
  src: string;
  dst: string;
  srcMac?: string;
  sport?: number;
  dport?: number;
  icmpType?: number;
  /** The devices the packet enters and leaves the namespace by (-i, -o). */
  inInterface?: string;
  outInterface?: string;
  /** For bridged frames (br_netfilter): the bridge ports it enters and leaves by. */
  physdevIn?: string;
  physdevOut?: string;
  /** Its connection's states for `-m conntrack --ctstate`: NEW, and DNAT once a DNAT rule rewrote it (default: NEW). */
  ctstates?: string[];
}

/** What a nat table's rule did to the packet. */
export interface Rewrite {
  src?: string;
  dst?: string;
  /** REDIRECT: to this port of the namespace itself. */
  redirect?: number;
  /** MASQUERADE: the source becomes the address of the device it leaves by. */
  masquerade?: true;
}

/** A rule the packet matched (or the chain's policy), in the order met. */
export interface EvaluatedStep {
  chain: string;
  /** `-A chain …` as iptables-save prints it, or `-P chain POLICY`. */
  rule: string;
  target: string;
}

export interface Evaluation {
  steps: EvaluatedStep[];
  /** ACCEPT, DROP or REJECT; "unknown" when a rule used a match this does not understand. */
  verdict: 'ACCEPT' | 'DROP' | 'REJECT' | 'unknown';
  /** Why the verdict is unknown. */
  reason?: string;
  /** In a nat table: the address (or port) the rule that decided rewrote. */
  rewrite?: Rewrite;
}

class Unknown extends Error {}

const TERMINAL = new Set(['ACCEPT', 'DROP', 'REJECT']);
/** The nat table's targets: each ends its chain as ACCEPT does, with the packet rewritten. */
const NAT = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT']);
/** Targets that change nothing a filter verdict depends on: the packet goes on to the next rule. */
const NON_TERMINAL = new Set(['LOG', 'NFLOG', 'MARK', 'CONNMARK', 'CT', 'NOTRACK', 'TRACE']);
/** Deep enough for any agent's chains; a loop of jumps iptables itself would refuse. */
const MAX_DEPTH = 32;

export function evaluateTable(table: IptablesTable, start: string, packet: EvaluatedPacket): Evaluation {
  const chains = new Map(table.chains.map((c) => [c.name, c]));
  const steps: EvaluatedStep[] = [];
  let rewrite: Rewrite | undefined;
  const walk = (chain: IptablesChain, depth: number): 'RETURN' | 'ACCEPT' | 'DROP' | 'REJECT' => {
    if (depth > MAX_DEPTH) throw new Unknown(`chains jump deeper than ${MAX_DEPTH} (a loop?)`);
    for (const rule of chain.rules) {
      if (!matches(rule, packet)) continue;
      const target = rule.target?.name;
      if (!target) continue; // a rule without a target only counts
      steps.push({ chain: chain.name, rule: formatRule(rule), target });
      if (TERMINAL.has(target)) return target as 'ACCEPT' | 'DROP' | 'REJECT';
      if (NAT.has(target)) {
        rewrite = natRewrite(rule);
        return 'ACCEPT';
      }
      if (target === 'RETURN') return 'RETURN';
      if (NON_TERMINAL.has(target)) continue;
      const next = chains.get(target);
      if (!next) throw new Unknown(`${chain.name} jumps to ${target}, which is neither a chain of the table nor a target the walk knows`);
      const verdict = walk(next, depth + 1);
      if (verdict !== 'RETURN') return verdict;
      if (rule.target?.goto) return 'RETURN';
    }
    return 'RETURN';
  };
  const first = chains.get(start);
  if (!first) return { steps, verdict: 'ACCEPT' };
  try {
    const verdict = walk(first, 0);
    if (verdict !== 'RETURN') return { steps, verdict, ...(rewrite ? { rewrite } : {}) };
    const policy = first.policy ?? 'ACCEPT';
    steps.push({ chain: start, rule: `-P ${start} ${policy}`, target: policy });
    return { steps, verdict: policy === 'DROP' ? 'DROP' : 'ACCEPT' };
  } catch (error) {
    if (error instanceof Unknown) return { steps, verdict: 'unknown', reason: error.message };
    throw error;
  }
}

function matches(rule: IptablesRule, packet: EvaluatedPacket): boolean {
  for (const option of rule.generic) if (!negated(option, generic(option, packet))) return false;
  for (const match of rule.matches) {
    for (const option of match.options) {
      if (!negated(option, matchOption(match.module, option, packet, rule))) return false;
    }
  }
  return true;
}

const negated = (option: RuleOption, result: boolean) => (option.negated ? !result : result);

function generic(option: RuleOption, packet: EvaluatedPacket): boolean {
  const value = option.values[0] ?? '';
  switch (option.name) {
    case '-s':
      return inSubnet(packet.src, value);
    case '-d':
      return inSubnet(packet.dst, value);
    case '-p':
      return value === 'all' || value === packet.proto;
    case '-i':
      return interfaceMatches(packet.inInterface, value);
    case '-o':
      return interfaceMatches(packet.outInterface, value);
    default:
      // -f: a walk's packet is never a fragment.
      return false;
  }
}

function matchOption(module: string, option: RuleOption, packet: EvaluatedPacket, rule: IptablesRule): boolean {
  const value = option.values[0] ?? '';
  switch (`${module} ${option.name}`) {
    case 'physdev --physdev-in':
      return interfaceMatches(packet.physdevIn, value);
    case 'physdev --physdev-out':
      return interfaceMatches(packet.physdevOut, value);
    case 'physdev --physdev-is-bridged':
      return packet.physdevIn !== undefined || packet.physdevOut !== undefined;
    case 'physdev --physdev-is-in':
      return packet.physdevIn !== undefined;
    case 'physdev --physdev-is-out':
      return packet.physdevOut !== undefined;
    case 'state --state':
    case 'conntrack --ctstate': {
      const states = packet.ctstates ?? ['NEW'];
      return value.split(',').some((state) => states.includes(state));
    }
    case 'mac --mac-source':
      return packet.srcMac !== undefined && packet.srcMac.toLowerCase() === value.toLowerCase();
    case 'tcp --dport':
    case 'udp --dport':
    case 'multiport --dports':
    case 'multiport --destination-ports':
      return module === 'multiport' || module === packet.proto ? inPorts(packet.dport, value) : false;
    case 'tcp --sport':
    case 'udp --sport':
    case 'multiport --sports':
    case 'multiport --source-ports':
      return module === 'multiport' || module === packet.proto ? inPorts(packet.sport, value) : false;
    case 'tcp --syn':
      return packet.proto === 'tcp';
    case 'icmp --icmp-type': {
      const type = icmpType(value);
      return packet.proto === 'icmp' && (type === ANY || type === packet.icmpType);
    }
    case 'comment --comment':
      return true;
    default:
      throw new Unknown(`${formatRule(rule)} uses ${option.name} of -m ${module}, which the walk does not evaluate`);
  }
}

/** What SNAT --to-source, DNAT --to-destination, REDIRECT --to-ports and MASQUERADE do (a range's first address). */
function natRewrite(rule: IptablesRule): Rewrite {
  const option = (name: string) => rule.target?.options.find((o) => o.name === name)?.values[0];
  const address = (value: string | undefined) => value?.split(/[-:]/)[0];
  switch (rule.target?.name) {
    case 'SNAT':
      return { src: address(option('--to-source')) ?? '' };
    case 'DNAT':
      return { dst: address(option('--to-destination')) ?? '' };
    case 'REDIRECT':
      return { redirect: Number(option('--to-ports')?.split('-')[0]) };
    default:
      return { masquerade: true };
  }
}

function inSubnet(address: string, cidr: string): boolean {
  const subnet = parseCidr(cidr.includes('/') ? cidr : `${cidr}/32`);
  const ip = parseIpv4(address);
  return subnet !== undefined && ip !== undefined && contains(subnet, ip);
}

/** `-i tap+` matches every tap: a trailing + is a prefix. */
function interfaceMatches(name: string | undefined, pattern: string): boolean {
  if (name === undefined) return false;
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** `22`, `1000:2000`, `80,443,8000:8080`. */
function inPorts(port: number | undefined, spec: string): boolean {
  if (port === undefined) return false;
  return spec.split(',').some((range) => {
    const [low, high = low] = range.split(':');
    return port >= Number(low || 0) && port <= Number(high || 65535);
  });
}

const ANY = -1;
const ICMP_TYPES: Record<string, number> = {
  'echo-reply': 0,
  'destination-unreachable': 3,
  'echo-request': 8,
  'time-exceeded': 11,
  any: ANY,
};

function icmpType(value: string): number | undefined {
  const type = value.split('/')[0] ?? '';
  return /^\d+$/.test(type) ? Number(type) : ICMP_TYPES[type];
}
