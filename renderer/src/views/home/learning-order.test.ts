import { describe, expect, it } from 'vitest';
import { inLearningOrder } from './learning-order';

const lab = (id: string, level: 'beginner' | 'intermediate' | 'advanced' = 'intermediate', title = id) => ({ id, level, title });

describe('the catalogue in learning order', () => {
  it('puts the labs in the order of LABS.md, then unknown ones by level and title', () => {
    const sorted = inLearningOrder([
      lab('dvr'),
      lab('zz-new', 'advanced'),
      lab('aa-new', 'beginner'),
      lab('gre-tenant'),
      lab('ovs-basics', 'beginner'),
    ]);
    expect(sorted.map((l) => l.id)).toEqual(['ovs-basics', 'gre-tenant', 'dvr', 'aa-new', 'zz-new']);
  });
});
