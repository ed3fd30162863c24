import { describe, expect, it } from 'vitest';
import type { CheckReport, ObjectiveResult } from '../../../../main/api/view';
import { completionOf, stepDone } from './completion';

const objective = (id: string, step: string, passed: boolean, hintsUsed = 0): ObjectiveResult => ({
  id,
  title: id,
  step,
  given: false,
  passed,
  expected: '',
  found: '',
  hintsUsed,
  hintsTotal: 2,
});
const report = (objectives: ObjectiveResult[]): CheckReport => {
  const passed = objectives.filter((o) => o.passed).length;
  return {
    session: 's',
    lab: 'l',
    passed,
    total: objectives.length,
    allPassed: passed === objectives.length,
    objectives,
    currentStep: 0,
    elapsedMs: 10,
    notices: [],
    credit: { met: passed, solved: 0, total: objectives.length },
  };
};

describe('the completion screen and "Next step"', () => {
  it('appears only when every objective is met, with the hints used and what Solve built', () => {
    expect(completionOf(undefined, 3, 0)).toBeUndefined();
    expect(completionOf(report([objective('a', 'one', true), objective('b', 'two', false)]), 2, 0)).toBeUndefined();
    const all = report([objective('a', 'one', true, 1), objective('b', 'two', true, 2)]);
    expect(completionOf(all, 2, 0)).toEqual({ total: 2, hintsUsed: 3, solved: { kind: 'none' } });
    expect(completionOf(all, 2, 1)?.solved).toEqual({ kind: 'upTo', step: 1 });
    expect(completionOf(all, 2, 2)?.solved).toEqual({ kind: 'all' });
  });

  it('offers the next step once every objective of this one is met', () => {
    const r = report([objective('a', 'one', true), objective('b', 'two', false)]);
    expect(stepDone(r, 'one')).toBe(true);
    expect(stepDone(r, 'two')).toBe(false);
    expect(stepDone(r, 'three')).toBe(false);
    expect(stepDone(undefined, 'one')).toBe(false);
  });
});
