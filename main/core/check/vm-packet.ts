import type { CloudModel, ResolvedPort } from '../cloud/model';
import { AppError } from '../errors';

/** A VM's packet as follow and walk are asked for it: a VM of the lab, and where to: an address or another VM. */
export interface VmPacketAsk {
  from: string;
  to: string;
  proto: 'icmp' | 'tcp' | 'http';
  /** For tcp (required) and http (80 unless given). */
  port?: number;
}

/** The packet a walk or follow check names: its own fields, the port only when given. */
export function askOf(check: { from: string; to: string; proto: VmPacketAsk['proto']; port?: number | undefined }): VmPacketAsk {
  return { from: check.from, to: check.to, proto: check.proto, ...(check.port === undefined ? {} : { port: check.port }) };
}

/** A VM's packet as a lab names it: the VM's port, the target address, and the port for tcp/http. */
export interface ResolvedAsk {
  from: ResolvedPort;
  to: string;
  port: number | undefined;
}

/** What `ask` names in the running lab `name`, for `verb` ("follow", "walk"): an unknown VM says which there are. */
export function resolveAsk(model: CloudModel, name: string, ask: VmPacketAsk, verb: string): ResolvedAsk {
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
