import { z } from 'zod';
import { Ipv4Schema, NameSchema } from '../../topology/schema';

/** Fields several check kinds share, described once (the JSON Schema carries the descriptions). */

export const node = NameSchema.describe('A node of the topology.');
export const namespace = z.string().min(1).max(64).describe('A network namespace in the node (default: the node itself).');
export const present = z.boolean().default(true).describe('false: the check passes when this is absent.');
export const vm = NameSchema.describe('A VM of the cloud: its node and namespace.');

/** Where a probe starts: a VM, or a node (and maybe a namespace in it). */
export const PlaceSchema = z.union([z.object({ vm }).strict(), z.object({ node, namespace: namespace.optional() }).strict()]);

export const target = z.union([Ipv4Schema, NameSchema]).describe('An IPv4 address, or the name of a VM (its address).');

/** A VM's packet, as the walk and follow kinds name it: from a VM, to an address or a VM, by protocol and port. */
export const vmPacketFields = {
  from: vm,
  to: target,
  proto: z.enum(['icmp', 'tcp', 'http']).default('icmp'),
  port: z.number().int().min(1).max(65535).optional().describe('For tcp (required) and http (80 unless given).'),
};

export const flowSelector = {
  node,
  bridge: z.string().min(1).max(15),
  table: z.number().int().min(0).max(254).optional(),
  priority: z.number().int().min(0).max(65535).optional(),
  match: z
    .string()
    .optional()
    .describe(
      'Fields the flow must match on, as ovs-ofctl writes them: "in_port=patch-int,dl_vlan=1". Compared by meaning; other fields may be present too.',
    ),
  actions: z
    .string()
    .optional()
    .describe('The actions, compared by meaning (strip_vlan ≈ pop_vlan, resubmit(,N) ≈ goto_table:N, port numbers ≈ names).'),
  learned: z.boolean().optional().describe('true: only flows a learn action installed (they carry a hard_timeout).'),
};

/** A check read in a node or a VM's namespace. */
export const placeFields = { node: node.optional(), vm: vm.optional(), namespace: namespace.optional() };
