import type { Credit } from '../run/results';

/**
 * What each student of a workshop has done (results.ts reads it from their progress files), and
 * the CSV it exports as. Pure: the instructor's page uses it too.
 */

export type Mark = 'met' | 'solved' | 'open';

export interface ObjectiveRecord {
  id: string;
  step: string;
  mark: Mark;
  /** When it was met or solved. */
  at?: string;
  hints: number;
  /** Checks of it until it was met. */
  attempts: number;
}

/** A break-fix lab's fault, as the student met it: repaired by them, solved for them, or not yet. */
export interface FaultRecord {
  name: string;
  mark: Mark;
  /** When it was repaired or solved. */
  at?: string;
}

export interface LabRecord {
  lab: string;
  /** The step the student is on (0 before the first). */
  currentStep: number;
  steps: number;
  credit: Credit;
  hints: number;
  /** The student's last recorded activity in this lab; absent when they never started it. */
  lastActivity?: string;
  objectives: ObjectiveRecord[];
  /** A break-fix lab's faults, each drawn on another boot; absent for other labs. */
  faults?: FaultRecord[];
}

/** What the latest checks of a running lab found (the server's background round, the student's, the instructor's). */
export interface LiveCheck {
  checkedAt: string;
  /** Objective id → whether it passed when last checked; an objective never checked is absent. */
  objectives: Record<string, boolean>;
}

/**
 * A cell of the instructor's grid: the student's record first (met by them, solved for them),
 * else what the latest check of their running lab found — the state is there though they have
 * not checked it (passing), it is not (unmet) — or that nothing has checked it (unchecked).
 */
export type GridMark = 'met' | 'solved' | 'passing' | 'unmet' | 'unchecked';

export function gridMark(mark: Mark, live: boolean | undefined): GridMark {
  if (mark !== 'open') return mark;
  return live === undefined ? 'unchecked' : live ? 'passing' : 'unmet';
}

export interface StudentRecord {
  id: string;
  name: string;
  joinedAt: string;
  labs: LabRecord[];
}

const CSV_HEADER = ['seat', 'name', 'lab', 'step', 'objective', 'result', 'at', 'attempts', 'hints'];

/** One row per student and objective, and per fault of a break-fix lab (step "faults"), as a spreadsheet reads it (RFC 4180). */
export function recordsToCsv(records: readonly StudentRecord[]): string {
  const rows = records.flatMap((student) =>
    student.labs.flatMap((lab) => [
      ...lab.objectives.map((o) => [
        student.id,
        student.name,
        lab.lab,
        o.step,
        o.id,
        o.mark,
        o.at ?? '',
        String(o.attempts),
        String(o.hints),
      ]),
      ...(lab.faults ?? []).map((f) => [student.id, student.name, lab.lab, 'faults', f.name, f.mark, f.at ?? '', '', '']),
    ]),
  );
  return `${[CSV_HEADER, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/**
 * A field quoted when it must be; a name a spreadsheet would run as a formula (=, +, -, @ first)
 * is given a leading apostrophe, so a student cannot plant one in the instructor's sheet.
 */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
