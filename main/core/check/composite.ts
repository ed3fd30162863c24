import type { Check, CheckKind } from './schema';

/**
 * The composite kinds (all, any, not, repaired) and what they are made of. Apart from the
 * schemas: a booting lab asks whether a check wants a fault repaired (lab/faults.ts), and that
 * must not load and build every kind's schema.
 */

/** The kinds made of other checks; every other kind is a leaf the registry knows. */
const COMPOSITE_KINDS: ReadonlySet<CheckKind> = new Set(['all', 'any', 'not', 'repaired']);
export const isComposite = (check: Check): check is Extract<Check, { kind: 'all' | 'any' | 'not' | 'repaired' }> =>
  COMPOSITE_KINDS.has(check.kind);

/** The checks a composite is made of (a repaired check: its fault's, once the lab is booted); none for a leaf. */
export function subchecks(check: Check): Check[] {
  switch (check.kind) {
    case 'all':
    case 'any':
      return check.of;
    case 'not':
      return [check.check];
    case 'repaired':
      return check.check ? [check.check] : [];
    default:
      return [];
  }
}
