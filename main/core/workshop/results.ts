import { join } from 'node:path';
import type { LoadedLab } from '../lab/load';
import { creditMark, creditOf, faultMark } from '../run/credit';
import { ProgressStore } from '../run/progress-store';
import type { FaultRecord, LabRecord, ObjectiveRecord, StudentRecord } from './records';
import type { Workshop } from './workshop';

/**
 * What each student has done, per lab of the workshop and per objective (and per fault of a
 * break-fix lab): met by them, solved for them, or open; when; hints taken. Read from the
 * students' own progress files, so it is the same whether the server runs or not (the
 * instructor's dashboard, `workshop results`, after the end).
 */

/** Where a student's progress is kept, inside the workshop's folder. */
export const studentProgressDir = (workshopDir: string, student: string): string => join(workshopDir, 'progress', student);

export async function workshopRecords(workshop: Workshop, workshopDir: string, labs: readonly LoadedLab[]): Promise<StudentRecord[]> {
  const offered = labs.filter((l) => workshop.labs.includes(l.lab.id));
  return Promise.all(
    workshop.students.map(async (student) => {
      const store = new ProgressStore(studentProgressDir(workshopDir, student.id));
      return {
        id: student.id,
        name: student.name,
        joinedAt: student.joinedAt,
        labs: await Promise.all(
          offered.map(async ({ lab }): Promise<LabRecord> => {
            // A damaged file is set aside by the store and reads as a fresh start.
            const { progress } = await store.read(lab.id);
            const objectives = lab.steps.flatMap((step) =>
              step.objectives
                .filter((o) => !o.given)
                .map((o): ObjectiveRecord => {
                  const mark = creditMark(progress, o.id);
                  const at =
                    mark === 'met' ? progress.objectives[o.id]?.metAt : mark === 'solved' ? progress.solved[o.id]?.solvedAt : undefined;
                  return {
                    id: o.id,
                    step: step.id,
                    mark: mark ?? 'open',
                    ...(at ? { at } : {}),
                    hints: progress.hints[o.id] ?? 0,
                    attempts: progress.attempts[o.id] ?? 0,
                  };
                }),
            );
            const faults = Object.keys(lab.faults).map((name): FaultRecord => {
              const mark = faultMark(progress, name);
              const at =
                mark === 'met' ? progress.faults[name]?.repairedAt : mark === 'solved' ? progress.faults[name]?.solvedAt : undefined;
              return { name, mark: mark ?? 'open', ...(at ? { at } : {}) };
            });
            const started = progress.updatedAt !== new Date(0).toISOString();
            return {
              lab: lab.id,
              currentStep: progress.currentStep,
              steps: lab.steps.length,
              credit: creditOf(lab, progress),
              hints: objectives.reduce((sum, o) => sum + o.hints, 0),
              ...(started ? { lastActivity: progress.updatedAt } : {}),
              objectives,
              ...(faults.length > 0 ? { faults } : {}),
            };
          }),
        ),
      };
    }),
  );
}
