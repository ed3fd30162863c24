import { follow } from '../capture/follow';
import type { FollowResult } from '../capture/types';
import type { Engine } from '../docker/engine';
import { AppError } from '../errors';
import { runningLab } from './running-lab';

/** What `follow` is asked: a VM of the lab, and where to: an address or another VM. */
export interface FollowAsk {
  from: string;
  to: string;
  proto: FollowResult['proto'];
  /** For tcp (required) and http (80 unless given). */
  port?: number;
}

/** Follows one probe from a VM of the running lab `name` across every node. */
export async function followInLab(engine: Engine, name: string, ask: FollowAsk): Promise<FollowResult> {
  const lab = await runningLab(engine, name);
  const vms = lab.model.ports.filter((port) => port.owner === 'vm');
  const vm = (wanted: string, role: string) => {
    const found = vms.find((port) => port.name === wanted);
    if (!found) {
      throw new AppError('input', `Lab "${name}" has no VM "${wanted}" to follow ${role}.`, {
        hint: vms.length ? `Its VMs: ${vms.map((port) => `${port.name} (${port.address})`).join(', ')}.` : 'It has no VMs.',
      });
    }
    return found;
  };
  const from = vm(ask.from, 'from');
  const to = /^\d{1,3}(\.\d{1,3}){3}$/.test(ask.to) ? ask.to : vm(ask.to, 'to').address;
  const port = ask.port ?? (ask.proto === 'http' ? 80 : undefined);
  return follow(engine, lab.containers, {
    session: name,
    from: { vm: from.name, node: from.node, namespace: from.name },
    to,
    proto: ask.proto,
    ...(port === undefined ? {} : { port }),
  });
}
