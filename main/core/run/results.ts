import type { PacketTrace } from '../inspect/trace/parse';

/** What the lab lifecycle reports (check, solve, reset, walk). Types only: the UI shares them. */

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
  elapsedMs: number;
}

export interface ResetResult {
  session: string;
  /** True when the nodes had to be recreated (the session was broken). */
  recreated: boolean;
  elapsedMs: number;
}

/** A walk (run/walk.ts): the legs of the way the flows would send a VM's packet, node after node. */
export interface WalkLeg {
  node: string;
  bridge: string;
  /** The packet as the trace was given it. */
  flow: string;
  /** How it got here: undefined for the first leg, "GRE key 0x1 from 10.0.0.101" after. */
  arrivedBy?: string;
  trace: PacketTrace;
  /** Where the datapath sends it from this bridge, by device, with the VLAN tag it carries there. */
  outputs: WalkOutput[];
}

export interface WalkOutput {
  /** The device ("tap4385f950-8b", "int-br-eth1", "eth1"), or "gre tunnel to 10.0.0.100". */
  device: string;
  vlan?: number;
}

export interface WalkResult {
  from: string;
  to: string;
  proto: 'icmp' | 'tcp' | 'http';
  port?: number;
  legs: WalkLeg[];
  /** Where the walk ends, in words: "output to tap4385f950-8b on network", "dropped on compute1 br-tun table 22". */
  verdict: string;
}
