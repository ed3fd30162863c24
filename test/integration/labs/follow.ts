import { expect, it } from 'vitest';
import type { FollowHop, FollowResult } from '../../../main/core/capture/types';
import type { WalkBridgeLeg, WalkResult } from '../../../main/core/check/walk-types';
import { execArgv } from '../../../main/core/docker/exec';
import { requireNode } from '../../../main/core/session/sessions';
import { runCli, testEngine } from '../helpers';
import type { LabContext } from './lab-suite';

/**
 * `neutron-lab follow` on a solved lab, through the real CLI: one probe from a VM, seen on every
 * interface it crosses. Each lab's test says what its proof is (the tunnel id on the underlay, the
 * VLAN on the wire, the SNAT'd source after the router).
 */

const SLOW = { timeout: 120_000 };

export async function followed(lab: LabContext, args: string[]): Promise<FollowResult> {
  const result = await runCli(['follow', lab.name, ...args, '--json'], { env: lab.env });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as FollowResult;
}

/** Where a copy was seen, as a line: "compute1 eth1", "compute1 vm1 eth0". */
export const place = (hop: FollowHop) => [hop.where.node, hop.where.netns, hop.where.iface].filter(Boolean).join(' ');

/** No capture outlives a follow: no tcpdump, no file, on any node. */
export async function nothingLeft(lab: LabContext, nodes: string[]): Promise<void> {
  const engine = await testEngine();
  for (const node of nodes) {
    const container = await requireNode(engine, lab.name, node);
    const left = await execArgv(container, ['sh', '-c', 'pgrep -a tcpdump; ls -d /tmp/nl-follow-* 2>/dev/null; true']);
    expect(left.stdout.trim(), node).toBe('');
  }
}

/** Registers one follow test: `prove` gets the result of following `args`. */
export function followTest(
  lab: LabContext,
  title: string,
  args: string[],
  nodes: string[],
  prove: (result: FollowResult) => void,
): void {
  it(`follows ${title}`, SLOW, async () => {
    const result = await followed(lab, args);
    prove(result);
    await nothingLeft(lab, nodes);
  });
}

/** `neutron-lab walk` on a solved lab, through the real CLI: the way the flows would send a VM's packet. */
export async function walked(lab: LabContext, args: string[]): Promise<WalkResult> {
  const result = await runCli(['walk', lab.name, ...args, '--json'], { env: lab.env });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as WalkResult;
}

/** A leg's tables as "bridge table: actions", in the order the trace met them. */
export const tables = (leg: WalkBridgeLeg) => leg.trace.steps.map((step) => `${step.bridge} ${step.table}: ${step.actions.join(', ')}`);
