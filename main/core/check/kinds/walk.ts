import { z } from 'zod';
import type { WalkLeg, WalkResult } from '../walk-types';
import { node, vmPacketFields } from './fields';
import { askOf } from '../vm-packet';
import { probeKind, type Outcome, type ProbeContext } from './kind';
import { listed } from './text';

/**
 * The way the flows would send a VM's packet, nothing sent (../walk.ts): ofproto/trace from its
 * port on br-int, on through veth pairs, tunnels and provider wires to the far node, and the
 * security groups' iptables chains where it crosses a VM's qbr. The check names bridges (and
 * tables) and chains it must pass, the tunnel it must leave by, and the device a node must send
 * it out of — or that it is dropped (with a chain: dropped there).
 */

const bridgeHop = z.object({ node, bridge: z.string().min(1).max(15), table: z.number().int().min(0).max(254).optional() }).strict();
const chainHop = z
  .object({
    node,
    chain: z
      .string()
      .min(1)
      .max(28)
      .describe("An iptables chain the packet meets a rule of: of the node's filter table (security groups), or a router's (NAT, FWaaS)."),
  })
  .strict();
const hop = z.union([bridgeHop, chainHop]);
type Hop = z.infer<typeof hop>;
const hopText = (h: Hop) =>
  'chain' in h ? `${h.node} chain ${h.chain}` : `${h.node} ${h.bridge}${h.table === undefined ? '' : ` table ${h.table}`}`;

export const WalkCheck = z
  .object({
    kind: z.literal('walk'),
    ...vmPacketFields,
    through: z.array(hop).default([]).describe('Bridges (and tables in them) and iptables chains the walk must pass, in any order.'),
    tunnel: z
      .object({ type: z.enum(['gre', 'vxlan', 'geneve']), id: z.string().regex(/^0x[0-9a-f]+$/) })
      .strict()
      .optional()
      .describe('It leaves a node by a tunnel of this type, with this key or VNI as OVS prints it (0x1, 0x3e9).'),
    leaves: z
      .object({ node, device: z.string().min(1).max(15), vlan: z.number().int().min(0).max(4095).optional() })
      .strict()
      .optional()
      .describe('The node sends it out of this device (with this VLAN tag, if given).'),
    dropped: z.boolean().default(false).describe('true: the walk must end dropped (by a flow or an iptables rule).'),
  })
  .strict();

type Walk = z.infer<typeof WalkCheck>;

export const walkCheck = probeKind({ kind: 'walk', schema: WalkCheck, probe: (check, ctx) => walkProbe(check, ctx) });

async function walkProbe(check: Walk, ctx: ProbeContext): Promise<Outcome> {
  const wants = [
    ...check.through.map((h) => `through ${hopText(h)}`),
    check.tunnel && `by ${check.tunnel.type} ${check.tunnel.id}`,
    check.leaves &&
      `out of ${check.leaves.node} by ${check.leaves.device}${check.leaves.vlan === undefined ? '' : ` (VLAN ${check.leaves.vlan})`}`,
    check.dropped && 'dropped',
  ].filter(Boolean);
  const expected = `${check.from}'s ${check.proto} packet to ${check.to} goes by the flows ${wants.join(', ')}`;
  const walk = await ctx.walk(askOf(check));
  const missing = unmet(check, walk);
  return {
    passed: missing.length === 0,
    expected,
    found: missing.length ? `${listed(missing, '')}; the walk: ${route(walk)}` : route(walk),
  };
}

/** What the walk does not do of what the check asks. */
function unmet(check: Walk, walk: WalkResult): string[] {
  const out: string[] = [];
  const passes = (h: Hop) =>
    walk.legs.some((leg) => {
      if (leg.node !== h.node) return false;
      if (leg.kind !== 'ovs') return 'chain' in h && leg.steps.some((s) => s.chain === h.chain);
      return 'bridge' in h && leg.trace.steps.some((s) => s.bridge === h.bridge && (h.table === undefined || s.table === h.table));
    });
  for (const h of check.through) if (!passes(h)) out.push(`never on ${hopText(h)}`);
  const bridgeLegs = walk.legs.flatMap((leg) => (leg.kind === 'ovs' ? [leg] : []));
  if (check.tunnel) {
    const tunnels = bridgeLegs.flatMap((leg) => leg.trace.tunnels);
    if (!tunnels.some((t) => t.type === check.tunnel!.type && t.tunnelId === check.tunnel!.id)) {
      out.push(tunnels.length ? `leaves by ${tunnels.map((t) => `${t.type} ${t.tunnelId ?? '?'}`).join(', ')}` : 'leaves by no tunnel');
    }
  }
  if (check.leaves) {
    const { node: where, device, vlan } = check.leaves;
    const outputs = bridgeLegs.filter((leg) => leg.node === where).flatMap((leg) => leg.outputs);
    if (!outputs.some((o) => o.device === device && (vlan === undefined || o.vlan === vlan))) {
      out.push(
        `${where} sends it out of ${listed(
          outputs.map((o) => `${o.device}${o.vlan === undefined ? '' : ` (VLAN ${o.vlan})`}`),
          'nothing',
        )}`,
      );
    }
  }
  if (check.dropped !== walk.dropped) out.push(check.dropped ? 'not dropped' : walk.verdict);
  return out;
}

/** The walk in one line: each leg's node and bridges (or the qbr its chains see), then the verdict. */
function route(walk: WalkResult): string {
  const leg = (l: WalkLeg) => {
    if (l.kind === 'iptables') return `${l.node} ${l.bridge} (iptables)`;
    if (l.kind === 'router') return `${l.node} ${l.namespace}`;
    return `${l.node} ${[...new Set(l.trace.steps.map((s) => s.bridge))].join('→') || l.bridge}`;
  };
  return `${walk.legs.map(leg).join(' ⇒ ')}; ${walk.verdict}`;
}
