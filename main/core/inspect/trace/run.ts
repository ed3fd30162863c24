import type Docker from 'dockerode';
import { execArgv, type ExecResult } from '../../docker/exec';
import { AppError } from '../../errors';
import { parseTrace, type PacketTrace } from './parse';

/** Traces a flow through a node's bridges with `ovs-appctl ofproto/trace` and reads the walk. */
export async function traceInNode(container: Docker.Container, bridge: string, flow: string): Promise<PacketTrace> {
  return readTrace(await runTrace((argv) => execArgv(container, argv), bridge, flow), bridge, flow);
}

/**
 * Runs `ovs-appctl ofproto/trace BRIDGE FLOW` through `exec` (a node's exec, or a check round's).
 * A userspace tunnel that does not know its peer's MAC yet encapsulates nothing; the trace itself
 * sent the ARP request, so the answer is a moment away: it traces once more.
 */
export async function runTrace(exec: (argv: string[]) => Promise<ExecResult>, bridge: string, flow: string): Promise<ExecResult> {
  const argv = ['ovs-appctl', 'ofproto/trace', bridge, flow];
  const result = await exec(argv);
  if (result.exitCode !== 0 || !result.stdout.includes('neighbor cache miss')) return result;
  await new Promise((resolve) => setTimeout(resolve, 200));
  return exec(argv);
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
