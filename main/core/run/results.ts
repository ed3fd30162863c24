import type { SnapshotDiff } from '../inspect/snapshot/diff';

/** What the lab lifecycle reports (check, solve, reset). Types only: the UI shares them. */

/** The one progress count (credit.ts computes it): the learner's objectives, given ones left out. */
export interface Credit {
  /** Learner objectives done: met by the learner or solved for them. */
  met: number;
  /** Of those, solved for the learner by `solve`. */
  solved: number;
  total: number;
  /** A break-fix lab's faults: met (repaired by the learner or by `solve`), of those solved, of all it declares. */
  faults?: { met: number; solved: number; total: number };
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
  /** For a failing objective with hints: the hint reached in this session (at least the first), and its number, 1-based. */
  hint?: string;
  hintNumber?: number;
  /** Hints shown in this session, of how many. */
  hintsUsed: number;
  hintsTotal: number;
  /** Counted as done because `solve` built it, not the learner. */
  solvedForYou?: boolean;
}

export interface CheckReport {
  session: string;
  lab: string;
  /** The learner's objectives (given ones left out) met now, of all of them. */
  passed: number;
  total: number;
  /** Every objective met, given ones included. */
  allPassed: boolean;
  /** The stored progress after this check: the count `progress` and the catalogue's card show. */
  credit: Credit;
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
  /** A break-fix lab's fault, repaired: its name and what it was. */
  repaired?: { fault: string; title: string };
  elapsedMs: number;
}

export interface ResetResult {
  session: string;
  /** True when the nodes had to be recreated (the session was broken). */
  recreated: boolean;
  elapsedMs: number;
}

export interface NodeWork {
  node: string;
  added: string[];
  removed: string[];
  changed: string[];
  /** Commands run for it on the node (undo and build). */
  commands: number;
  /** Asked for: the node's snapshot before and after, diffed. */
  diff?: SnapshotDiff;
}

/** An `openstack` call in explore mode: the client's answer, and what the agents did. */
export interface ExploreResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** What each node's agents did, when the call changed the cloud. */
  agents: NodeWork[];
  /** The cloud's VMs after the call (for the app's terminals and follow). */
  vms: { name: string; node: string; address: string }[];
  /** The call and the agents' work (without the snapshots of a diff). */
  elapsedMs: number;
}

/** What each node's agents did, a line each, as the CLI and the controller's terminal say it. */
export function describeAgentWork(result: ExploreResult): string {
  return result.agents
    .map((work) => {
      const said = [
        work.added.length ? `built ${work.added.join(', ')}` : '',
        work.changed.length ? `changed ${work.changed.join(', ')}` : '',
        work.removed.length ? `removed ${work.removed.join(', ')}` : '',
      ].filter(Boolean);
      return `${work.node}: ${said.join('; ')} (${work.commands} commands)\n`;
    })
    .join('');
}
