import type { BootPhase } from '../../../main/api/view';

/**
 * Per-node boot progress as `lab.boot` events report it. A node starts as `waiting` (no event
 * yet) and goes creating → starting → building → ready; events may arrive out of order, so a
 * node never moves backwards.
 */

/** `failed`: the start failed before this node was ready (the UI's own phase, never an event). */
export type NodePhase = 'waiting' | BootPhase | 'failed';

export const PHASES: readonly NodePhase[] = ['waiting', 'creating', 'starting', 'building', 'ready'];

export interface NodeBoot {
  node: string;
  phase: NodePhase;
  /** 0–100, for a progress bar. */
  percent: number;
}

export const phasePercent = (phase: NodePhase): number => (PHASES.indexOf(phase) / (PHASES.length - 1)) * 100;

export function initialBoot(nodes: readonly string[]): NodeBoot[] {
  return nodes.map((node) => ({ node, phase: 'waiting', percent: 0 }));
}

/** The rows after one event; a node the lab did not list (an edited lab) is appended. */
export function applyBootEvent(rows: readonly NodeBoot[], event: { node: string; phase: BootPhase }): NodeBoot[] {
  const known = rows.some((row) => row.node === event.node);
  const all = known ? rows : [...rows, { node: event.node, phase: 'waiting' as const, percent: 0 }];
  return all.map((row) =>
    row.node === event.node && PHASES.indexOf(event.phase) > PHASES.indexOf(row.phase)
      ? { node: row.node, phase: event.phase, percent: phasePercent(event.phase) }
      : row,
  );
}

/** After a failed start: a node not ready is not "waiting" any more, it failed. */
export function failBoot(rows: readonly NodeBoot[]): NodeBoot[] {
  return rows.map((row) => (row.phase === 'ready' ? row : { ...row, phase: 'failed' }));
}

/** The whole lab's progress: the mean of its nodes'. */
export function overallPercent(rows: readonly NodeBoot[]): number {
  return rows.length === 0 ? 0 : rows.reduce((sum, row) => sum + row.percent, 0) / rows.length;
}
