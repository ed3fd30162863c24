import { describe, expect, it } from 'vitest';
import type { ObjectiveResult } from '../../../main/api/view';
import { hasMoreHints, hintsFromCheck, hintsFromReply } from './hints';

const result = (over: Partial<ObjectiveResult>): ObjectiveResult => ({
  id: 'table-0',
  title: 'Table 0',
  step: 'tables',
  given: false,
  passed: false,
  expected: 'a flow',
  found: 'none',
  hintsUsed: 0,
  hintsTotal: 2,
  ...over,
});

describe('hints', () => {
  it('shows the hint a failed check offers as the next unused one', () => {
    const state = hintsFromCheck(undefined, result({ hint: 'first', hintNumber: 1 }));
    expect(state).toEqual({ total: 2, shown: [{ number: 1, text: 'first' }] });
    expect(hasMoreHints(state, 2)).toBe(true);
  });

  it('labels the hint a check shows with the number the back end gives (the rung this session reached)', () => {
    const state = hintsFromCheck(undefined, result({ hint: 'second', hintNumber: 2, hintsUsed: 2 }));
    expect(state).toEqual({ total: 2, shown: [{ number: 2, text: 'second' }] });
    expect(hasMoreHints(state, 2)).toBe(false);
  });

  it('keeps what was shown when the objective passes', () => {
    const before = hintsFromCheck(undefined, result({ hint: 'first', hintNumber: 1 }));
    expect(hintsFromCheck(before, result({ passed: true, hintsUsed: 1 })).shown).toEqual(before.shown);
  });

  it('adds the next rung to what is shown', () => {
    const state = hintsFromReply(hintsFromCheck(undefined, result({ hint: 'first', hintNumber: 1 })), {
      hint: 'second',
      number: 2,
      total: 2,
    });
    expect(state.shown.map((h) => h.number)).toEqual([1, 2]);
    expect(hasMoreHints(state, 2)).toBe(false);
  });

  it('has no hints to offer for an objective without any', () => {
    expect(hintsFromCheck(undefined, result({ hintsTotal: 0 }))).toEqual({ total: 0, shown: [] });
    expect(hasMoreHints(undefined, 0)).toBe(false);
  });
});
