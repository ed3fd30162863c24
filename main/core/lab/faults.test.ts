import { describe, expect, it } from 'vitest';
import type { Check } from '../check/schema';
import { asksRepair, drawFault, FaultChoiceError, withFault } from './faults';
import type { Fault } from './schema';

const fault = (tag: number): Fault => ({
  title: `tag ${tag}`,
  node: 'compute1',
  break: [['ovs-vsctl', 'set', 'port', 'qvo1', `tag=${tag}`]],
  repair: [['ovs-vsctl', 'set', 'port', 'qvo1', 'tag=1']],
  repaired: { kind: 'port', node: 'compute1', bridge: 'br-int', port: 'qvo1', present: true, tag: 1 },
});
const FAULTS = { a: fault(2), b: fault(3), c: fault(4), d: fault(5) };

describe('drawFault', () => {
  it('draws nothing for a lab without faults, and refuses to make one it does not declare', () => {
    expect(drawFault({})).toBeUndefined();
    expect(() => drawFault({}, { fault: 'a' })).toThrow(new FaultChoiceError('this lab declares no faults, so there is no "a" to make'));
    expect(() => drawFault(FAULTS, { fault: 'z' })).toThrow('no fault "z" in this lab (there: a, b, c, d)');
  });

  it('makes the fault named, even the one to avoid', () => {
    expect(drawFault(FAULTS, { fault: 'c' }, 'c')).toBe('c');
  });

  it('draws the same fault for the same seed (a whole class), and different ones across seeds', () => {
    const seeds = Array.from({ length: 40 }, (_, i) => `class-${i}`);
    for (const seed of seeds) expect(drawFault(FAULTS, { seed })).toBe(drawFault(FAULTS, { seed }));
    expect(new Set(seeds.map((seed) => drawFault(FAULTS, { seed }))).size).toBe(4);
  });

  it('draws at random among all, and never the one to avoid when there is another', () => {
    const drawn = new Set(Array.from({ length: 200 }, () => drawFault(FAULTS)));
    expect([...drawn].sort()).toEqual(['a', 'b', 'c', 'd']);
    for (let i = 0; i < 100; i++) expect(drawFault(FAULTS, {}, 'b')).not.toBe('b');
    expect(drawFault({ a: fault(2) }, {}, 'a')).toBe('a');
  });
});

describe('withFault', () => {
  const objective: Check = {
    kind: 'all',
    of: [
      { kind: 'ping', from: { vm: 'vm1' }, to: '192.168.1.2', expect: 'reply' },
      { kind: 'not', check: { kind: 'repaired' } },
    ],
  };

  it("gives every repaired check in the tree the fault's own check, and takes it away again", () => {
    const made = withFault(objective, FAULTS.b);
    expect(made).toEqual({
      ...objective,
      of: [objective.kind === 'all' && objective.of[0], { kind: 'not', check: { kind: 'repaired', check: FAULTS.b.repaired } }],
    });
    expect(withFault(made, undefined)).toEqual(objective);
    expect(asksRepair(objective)).toBe(true);
    expect(asksRepair({ kind: 'any', of: [{ kind: 'namespace', node: 'n', name: 'x', present: true }] })).toBe(false);
  });
});
