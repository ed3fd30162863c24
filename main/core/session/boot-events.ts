/** What `up` reports per node while a lab boots. Types only: the UI shares them. */

export type BootPhase = 'creating' | 'starting' | 'building' | 'ready';

export interface BootEvent {
  node: string;
  phase: BootPhase;
  /** Milliseconds since `up` began. */
  elapsedMs: number;
}
