import { z } from 'zod';
import { parseCidr, parseIpv4 } from '../net/ipv4';

/**
 * The `topology` part of a lab file: the nodes (containers running OVS), the Docker networks
 * between them, and who joins which network with which interface name and address.
 * Later parts of the lab file (the cloud, the guide, objectives) refer to nodes and
 * interfaces by the names given here.
 */

/** Node and network names become parts of container names and hostnames: keep them DNS-safe. */
export const NameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, 'use lowercase letters, digits and "-", starting with a letter (at most 31)');

/** Linux limits interface names to 15 bytes. */
export const InterfaceNameSchema = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/, 'an interface name is a letter then up to 14 letters, digits, "_", "." or "-"');

export const Ipv4Schema = z.string().refine((s) => parseIpv4(s) !== undefined, 'not an IPv4 address like 10.0.0.1');
export const CidrSchema = z
  .string()
  .refine((s) => parseCidr(s) !== undefined, 'not an IPv4 address with a prefix length, like 10.0.0.100/24');

export const NetworkKindSchema = z
  .enum(['management', 'data', 'external', 'provider'])
  .describe(
    'management: control traffic; data: the underlay that carries tunnels; external: where floating IPs live; provider: a physical VLAN/flat network without addresses on it.',
  );

export const NetworkSchema = z
  .object({
    kind: NetworkKindSchema,
    subnet: CidrSchema.optional().describe('The lab addresses used on this network (documentation and validation).'),
    description: z.string().optional(),
  })
  .strict();

export const LinkSchema = z
  .object({
    network: NameSchema.describe('A network declared under topology.networks.'),
    interface: InterfaceNameSchema.describe('The interface name inside the node, e.g. eth1.'),
    address: CidrSchema.optional().describe('The node address on this network, with prefix: 10.0.0.100/24.'),
    gateway: Ipv4Schema.optional().describe("The node's default route goes via this address."),
  })
  .strict();

export const NodeRoleSchema = z
  .enum(['controller', 'network', 'compute', 'external'])
  .describe('What the node is in the cloud: Neutron network node, compute node, or a host outside the cloud.');

export const NodeSchema = z
  .object({
    role: NodeRoleSchema,
    description: z.string().optional(),
    links: z.array(LinkSchema).default([]),
  })
  .strict();

export const TopologySchema = z
  .object({
    networks: z.record(NameSchema, NetworkSchema).default({}),
    nodes: z.record(NameSchema, NodeSchema).refine((nodes) => Object.keys(nodes).length > 0, 'a topology needs at least one node'),
  })
  .strict();

export type Topology = z.infer<typeof TopologySchema>;
export type TopologyNode = z.infer<typeof NodeSchema>;
export type TopologyNetwork = z.infer<typeof NetworkSchema>;
export type TopologyLink = z.infer<typeof LinkSchema>;
export type NodeRole = z.infer<typeof NodeRoleSchema>;
