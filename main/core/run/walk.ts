import { walkLab } from '../check/walk';
import type { VmPacketAsk } from '../check/vm-packet';
import type { Engine } from '../docker/engine';
import { execArgv } from '../docker/exec';
import type { WalkResult } from '../check/walk-types';
import { containerOf, runningLab } from './running-lab';

/** Walks a VM's packet through the running lab `name` by its flows (check/walk.ts), nothing sent. */
export async function walkInLab(engine: Engine, name: string, ask: VmPacketAsk): Promise<WalkResult> {
  const lab = await runningLab(engine, name);
  return walkLab(lab.model, (node, argv) => execArgv(containerOf(lab.containers, node), argv), name, ask);
}
