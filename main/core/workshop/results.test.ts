import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveLab } from '../lab/catalog';
import { emptyProgress, ProgressStore } from '../run/progress-store';
import { gridMark, recordsToCsv, type StudentRecord } from './records';
import { studentProgressDir, workshopRecords } from './results';
import { Workshop } from './workshop';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nl-results-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("a workshop's results", () => {
  it("read each student's own progress: met, solved for them or open, when, and hints", async () => {
    const workshop = await Workshop.create(dir, { title: 't', labs: ['ovs-basics'], seats: 5 });
    const ada = (await workshop.join(workshop.joinCode, 'Ada')).student;
    await workshop.join(workshop.joinCode, 'Alan');
    const lab = await resolveLab('ovs-basics');
    const store = new ProgressStore(studentProgressDir(dir, ada.id));
    await store.write({
      ...emptyProgress('ovs-basics'),
      currentStep: 2,
      objectives: { 'br-int': { metAt: '2026-12-05T10:00:00.000Z' } },
      solved: { 'normal-switch': { solvedAt: '2026-12-05T10:05:00.000Z' } },
      hints: { 'br-int': 2 },
      attempts: { 'br-int': 4 },
      updatedAt: '2026-12-05T10:05:00.000Z',
    });

    const [adaRecord, alanRecord] = await workshopRecords(workshop, dir, [lab, await resolveLab('gre-tenant')]);
    // Only the workshop's labs.
    expect(adaRecord?.labs.map((l) => l.lab)).toEqual(['ovs-basics']);
    const record = adaRecord?.labs[0];
    expect(record).toMatchObject({ currentStep: 2, steps: lab.lab.steps.length, hints: 2, credit: { met: 2, solved: 1 } });
    expect(record?.objectives.find((o) => o.id === 'br-int')).toEqual({
      id: 'br-int',
      step: 'bridge',
      mark: 'met',
      at: '2026-12-05T10:00:00.000Z',
      hints: 2,
      attempts: 4,
    });
    expect(record?.objectives.find((o) => o.id === 'normal-switch')).toMatchObject({ mark: 'solved', at: '2026-12-05T10:05:00.000Z' });
    expect(record?.lastActivity).toBeDefined();
    expect(alanRecord?.labs[0]?.objectives.every((o) => o.mark === 'open')).toBe(true);
    expect(alanRecord?.labs[0]?.lastActivity).toBeUndefined();
  });

  it("read a break-fix lab's faults: repaired by the student, solved for them, or not yet met, and when", async () => {
    const workshop = await Workshop.create(dir, { title: 't', labs: ['troubleshoot-l2', 'ovs-basics'], seats: 5 });
    const ada = (await workshop.join(workshop.joinCode, 'Ada')).student;
    const labs = [await resolveLab('troubleshoot-l2'), await resolveLab('ovs-basics')];
    await new ProgressStore(studentProgressDir(dir, ada.id)).write({
      ...emptyProgress('troubleshoot-l2'),
      faults: {
        'wrong-local-vlan': { repairedAt: '2026-12-05T10:00:00.000Z', solvedAt: '2026-12-05T10:09:00.000Z' },
        'tunnel-remote-ip': { solvedAt: '2026-12-05T10:05:00.000Z' },
      },
      updatedAt: '2026-12-05T10:09:00.000Z',
    });
    const [record] = await workshopRecords(workshop, dir, labs);
    const [breakFix, plain] = record!.labs;
    const all = Object.keys(labs[0]!.lab.faults);
    expect(breakFix?.faults?.map((f) => f.name)).toEqual(all);
    // Repaired first, then solved: it stays the student's, as the credit counts it.
    expect(breakFix?.faults?.find((f) => f.name === 'wrong-local-vlan')).toEqual({
      name: 'wrong-local-vlan',
      mark: 'met',
      at: '2026-12-05T10:00:00.000Z',
    });
    expect(breakFix?.faults?.find((f) => f.name === 'tunnel-remote-ip')).toEqual({
      name: 'tunnel-remote-ip',
      mark: 'solved',
      at: '2026-12-05T10:05:00.000Z',
    });
    expect(breakFix?.faults?.filter((f) => f.mark === 'open')).toHaveLength(all.length - 2);
    expect(breakFix?.credit.faults).toEqual({ met: 2, solved: 1, total: all.length });
    expect(plain?.faults).toBeUndefined();
    // In the export, a row per fault under the step "faults".
    const csv = recordsToCsv([record!]).split('\r\n');
    expect(csv).toContain(`${ada.id},Ada,troubleshoot-l2,faults,tunnel-remote-ip,solved,2026-12-05T10:05:00.000Z,,`);
    expect(csv.filter((line) => line.includes(',faults,'))).toHaveLength(all.length);
  });

  it('export as CSV a spreadsheet reads, quoting what needs it and defusing formulas in names', () => {
    const records: StudentRecord[] = [
      {
        id: 's01',
        name: '=HYPERLINK("http://x","click"), "Ada"',
        joinedAt: '',
        labs: [
          {
            lab: 'gre-tenant',
            currentStep: 1,
            steps: 3,
            credit: { met: 1, solved: 0, total: 2 },
            hints: 1,
            objectives: [
              { id: 'gre-port', step: 'tunnel', mark: 'met', at: '2026-12-05T10:00:00.000Z', hints: 1, attempts: 3 },
              { id: 'table-0', step: 'tables', mark: 'open', hints: 0, attempts: 1 },
            ],
          },
        ],
      },
    ];
    expect(recordsToCsv(records).split('\r\n')).toEqual([
      'seat,name,lab,step,objective,result,at,attempts,hints',
      `s01,"'=HYPERLINK(""http://x"",""click""), ""Ada""",gre-tenant,tunnel,gre-port,met,2026-12-05T10:00:00.000Z,3,1`,
      `s01,"'=HYPERLINK(""http://x"",""click""), ""Ada""",gre-tenant,tables,table-0,open,,1,0`,
      '',
    ]);
  });

  it("marks a grid cell by the student's record first, then by what the latest check of their lab found", () => {
    expect(gridMark('met', false)).toBe('met');
    expect(gridMark('solved', undefined)).toBe('solved');
    expect(gridMark('open', true)).toBe('passing');
    expect(gridMark('open', false)).toBe('unmet');
    expect(gridMark('open', undefined)).toBe('unchecked');
  });
});
