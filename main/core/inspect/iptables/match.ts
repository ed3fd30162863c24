import { formatRule } from './format';
import type { IptablesChain, IptablesRule } from './types';

/**
 * "Does this rule say that?": a rule matches when it has every option group of the wanted text
 * ("-p tcp", "--dport 22", "-j RETURN"), in any order. MAC addresses compare without case
 * (iptables-legacy prints them upper-case, the nf_tables flavour lower-case).
 */

export function optionGroups(rule: string): string[] {
  // "-A chain" is not an option: the chain name, not starting with "-", joins no group.
  const words = rule
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '-A' && w !== '-I');
  const groups: string[] = [];
  let negated = false;
  for (const raw of words) {
    const word = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(raw) ? raw.toLowerCase() : raw;
    if (word === '!') {
      negated = true;
      continue;
    }
    if (!word.startsWith('-')) {
      if (groups.length) groups[groups.length - 1] += ` ${word}`;
      continue;
    }
    groups.push(`${negated ? '! ' : ''}${word}`);
    negated = false;
  }
  return groups;
}

/** The chain's rules that say everything `wanted` says (all of them when nothing is wanted). */
export function matchingRules(chain: IptablesChain, wanted: string | undefined): IptablesRule[] {
  if (!wanted) return chain.rules;
  const groups = optionGroups(wanted);
  return chain.rules.filter((rule) => {
    const has = optionGroups(formatRule(rule));
    return groups.every((g) => has.includes(g));
  });
}
