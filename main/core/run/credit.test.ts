import { describe, expect, it } from 'vitest';
import { resolveLab } from '../lab/catalog';
import { creditMark, creditOf, faultMark, formatCredit } from './credit';
import { emptyProgress } from './progress-store';

/** The one progress count, on the real gre-tenant lab: three given objectives, nine of the learner's. */

const lab = (await resolveLab('gre-tenant')).lab;
const all = lab.steps.flatMap((s) => s.objectives);

describe('credit', () => {
  it("counts only the learner's objectives: given ones are neither met nor in the total", () => {
    const progress = emptyProgress('gre-tenant');
    for (const o of all.filter((o) => o.given)) progress.objectives[o.id] = { metAt: 'x' };
    expect(all.filter((o) => o.given)).toHaveLength(3);
    expect(creditOf(lab, progress)).toEqual({ met: 0, solved: 0, total: 9 });
  });

  it('counts objectives solved for the learner as done, and says how many', () => {
    const progress = emptyProgress('gre-tenant');
    progress.objectives['table-0'] = { metAt: 'x' };
    progress.solved['table-1'] = { solvedAt: 'y' };
    progress.solved['table-2'] = { solvedAt: 'y' };
    expect(creditOf(lab, progress)).toEqual({ met: 3, solved: 2, total: 9 });
    expect(creditMark(progress, 'table-0')).toBe('met');
    expect(creditMark(progress, 'table-1')).toBe('solved');
    expect(creditMark(progress, 'table-10')).toBeUndefined();
    expect(formatCredit(creditOf(lab, progress))).toBe('3/9 (2 solved for you)');
    expect(formatCredit({ met: 1, solved: 0, total: 9 })).toBe('1/9');
  });

  it('an objective the learner met stays theirs even if solve later built it too', () => {
    const progress = emptyProgress('gre-tenant');
    progress.objectives['table-0'] = { metAt: 'x' };
    progress.solved['table-0'] = { solvedAt: 'y' };
    expect(creditMark(progress, 'table-0')).toBe('met');
    expect(creditOf(lab, progress)).toEqual({ met: 1, solved: 0, total: 9 });
  });
});

describe("a break-fix lab's faults", async () => {
  const l3 = (await resolveLab('troubleshoot-l3')).lab;
  const faults = Object.keys(l3.faults);

  it('counts each fault met once: repaired by the learner, or solved for them, of all the lab declares', () => {
    const progress = emptyProgress('troubleshoot-l3');
    expect(creditOf(l3, progress).faults).toEqual({ met: 0, solved: 0, total: faults.length });
    progress.faults['dnsmasq-dead'] = { repairedAt: 'x' };
    progress.faults['snat-missing'] = { solvedAt: 'y' };
    expect(faultMark(progress, 'dnsmasq-dead')).toBe('met');
    expect(faultMark(progress, 'snat-missing')).toBe('solved');
    expect(faultMark(progress, 'stale-hosts')).toBeUndefined();
    expect(creditOf(l3, progress).faults).toEqual({ met: 2, solved: 1, total: 7 });
    expect(formatCredit(creditOf(l3, progress))).toBe('0/1; faults 2/7 (1 solved for you)');
  });

  it('says nothing of faults for a lab without them', () => {
    expect(creditOf(lab, emptyProgress('gre-tenant')).faults).toBeUndefined();
  });
});
