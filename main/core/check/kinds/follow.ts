import { z } from 'zod';
import { hopHeaders, hopPlace } from '../../capture/format';
import type { FollowHop, FollowResult } from '../../capture/types';
import { Ipv4Schema } from '../../topology/schema';
import { namespace, node, vmPacketFields } from './fields';
import { askOf } from '../vm-packet';
import { probeKind, type Outcome, type ProbeContext } from './kind';
import { listed } from './text';

/**
 * One packet followed (../../capture/follow.ts): a VM sends it while every interface of every
 * node captures, and the check says where copies of it must be seen and in what headers — the
 * VLAN tag on a trunk, the tunnel's key or VNI on the underlay, the address a router rewrote —
 * and whether the VM hears back. What the walk predicts, proven with the packet itself.
 */

const tunnelId = z
  .string()
  .regex(/^(0x[0-9a-f]+|\d+)$/)
  .describe('The GRE key or VNI: 0x1, 1001 (compared by value: 0x00000001 is 0x1).');

const seenAt = z
  .object({
    node,
    interface: z.string().min(1).max(15).describe('The interface the copy passes: eth1 (the wire), qg-…, tap….'),
    namespace: namespace.optional(),
    direction: z.enum(['request', 'reply']).default('request').describe("The VM's packet (request) or the answer to it (reply)."),
    vlan: z.number().int().min(0).max(4095).optional().describe('An 802.1Q tag the copy carries.'),
    untagged: z.boolean().optional().describe('true: the copy carries no 802.1Q tag.'),
    tunnel: z
      .object({ type: z.enum(['gre', 'vxlan', 'geneve']), id: tunnelId })
      .strict()
      .optional()
      .describe('It travels wrapped in this tunnel.'),
    src: Ipv4Schema.optional().describe("The inner packet's source address there (a router's SNAT shows here)."),
    dst: Ipv4Schema.optional().describe("The inner packet's destination address there (a floating IP's DNAT shows here)."),
  })
  .strict();
type SeenAt = z.infer<typeof seenAt>;

export const FollowCheck = z
  .object({
    kind: z.literal('follow'),
    ...vmPacketFields,
    seen: z.array(seenAt).min(1).describe('Where copies of the packet must be seen, each with the headers it must carry there.'),
    answered: z.boolean().optional().describe('true: an answer (echo reply, SYN-ACK or reset) reaches the VM; false: none does.'),
  })
  .strict();

type Follow = z.infer<typeof FollowCheck>;

export const followCheck = probeKind({
  kind: 'follow',
  schema: FollowCheck,
  // It captures on every interface of every node: other probes' packets would only be noise to it.
  order: () => 'alone',
  probe: (check, ctx) => followProbe(check, ctx),
});

async function followProbe(check: Follow, ctx: ProbeContext): Promise<Outcome> {
  const expected = `${check.from}'s ${check.proto} packet to ${check.to} is seen ${check.seen.map(describeSeen).join('; ')}${
    check.answered === undefined ? '' : check.answered ? ', and answered' : ', and not answered'
  }`;
  const result = await ctx.follow(askOf(check));
  const missing = unmet(check, result);
  return {
    passed: missing.length === 0,
    expected,
    found: missing.length ? `${listed(missing, '')}; ${seenText(result)}` : seenText(result),
  };
}

function describeSeen(seen: SeenAt): string {
  const place = hopPlace({ node: seen.node, iface: seen.interface, ...(seen.namespace ? { netns: seen.namespace } : {}) });
  const headers = [
    seen.vlan !== undefined && `VLAN ${seen.vlan}`,
    seen.untagged && 'untagged',
    seen.tunnel && `${seen.tunnel.type} ${seen.tunnel.id}`,
    seen.src && `from ${seen.src}`,
    seen.dst && `to ${seen.dst}`,
  ].filter(Boolean);
  return `${seen.direction === 'reply' ? 'answered ' : ''}at ${place}${headers.length ? ` (${headers.join(', ')})` : ''}`;
}

function unmet(check: Follow, result: FollowResult): string[] {
  const out: string[] = [];
  for (const seen of check.seen) {
    const there = result.hops.filter(
      (hop) =>
        hop.direction === seen.direction &&
        hop.where.node === seen.node &&
        hop.where.iface === seen.interface &&
        (hop.where.netns ?? '') === (seen.namespace ?? ''),
    );
    if (there.length === 0) out.push(`never seen ${describeSeen(seen)}`);
    else if (!there.some((hop) => carries(hop, seen)))
      out.push(`${describeSeen(seen)}: ${there.map((hop) => hopHeaders(hop.headers)).join(' / ')}`);
  }
  if (check.answered !== undefined && check.answered !== result.answered) out.push(result.answered ? 'answered' : 'no answer came back');
  return out;
}

function carries(hop: FollowHop, seen: SeenAt): boolean {
  const h = hop.headers;
  if (seen.vlan !== undefined && !h.vlans.includes(seen.vlan)) return false;
  if (seen.untagged && h.vlans.length > 0) return false;
  if (seen.tunnel && (h.tunnel?.kind !== seen.tunnel.type || Number(h.tunnel.id) !== Number(seen.tunnel.id))) return false;
  if (seen.src && h.src !== seen.src) return false;
  if (seen.dst && h.dst !== seen.dst) return false;
  return true;
}

/** The request's copies, where and in what, in time order; then whether it was answered. */
function seenText(result: FollowResult): string {
  const requests = result.hops.filter((hop) => hop.direction === 'request');
  const copies = requests.map((hop) => `${hopPlace(hop.where)}: ${hopHeaders(hop.headers)}`);
  return `seen ${listed(copies, 'nowhere', 12)}; ${result.answered ? 'answered' : 'not answered'}`;
}
