import { kindOf } from './kinds';
import type { Outcome, ProbeContext } from './kinds/kind';
import type { ProbeCheck } from './schema';

/**
 * The kinds that act: probes sent from inside a namespace, counters watched while traffic
 * flows, packet traces, and `command`. Every command is an argv run inside a lab node. Each
 * kind's probe is in its module (./kinds); this hands a check to it.
 */

export type { ProbeContext, Runner } from './kinds/kind';
export type { ProbeCheck } from './schema';

export function runProbe(check: ProbeCheck, ctx: ProbeContext): Promise<Outcome> {
  const kind = kindOf(check.kind);
  if (!('probe' in kind)) throw new Error(`the ${check.kind} check is no probe`);
  return (kind.probe as (check: ProbeCheck, ctx: ProbeContext) => Promise<Outcome>)(check, ctx);
}

/** When a probe runs in a round: first (leases), together, or last and alone. */
export function orderOf(check: ProbeCheck): 'first' | 'together' | 'alone' {
  const kind = kindOf(check.kind);
  const order = 'order' in kind ? (kind.order as ((check: ProbeCheck) => 'first' | 'together' | 'alone') | undefined) : undefined;
  return order?.(check) ?? 'together';
}
