/** What the lab lifecycle reports (check, solve, reset). Types only: the UI shares them. */

/** The one progress count (credit.ts computes it): the learner's objectives, given ones left out. */
export interface Credit {
  /** Learner objectives done: met by the learner or solved for them. */
  met: number;
  /** Of those, solved for the learner by `solve`. */
  solved: number;
  total: number;
}

export interface ObjectiveResult {
  id: string;
  title: string;
  step: string;
  given: boolean;
  passed: boolean;
  expected: string;
  found: string;
  /** What a measuring objective measured (its figure, shown when it passes too). */
  measured?: string;
  /** The next hint not yet shown, and how many there are. */
  hint?: string;
  hintsUsed: number;
  hintsTotal: number;
}

export interface CheckReport {
  session: string;
  lab: string;
  passed: number;
  total: number;
  objectives: ObjectiveResult[];
  /** Where the learner is: the first step with an unmet objective (all met: the step count). */
  currentStep: number;
  elapsedMs: number;
  /** Problems of the progress file, when it had to be set aside. */
  notices: string[];
}

export interface SolveResult {
  session: string;
  /** The parts built, by key. */
  built: string[];
  commands: number;
  elapsedMs: number;
}

export interface ResetResult {
  session: string;
  /** True when the nodes had to be recreated (the session was broken). */
  recreated: boolean;
  elapsedMs: number;
}
