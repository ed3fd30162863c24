import { follow } from '../capture/follow';
import type { FollowResult } from '../capture/types';
import { resolveAsk, type VmPacketAsk } from '../check/vm-packet';
import type { Engine } from '../docker/engine';
import { runningLab, type RunningLab } from './running-lab';

/** Follows one probe from a VM of the running lab `name` across every node. */
export async function followInLab(engine: Engine, name: string, ask: VmPacketAsk): Promise<FollowResult> {
  return followIn(engine, await runningLab(engine, name), name, ask);
}

/** The same in a lab already found (a check round's follow checks). */
export function followIn(engine: Engine, lab: RunningLab, name: string, ask: VmPacketAsk): Promise<FollowResult> {
  const { from, to, port } = resolveAsk(lab.model, name, ask, 'follow');
  return follow(engine, lab.containers, {
    session: name,
    from: { vm: from.name, node: from.node, namespace: from.name },
    to,
    proto: ask.proto,
    ...(port === undefined ? {} : { port }),
  });
}
