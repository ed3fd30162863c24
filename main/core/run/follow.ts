import { follow } from '../capture/follow';
import type { FollowResult } from '../capture/types';
import { resolveAsk, type VmPacketAsk } from '../check/vm-packet';
import type { Engine } from '../docker/engine';
import { runningLab } from './running-lab';

/** Follows one probe from a VM of the running lab `name` across every node. */
export async function followInLab(engine: Engine, name: string, ask: VmPacketAsk): Promise<FollowResult> {
  const lab = await runningLab(engine, name);
  const { from, to, port } = resolveAsk(lab.model, name, ask, 'follow');
  return follow(engine, lab.containers, {
    session: name,
    from: { vm: from.name, node: from.node, namespace: from.name },
    to,
    proto: ask.proto,
    ...(port === undefined ? {} : { port }),
  });
}
