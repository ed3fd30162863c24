import { describe, expect, it } from 'vitest';
import { applyBootEvent, initialBoot, overallPercent } from './boot-progress';

describe('boot progress', () => {
  it('moves each node through its phases and never backwards', () => {
    let rows = initialBoot(['network', 'compute1']);
    expect(overallPercent(rows)).toBe(0);
    rows = applyBootEvent(rows, { node: 'network', phase: 'starting' });
    rows = applyBootEvent(rows, { node: 'network', phase: 'creating' }); // late event
    expect(rows).toEqual([
      { node: 'network', phase: 'starting', percent: 50 },
      { node: 'compute1', phase: 'waiting', percent: 0 },
    ]);
    rows = applyBootEvent(rows, { node: 'network', phase: 'ready' });
    rows = applyBootEvent(rows, { node: 'compute1', phase: 'ready' });
    expect(overallPercent(rows)).toBe(100);
  });

  it('adds a node it was not told about', () => {
    const rows = applyBootEvent(initialBoot([]), { node: 'external', phase: 'building' });
    expect(rows).toEqual([{ node: 'external', phase: 'building', percent: 75 }]);
  });
});
