import { follow } from '../capture/follow';
import type { FollowResult } from '../capture/types';
import type { CloudModel, ResolvedPort } from '../cloud/model';
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

/** A VM's packet as a lab names it: the VM's port, the target address, and the port for tcp/http. */
export interface ResolvedAsk {
  from: ResolvedPort;
  to: string;
  port: number | undefined;
}

/** What `ask` names in the running lab `name`, for `verb` ("follow", "walk"): an unknown VM says which there are. */
export function resolveAsk(model: CloudModel, name: string, ask: FollowAsk, verb: string): ResolvedAsk {
  const vms = model.ports.filter((port) => port.owner === 'vm');
  const vm = (wanted: string, role: string) => {
    const found = vms.find((port) => port.name === wanted);
    if (!found) {
      throw new AppError('input', `Lab "${name}" has no VM "${wanted}" to ${verb} ${role}.`, {
        hint: vms.length ? `Its VMs: ${vms.map((port) => `${port.name} (${port.address})`).join(', ')}.` : 'It has no VMs.',
      });
    }
    return found;
  };
  const port = ask.port ?? (ask.proto === 'http' ? 80 : undefined);
  if (ask.proto !== 'icmp' && port === undefined) {
    throw new AppError('input', `${verb === 'walk' ? 'Walking' : 'Following'} ${ask.proto} needs a port, 1 to 65535 (got none).`);
  }
  return { from: vm(ask.from, 'from'), to: /^\d{1,3}(\.\d{1,3}){3}$/.test(ask.to) ? ask.to : vm(ask.to, 'to').address, port };
}

/** Follows one probe from a VM of the running lab `name` across every node. */
export async function followInLab(engine: Engine, name: string, ask: FollowAsk): Promise<FollowResult> {
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
