import type Docker from 'dockerode';
import { execArgv, type ExecResult } from '../../docker/exec';
import { AppError } from '../../errors';
import { parseTrace, type PacketTrace } from './parse';

/** Traces a flow through a node's bridges with `ovs-appctl ofproto/trace` and reads the walk. */
export async function traceInNode(container: Docker.Container, bridge: string, flow: string): Promise<PacketTrace> {
  return readTrace(await execArgv(container, ['ovs-appctl', 'ofproto/trace', bridge, flow]), bridge, flow);
}

/** What `ovs-appctl ofproto/trace BRIDGE FLOW` answered, read; a clear error when OVS refused the flow. */
export function readTrace(result: ExecResult, bridge: string, flow: string): PacketTrace {
  if (result.exitCode !== 0) {
    const reason = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
    throw new AppError('input', `OVS cannot trace "${flow}" on ${bridge}: ${reason.replace(/^ovs-vswitchd: /, '')}`, {
      hint: 'A flow is written like a match: in_port=tap0,dl_src=fa:16:3e:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,arp',
    });
  }
  return parseTrace(result.stdout, `${bridge} trace`);
}
