import { z } from 'zod';
import type { Topology } from '../topology/schema';
import { CidrSchema, Ipv4Schema, NameSchema } from '../topology/schema';

/**
 * The `cloud` part of a lab file: what Neutron's database would hold — networks and their
 * segments, subnets, VM ports, routers, floating IPs, security groups, load-balancer pools and
 * firewalls. The agents (./agents) render it into what Neutron's agents create on each node.
 *
 * Ids are Neutron UUIDs. Device and namespace names derive from them (`qvo` + 11 characters),
 * so a lab that gives the book's ids reproduces the book's names; without one, a stable id is
 * derived from the lab id and the object's name.
 */

export const UuidSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a Neutron id is a lowercase UUID');

export const MacSchema = z
  .string()
  .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'a MAC address is six lowercase hex pairs like fa:16:3e:32:0d:db');

/** The Neutron releases whose agents the labs reproduce (they differ in tables, names and defaults). */
export const ReleaseSchema = z
  .enum(['icehouse', 'juno', 'kilo'])
  .describe(
    'icehouse: br-tun tables 0/1/2/3/10/20/21, tunnel ports gre-N, veth to br-ethX. juno/kilo: tables 0/2/3/4/10/20/22, fail_mode=secure, vxlan-<hex ip>, patch ports.',
  );

export const NetworkTypeSchema = z
  .enum(['local', 'flat', 'vlan', 'gre', 'vxlan'])
  .describe('local: br-int only, one node. flat/vlan: a physical network (physnet). gre/vxlan: tunnels over the tunnel network.');

export const SubnetSchema = z
  .object({
    cidr: CidrSchema,
    gateway: Ipv4Schema.optional().describe("The router's address on this subnet (default: the first host address)."),
    id: UuidSchema.optional(),
    allocationPools: z
      .array(z.object({ start: Ipv4Schema, end: Ipv4Schema }).strict())
      .optional()
      .describe(
        'Where Neutron picks the addresses of new ports (default: every host address but the gateway). Fixed addresses may lie outside.',
      ),
    dnsNameservers: z
      .array(Ipv4Schema)
      .max(5)
      .optional()
      .describe("dns_nameservers: the resolvers the network's DHCP server offers its VMs (dnsmasq's option 6, dns-server)."),
  })
  .strict();

export const DhcpPortSchema = z
  .object({
    node: NameSchema.describe('The node whose DHCP agent serves this network (the network node).'),
    address: Ipv4Schema,
    mac: MacSchema.optional(),
    portId: UuidSchema.optional(),
  })
  .strict();

export const CloudNetworkSchema = z
  .object({
    type: NetworkTypeSchema,
    segment: z
      .number()
      .int()
      .min(1)
      .max(2 ** 32 - 1)
      .optional()
      .describe('Segmentation id: the VLAN id (vlan), GRE key (gre) or VNI (vxlan). None for flat.'),
    physnet: NameSchema.optional().describe('For flat and vlan networks: the physical network (cloud.physnets).'),
    external: z.boolean().default(false).describe('router:external — where routers get their gateway and floating IPs.'),
    shared: z
      .boolean()
      .default(false)
      .describe('shared — every tenant may put ports on it (an API policy: the agents wire a shared network as any other).'),
    id: UuidSchema.optional(),
    subnets: z.record(NameSchema, SubnetSchema).default({}),
    dhcp: DhcpPortSchema.optional().describe('A DHCP port: the qdhcp-<network id> namespace with dnsmasq.'),
    agent: z
      .enum(['openvswitch', 'linuxbridge'])
      .default('openvswitch')
      .describe(
        "The L2 agent that wires the network's ports: OVS (br-int, br-tun), or Linux bridge (brq-<id> with a kernel vxlan-<VNI>). A real cloud picks it per host; the lab per network, so one lab can hold both.",
      ),
    mtu: z
      .number()
      .int()
      .min(1280)
      .max(9000)
      .optional()
      .describe(
        "The MTU of the network's ports, VMs' included (default: 1500 less the tunnel's overhead: 1458 gre, 1450 vxlan). 1500 on an overlay is how clouds ran before Neutron computed it: large packets are lost in the tunnel until DHCP advertises the smaller MTU (the dhcp-mtu part).",
      ),
    localVlans: z
      .record(NameSchema, z.number().int().min(1).max(4094))
      .optional()
      .describe(
        'The local VLAN the OVS agent gave the network on each node, kept for as long as the network is there (explore mode keeps them, as the agent does). By default a node numbers its networks from 1, in order.',
      ),
    firewall: z
      .enum(['hybrid', 'noop'])
      .default('hybrid')
      .describe(
        "OVS only. hybrid: a VM's tap on its own qbr, then qvb/qvo to br-int (where security groups filter). noop: the tap straight on br-int (no security groups).",
      ),
  })
  .strict();

export const PhysnetSchema = z
  .object({
    network: NameSchema.describe('The topology network (kind provider or external) this physical network is.'),
    bridge: z.string().min(1).max(15).optional().describe('The OVS bridge per node (default br-<interface>, e.g. br-eth1).'),
  })
  .strict();

export const VmSchema = z
  .object({
    node: NameSchema.describe('The compute node the VM runs on.'),
    network: NameSchema,
    subnet: NameSchema.optional().describe('Needed only when the network has more than one subnet.'),
    address: Ipv4Schema,
    mac: MacSchema.optional(),
    portId: UuidSchema.optional(),
    securityGroups: z.array(NameSchema).optional().describe('Security groups on the port (none: no filtering on qbr).'),
    dhcp: z.boolean().default(false).describe('Take the address by DHCP instead of configuring it.'),
    http: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('Run a small web server on this port (busybox httpd), answering with the VM’s name, as a guest’s service would.'),
    instanceId: UuidSchema.optional().describe("Nova's id of the instance: its port's device_id, what the metadata service answers for."),
  })
  .strict();

const SubnetRefSchema = z.string().regex(/^[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*$/, 'write network/subnet');

/** A DVR MAC: OpenStack's dvr_base_mac fa:16:3f, one per host. */
export const DvrMacSchema = z.string().regex(/^fa:16:3f(:[0-9a-f]{2}){3}$/, 'a DVR MAC is fa:16:3f followed by three lowercase hex pairs');

const AddressedPortSchema = z.object({ address: Ipv4Schema, portId: UuidSchema.optional(), mac: MacSchema.optional() }).strict();

export const DvrHostSchema = z
  .object({
    mac: DvrMacSchema.optional().describe("The host's DVR MAC, which routed frames carry between hosts (default: a stable one)."),
    fipGateway: AddressedPortSchema.optional().describe(
      "The floating-IP agent gateway port: fg-… in fip-<external network id>, an address on the external network for this host's floating IPs.",
    ),
  })
  .strict();

export const RouterSchema = z
  .object({
    node: NameSchema.describe(
      'The network node hosting qrouter-<id> (centralised routers), or snat-<id> (distributed routers: its L3 agent is dvr_snat).',
    ),
    id: UuidSchema.optional(),
    hostedBy: z
      .enum(['neutron-l3-agent', 'neutron-vpn-agent'])
      .default('neutron-l3-agent')
      .describe(
        'The agent running the router; its name, cut to 16 characters, prefixes the iptables chains (the book shows neutron-vpn-agen-).',
      ),
    interfaces: z
      .array(
        z
          .object({
            subnet: SubnetRefSchema,
            portId: UuidSchema.optional(),
            mac: MacSchema.optional(),
            snat: AddressedPortSchema.optional().describe(
              'Distributed routers with a gateway: the sg- port in snat-<id> on this subnet, where hosts send what leaves without a floating IP.',
            ),
          })
          .strict(),
      )
      .default([])
      .describe(
        "The router's qr- ports: one per tenant subnet, with the subnet's gateway address (on every host of a distributed router).",
      ),
    gateway: z
      .object({ network: NameSchema, address: Ipv4Schema, portId: UuidSchema.optional(), mac: MacSchema.optional() })
      .strict()
      .optional()
      .describe("The qg- port on an external network: the router's SNAT address and the way out."),
    distributed: z
      .boolean()
      .default(false)
      .describe(
        'DVR: qrouter-<id> on every compute with a VM on its subnets, floating IPs served there (fip- namespace), SNAT in snat-<id> on `node`.',
      ),
  })
  .strict();

export const FloatingIpSchema = z
  .object({
    address: Ipv4Schema,
    vm: NameSchema.optional().describe(
      'The VM whose port it is associated with. Without one it is only allocated: no agent builds anything for it.',
    ),
    router: NameSchema.optional().describe("The router that NATs it: the one between the VM's subnet and the external network (with vm)."),
    network: NameSchema.optional().describe(
      "The external network it is allocated from (default: the router's gateway network; without vm, required).",
    ),
  })
  .strict();

const PortRangeSchema = z.union([
  z.number().int().min(1).max(65535),
  z.string().regex(/^\d{1,5}(:\d{1,5})?$/, 'a port or a range like 8000:8080'),
]);

export const SecurityGroupRuleSchema = z
  .object({
    direction: z.enum(['ingress', 'egress']),
    protocol: z.enum(['tcp', 'udp', 'icmp']).optional(),
    port: PortRangeSchema.optional(),
    remote: z.union([CidrSchema, NameSchema]).optional().describe('A CIDR, or the name of a security group.'),
  })
  .strict();

export const SecurityGroupSchema = z.object({ id: UuidSchema.optional(), rules: z.array(SecurityGroupRuleSchema) }).strict();

/** An LBaaS v1 health monitor: how haproxy checks each member. */
export const HealthMonitorSchema = z
  .object({
    id: UuidSchema.optional(),
    type: z.enum(['PING', 'TCP', 'HTTP']),
    delay: z.number().int().min(1),
    timeout: z.number().int().min(1),
    retries: z.number().int().min(1).max(10),
    path: z.string().optional(),
  })
  .strict();

export const PoolSchema = z
  .object({
    node: NameSchema.describe('The network node whose LBaaS agent runs the pool (haproxy in qlbaas-<pool id>).'),
    id: UuidSchema.optional(),
    subnet: SubnetRefSchema,
    vip: z
      .object({
        name: z.string().optional().describe("The VIP's name in the API (default: the pool's)."),
        address: Ipv4Schema,
        port: z.number().int().min(1).max(65535),
        id: UuidSchema.optional(),
        portId: UuidSchema.optional(),
        mac: MacSchema.optional(),
      })
      .strict()
      .optional()
      .describe('The virtual IP: a tap port in qlbaas-<pool id> where haproxy listens. Without one the agent deploys nothing.'),
    protocol: z.enum(['HTTP', 'TCP']).default('HTTP'),
    method: z.enum(['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP']).default('ROUND_ROBIN'),
    members: z.array(
      z
        .object({
          vm: NameSchema,
          port: z.number().int().min(1).max(65535),
          weight: z.number().int().min(0).max(256).default(1),
          id: UuidSchema.optional(),
        })
        .strict(),
    ),
    monitor: z
      .union([HealthMonitorSchema.omit({ id: true }), NameSchema])
      .optional()
      .describe('Its health monitor: written here, or the name of one in cloud.healthMonitors.'),
  })
  .strict();

export const FirewallRuleSchema = z
  .object({
    id: UuidSchema.optional(),
    protocol: z.enum(['tcp', 'udp', 'icmp']).optional(),
    source: CidrSchema.optional(),
    sourcePort: PortRangeSchema.optional(),
    destination: CidrSchema.optional(),
    destinationPort: PortRangeSchema.optional(),
    action: z.enum(['allow', 'deny']),
  })
  .strict();

export const FirewallPolicySchema = z
  .object({
    id: UuidSchema.optional(),
    rules: z.array(NameSchema).describe('Names of rules in cloud.firewallRules, in order.'),
  })
  .strict();

export const FirewallSchema = z
  .object({
    router: NameSchema.describe('The router whose namespace enforces it (FWaaS v1: on every qr- port of the router).'),
    id: UuidSchema.optional(),
    rules: z
      .array(FirewallRuleSchema)
      .optional()
      .describe("The policy's rules, in order; what none allows is dropped. Or name a policy of cloud.firewallPolicies."),
    policy: NameSchema.optional().describe('The name of its policy in cloud.firewallPolicies (instead of rules).'),
  })
  .strict();

/** Juno's metadata path: a proxy in each router's namespace, the metadata agent beside the L3 agent, Nova's metadata service. */
export const MetadataSchema = z
  .object({
    node: NameSchema.describe("The controller running Nova's metadata service (nova-api-metadata, port 8775) and neutron-server (9696)."),
    address: Ipv4Schema.describe("nova_metadata_ip: the controller's address, on a network the routers' nodes also join."),
    secret: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-" (at most 64)')
      .default('metadata-secret')
      .describe('metadata_proxy_shared_secret, the same in the agent and Nova: the agent signs each instance id with it.'),
  })
  .strict();

export const CloudSchema = z
  .object({
    l2population: z
      .boolean()
      .default(false)
      .describe(
        'The l2population driver: br-tun gets a unicast flow per remote port and floods only to nodes with ports on the network (DVR needs it).',
      ),
    arpResponder: z
      .boolean()
      .optional()
      .describe(
        "The OVS agent's arp_responder (Juno or later, with l2population): br-tun's table 21 answers a VM's ARP for a remote port itself, from l2population's entries.",
      ),
    linuxbridge: z
      .object({
        localNetwork: NameSchema.describe(
          "The topology network whose address each node's vxlan devices use as local IP (a NIC of its own: kernel VXLAN, not OVS's).",
        ),
      })
      .strict()
      .optional()
      .describe('The Linux bridge agent, for networks with agent: linuxbridge.'),
    dvr: z
      .record(NameSchema, DvrHostSchema)
      .optional()
      .describe('Per agent node, for distributed routing (on wherever a router is distributed): its DVR MAC and floating-IP gateway port.'),
    physnets: z.record(NameSchema, PhysnetSchema).default({}),
    tunnelNetwork: NameSchema.optional().describe('The topology network whose addresses are the tunnel endpoints (local_ip).'),
    networks: z.record(NameSchema, CloudNetworkSchema).default({}),
    vms: z.record(NameSchema, VmSchema).default({}),
    routers: z.record(NameSchema, RouterSchema).default({}),
    floatingIps: z.array(FloatingIpSchema).default([]),
    securityGroups: z.record(NameSchema, SecurityGroupSchema).default({}),
    pools: z.record(NameSchema, PoolSchema).default({}),
    healthMonitors: z
      .record(NameSchema, HealthMonitorSchema)
      .optional()
      .describe('LBaaS v1 health monitors on their own, as the API keeps them: a pool names one as its monitor.'),
    firewalls: z.record(NameSchema, FirewallSchema).default({}),
    firewallRules: z
      .record(NameSchema, FirewallRuleSchema)
      .optional()
      .describe('FWaaS v1 rules on their own, as the API keeps them: a policy lists them by name.'),
    firewallPolicies: z
      .record(NameSchema, FirewallPolicySchema)
      .optional()
      .describe('FWaaS v1 policies: ordered rules, which a firewall names as its policy.'),
    metadata: MetadataSchema.optional().describe(
      "The metadata service: each router's namespace proxies 169.254.169.254:80 (its nat table's REDIRECT to 9697) to it.",
    ),
  })
  .strict();

export type Cloud = z.infer<typeof CloudSchema>;
export type CloudNetwork = z.infer<typeof CloudNetworkSchema>;
export type Vm = z.infer<typeof VmSchema>;
export type Release = z.infer<typeof ReleaseSchema>;

/** What the cloud is resolved and rendered from: a lab's id (the seed of its stable ids), release, topology and cloud. */
export interface CloudSource {
  id: string;
  release: Release;
  topology: Topology;
  cloud: Cloud;
}
export type NetworkType = z.infer<typeof NetworkTypeSchema>;
export type SecurityGroupRule = z.infer<typeof SecurityGroupRuleSchema>;
export type FirewallRule = z.infer<typeof FirewallRuleSchema>;
export type Pool = z.infer<typeof PoolSchema>;
export type HealthMonitor = z.infer<typeof HealthMonitorSchema>;
