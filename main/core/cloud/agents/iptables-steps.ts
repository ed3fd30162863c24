import { inNamespace } from '../../docker/exec';
import type { Step } from '../plan';

/**
 * Idempotent iptables steps, as the agents write them: a rule is given as `iptables -S` prints
 * it (`['-A', chain, …options]`) and added only when `iptables -C` does not find it; a chain is
 * created only when `iptables -S` does not list it. In a namespace, or the node's own.
 */

export interface Where {
  table?: string;
  namespace?: string;
}

const iptables = (where: Where, args: string[]): string[] =>
  inNamespace(['iptables', '-w', ...(where.table ? ['-t', where.table] : []), ...args], where.namespace);

/** Append the rule (or insert it first in its chain) unless it is there. */
export function ensureRule(rule: readonly string[], where: Where = {}, options: { insert?: boolean } = {}): Step {
  const [, chain = '', ...spec] = rule;
  return {
    argv: iptables(where, [...(options.insert ? ['-I', chain, '1'] : ['-A', chain]), ...spec]),
    unless: iptables(where, ['-C', chain, ...spec]),
  };
}

export function ensureChain(chain: string, where: Where = {}): Step {
  return { argv: iptables(where, ['-N', chain]), unless: iptables(where, ['-S', chain]) };
}
