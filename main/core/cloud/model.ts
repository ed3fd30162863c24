import { contains, formatIpv4, networkOf, parseCidr, parseIpv4, type Ipv4Cidr } from '../net/ipv4';
import type {
  Cloud,
  CloudNetwork,
  CloudSource,
  FirewallRule,
  HealthMonitor,
  NetworkType,
  Pool,
  Release,
  SecurityGroupRule,
} from './schema';
import { deviceName, stableDvrMac, stableMac, stableUuid, tunnelPortName } from './names';

/**
 * The cloud of a lab file, resolved: every id, MAC, prefix and gateway filled in, local VLANs
 * allocated per node, tunnel endpoints and ports worked out. Pure, and assumes a lab that
 * passed validation (lint reports what would make it fail).
 */

export interface ResolvedSubnet {
  name: string;
  id: string;
  cidr: string;
  prefix: number;
  gateway: string;
  /** What DHCP offers as resolvers (none: dnsmasq offers itself only when it serves DNS, which Neutron's does not here). */
  dnsNameservers: string[];
}

export interface ResolvedNetwork {
  name: string;
  id: string;
  type: NetworkType;
  segment: number | undefined;
  physnet: string | undefined;
  external: boolean;
  subnets: ResolvedSubnet[];
  /** The MTU its ports take: the lab's, else what fits the tunnel. */
  mtu: number;
  /** What fits the tunnel: 1500 less its overhead (DHCP option 26 advertises it when the ports' is larger). */
  tunnelMtu: number;
  /** The L2 agent wiring its ports, and (OVS) how VMs plug in: hybrid (qbr) or noop (tap on br-int). */
  agent: 'openvswitch' | 'linuxbridge';
  firewall: 'hybrid' | 'noop';
}

export interface ResolvedPort {
  /** The VM name, or `dhcp-<network>`. */
  name: string;
  owner: 'vm' | 'dhcp';
  node: string;
  network: ResolvedNetwork;
  subnet: ResolvedSubnet;
  address: string;
  mac: string;
  portId: string;
  /** Take the address by DHCP (VMs that ask for it) instead of configuring it. */
  dhcp: boolean;
  /** The security groups on the port, in the lab's order (none: the port is not filtered). */
  securityGroups: string[];
  /** A VM's web server port, if it runs one. */
  http: number | undefined;
  /** A VM's Nova instance id: its port's device_id. */
  instanceId: string | undefined;
}

/** Nova's metadata service and what the metadata agent needs to reach it (cloud.metadata). */
export interface ResolvedMetadata {
  /** The controller running nova-api-metadata and neutron-server. */
  node: string;
  /** nova_metadata_ip; neutron-server listens there too. */
  address: string;
  secret: string;
  /** The one tenant (Keystone project) every port and instance of the lab belongs to. */
  tenantId: string;
}

export interface ResolvedSecurityGroup {
  name: string;
  id: string;
  rules: SecurityGroupRule[];
}

export interface TunnelPort {
  name: string;
  type: 'gre' | 'vxlan';
  localIp: string;
  remoteIp: string;
  remoteNode: string;
  ofport: number;
}

export interface PhysicalBridge {
  physnet: string;
  bridge: string;
  /** The node's NIC on the physical network. */
  interface: string;
  /** br-int's end and the bridge's end of their link (veth up to Icehouse, patch ports later). */
  intPort: string;
  phyPort: string;
}

/** A Neutron port that an agent plugs into a namespace as an OVS internal port: a router's qr-/qg-, a VIP's tap. */
export interface NamespacePort {
  network: ResolvedNetwork;
  subnet: ResolvedSubnet;
  address: string;
  mac: string;
  portId: string;
  /** qr-…, qg-… or tap… (14 characters, from the port id). */
  device: string;
}

/** A port on an external network's bridge in a namespace: a router's qg-, a host's fg-. */
export type ExternalPort = NamespacePort & { nexthop: string; bridge: string; nic: string | undefined };

/** A distributed router's link to the host's fip- namespace: rfp- (in qrouter) ↔ fpr- (in fip-), a /31 from 169.254.30.0/23. */
export interface FipLink {
  rfp: string;
  fpr: string;
  rfpAddress: string;
  fprAddress: string;
}

export interface ResolvedRouter {
  name: string;
  id: string;
  /** The network node: qrouter-<id> of a centralised router, snat-<id> of a distributed one. */
  node: string;
  distributed: boolean;
  /** Where qrouter-<id> runs: the network node, or (distributed) every compute with a VM on the router's subnets. */
  hosts: string[];
  /** The iptables chain prefix: the hosting agent's name cut to 16 characters (neutron-l3-agent, neutron-vpn-agen). */
  chainPrefix: string;
  interfaces: NamespacePort[];
  gateway: ExternalPort | undefined;
  /** Distributed routers with a gateway: the sg- port per interface (same order), in snat-<id>. */
  snatPorts: NamespacePort[];
  /** Distributed routers: the rfp-/fpr- pair on hosts with floating IPs. */
  fipLink: FipLink | undefined;
  /** `node`: where the floating IP is served (the router's node, or the VM's for a distributed router). */
  floatingIps: { address: string; fixed: string; vm: string; node: string }[];
}

export interface ResolvedFirewall {
  name: string;
  id: string;
  router: ResolvedRouter;
  rules: FirewallRule[];
}

export interface ResolvedPool {
  name: string;
  id: string;
  node: string;
  network: ResolvedNetwork;
  /** The VIP's port: a tap… internal port in qlbaas-<pool id>. */
  vip: NamespacePort & { id: string; port: number };
  protocol: Pool['protocol'];
  method: Pool['method'];
  members: { id: string; vm: string; address: string; port: number; weight: number }[];
  monitor: Omit<HealthMonitor, 'id'> | undefined;
}

export interface NodeModel {
  name: string;
  /** Runs Neutron's agents (not an external host). */
  agents: boolean;
  /** The tunnel endpoint: interface and address/prefix on the tunnel network. */
  underlay: { interface: string; cidr: string; address: string } | undefined;
  /** Network name → local VLAN id, for networks with a port on this node. */
  localVlans: Map<string, number>;
  tunnels: TunnelPort[];
  physicalBridges: PhysicalBridge[];
  /** Distributed routing: the host's DVR MAC. */
  dvrMac: string | undefined;
  /** Distributed routing: the fg- port of fip-<external network id>, on hosts serving floating IPs. */
  fipGateway: ExternalPort | undefined;
  /** The Linux bridge agent's NIC and local IP for VXLAN (cloud.linuxbridge.localNetwork). */
  linuxbridge: { interface: string; address: string } | undefined;
}

export interface CloudModel {
  labId: string;
  release: Release;
  /** Juno and later: fail_mode=secure, tables 0/2/3/4/10/20/22, hex tunnel names, patch ports to br-ethX. */
  junoOrLater: boolean;
  /** l2population: unicast flows per remote port, floods only where the network is. */
  l2population: boolean;
  /** arp_responder: br-tun answers ARP for remote ports (table 21). */
  arpResponder: boolean;
  /** A router is distributed: every agent node runs the DVR flows. */
  distributedRouting: boolean;
  networks: Map<string, ResolvedNetwork>;
  ports: ResolvedPort[];
  routers: ResolvedRouter[];
  securityGroups: Map<string, ResolvedSecurityGroup>;
  firewalls: ResolvedFirewall[];
  pools: ResolvedPool[];
  metadata: ResolvedMetadata | undefined;
  nodes: Map<string, NodeModel>;
}

/** Where the L3 agent's link-local pairs for rfp-/fpr- start (its FIP_LL_SUBNET is 169.254.30.0/23). */
const FIP_LINK_LOCAL_START = '169.254.31.28';

const MTU: Record<NetworkType, number> = { local: 1500, flat: 1500, vlan: 1500, gre: 1458, vxlan: 1450 };

export function resolveCloud(lab: CloudSource): CloudModel {
  const cloud: Cloud = lab.cloud;
  const release: Release = lab.release;
  const junoOrLater = release !== 'icehouse';

  const networks = new Map<string, ResolvedNetwork>();
  for (const [name, network] of Object.entries(cloud.networks)) networks.set(name, resolveNetwork(lab.id, name, network));

  const ports: ResolvedPort[] = [];
  for (const [name, network] of Object.entries(cloud.networks)) {
    if (!network.dhcp) continue;
    const resolved = networks.get(name) as ResolvedNetwork;
    const subnet = resolved.subnets.find((s) => inside(s.cidr, network.dhcp?.address ?? '')) ?? (resolved.subnets[0] as ResolvedSubnet);
    const portId = network.dhcp.portId ?? stableUuid(lab.id, 'dhcp-port', name);
    ports.push({
      name: `dhcp-${name}`,
      owner: 'dhcp',
      node: network.dhcp.node,
      network: resolved,
      subnet,
      address: network.dhcp.address,
      mac: network.dhcp.mac ?? stableMac(lab.id, 'dhcp-port', name),
      portId,
      dhcp: false,
      securityGroups: [],
      http: undefined,
      instanceId: undefined,
    });
  }
  for (const [name, vm] of Object.entries(cloud.vms)) {
    const network = networks.get(vm.network) as ResolvedNetwork;
    const subnet =
      (vm.subnet ? network.subnets.find((s) => s.name === vm.subnet) : network.subnets.find((s) => inside(s.cidr, vm.address))) ??
      (network.subnets[0] as ResolvedSubnet);
    ports.push({
      name,
      owner: 'vm',
      node: vm.node,
      network,
      subnet,
      address: vm.address,
      mac: vm.mac ?? stableMac(lab.id, 'vm-port', name),
      portId: vm.portId ?? stableUuid(lab.id, 'vm-port', name),
      dhcp: vm.dhcp,
      securityGroups: vm.securityGroups ?? [],
      http: vm.http,
      instanceId: vm.instanceId ?? stableUuid(lab.id, 'instance', name),
    });
  }

  /** A port on an external network, plugged into its bridge on `node` (qg-, fg-). */
  const externalPort = (
    node: string,
    networkName: string,
    address: string,
    ids: { portId: string; mac: string; prefix: 'qg-' | 'fg-' },
  ): ExternalPort => {
    const network = networks.get(networkName) as ResolvedNetwork;
    const subnet = network.subnets.find((s) => inside(s.cidr, address)) ?? (network.subnets[0] as ResolvedSubnet);
    const physnet = network.physnet ? cloud.physnets[network.physnet] : undefined;
    const link = physnet ? lab.topology.nodes[node]?.links.find((l) => l.network === physnet.network) : undefined;
    return {
      network,
      subnet,
      address,
      mac: ids.mac,
      portId: ids.portId,
      device: deviceName(ids.prefix, ids.portId),
      nexthop: subnet.gateway,
      bridge: physnet?.bridge ?? 'br-ex',
      nic: link?.interface,
    };
  };

  let linkLocal = parseIpv4(FIP_LINK_LOCAL_START) as number;
  const routers: ResolvedRouter[] = Object.entries(cloud.routers).map(([name, router]) => {
    const id = router.id ?? stableUuid(lab.id, 'router', name);
    const port = (
      network: ResolvedNetwork,
      subnet: ResolvedSubnet,
      address: string,
      prefix: 'qr-' | 'sg-',
      key: string,
      given: { portId?: string | undefined; mac?: string | undefined },
    ): NamespacePort => {
      const portId = given.portId ?? stableUuid(lab.id, 'router-port', name, key);
      return {
        network,
        subnet,
        address,
        mac: given.mac ?? stableMac(lab.id, 'router-port', name, key),
        portId,
        device: deviceName(prefix, portId),
      };
    };
    const subnetOf = (ref: string) => {
      const [networkName = '', subnetName = ''] = ref.split('/');
      const network = networks.get(networkName) as ResolvedNetwork;
      return { network, subnet: network.subnets.find((s) => s.name === subnetName) as ResolvedSubnet };
    };
    const interfaces = router.interfaces.map((iface) => {
      const { network, subnet } = subnetOf(iface.subnet);
      return port(network, subnet, subnet.gateway, 'qr-', iface.subnet, iface);
    });
    const gateway = router.gateway
      ? externalPort(router.node, router.gateway.network, router.gateway.address, {
          portId: router.gateway.portId ?? stableUuid(lab.id, 'router-port', name, 'gateway'),
          mac: router.gateway.mac ?? stableMac(lab.id, 'router-port', name, 'gateway'),
          prefix: 'qg-',
        })
      : undefined;
    const snatPorts =
      router.distributed && gateway
        ? router.interfaces.flatMap((iface) => {
            if (!iface.snat) return [];
            const { network, subnet } = subnetOf(iface.subnet);
            return [port(network, subnet, iface.snat.address, 'sg-', `snat ${iface.subnet}`, iface.snat)];
          })
        : [];
    // A distributed router lives wherever a VM on one of its subnets does.
    const hosts = router.distributed
      ? Object.keys(lab.topology.nodes).filter((node) =>
          ports.some((p) => p.owner === 'vm' && p.node === node && interfaces.some((i) => i.subnet === p.subnet)),
        )
      : [router.node];
    // Associated ones only: an allocated floating IP is a row in Neutron's database, nothing on a node.
    const floatingIps = cloud.floatingIps.flatMap((fip) =>
      fip.router === name && fip.vm !== undefined
        ? [
            {
              address: fip.address,
              fixed: cloud.vms[fip.vm]?.address ?? '',
              vm: fip.vm,
              node: router.distributed ? (cloud.vms[fip.vm]?.node ?? router.node) : router.node,
            },
          ]
        : [],
    );
    let fipLink: FipLink | undefined;
    if (router.distributed && floatingIps.length > 0) {
      fipLink = {
        rfp: deviceName('rfp-', id),
        fpr: deviceName('fpr-', id),
        rfpAddress: formatIpv4(linkLocal),
        fprAddress: formatIpv4(linkLocal + 1),
      };
      linkLocal += 2;
    }
    return {
      name,
      id,
      node: router.node,
      distributed: router.distributed,
      hosts,
      chainPrefix: router.hostedBy.slice(0, 16),
      interfaces,
      gateway,
      snatPorts,
      fipLink,
      floatingIps,
    };
  });
  const distributedRouting = routers.some((r) => r.distributed);

  // The LBaaS agent deploys a pool once it has a VIP; until then it is only the API's.
  const pools = Object.entries(cloud.pools).flatMap(([name, pool]): ResolvedPool[] => {
    if (!pool.vip) return [];
    const [networkName = '', subnetName = ''] = pool.subnet.split('/');
    const network = networks.get(networkName) as ResolvedNetwork;
    const subnet = network.subnets.find((s) => s.name === subnetName) as ResolvedSubnet;
    const portId = pool.vip.portId ?? stableUuid(lab.id, 'vip-port', name);
    return [
      {
        name,
        id: pool.id ?? stableUuid(lab.id, 'pool', name),
        node: pool.node,
        network,
        vip: {
          id: pool.vip.id ?? stableUuid(lab.id, 'vip', name),
          port: pool.vip.port,
          network,
          subnet,
          address: pool.vip.address,
          mac: pool.vip.mac ?? stableMac(lab.id, 'vip-port', name),
          portId,
          device: deviceName('tap', portId),
        },
        protocol: pool.protocol,
        method: pool.method,
        members: pool.members.map((m) => ({
          id: m.id ?? stableUuid(lab.id, 'member', name, m.vm),
          vm: m.vm,
          address: cloud.vms[m.vm]?.address ?? '',
          port: m.port,
          weight: m.weight,
        })),
        monitor: typeof pool.monitor === 'string' ? withoutId(cloud.healthMonitors?.[pool.monitor]) : pool.monitor,
      },
    ];
  });

  // OVS tunnels: only for the networks the OVS agent wires.
  const tunnelTypes = (['gre', 'vxlan'] as const).filter((t) =>
    [...networks.values()].some((n) => n.type === t && n.agent === 'openvswitch'),
  );
  const agentNodes = Object.entries(lab.topology.nodes).filter(([, node]) => node.role !== 'external');
  const endpoints = cloud.tunnelNetwork
    ? agentNodes.flatMap(([name, node]) => {
        const link = node.links.find((l) => l.network === cloud.tunnelNetwork && l.address);
        return link?.address
          ? [{ node: name, interface: link.interface, cidr: link.address, address: link.address.split('/')[0] as string }]
          : [];
      })
    : [];

  const nodes = new Map<string, NodeModel>();
  for (const [name, node] of Object.entries(lab.topology.nodes)) {
    // A controller runs neutron-server, no agent; an external host is outside the cloud.
    const agents = node.role === 'network' || node.role === 'compute';
    const endpoint = endpoints.find((e) => e.node === name);
    // A network gets a local VLAN on a node once a port of it is on that node's br-int: the one
    // the lab keeps for it there, else the lowest free, in the networks' order.
    const onNode = [...networks.values()].filter(
      (network) =>
        network.agent === 'openvswitch' &&
        (ports.some((p) => p.node === name && p.network === network) ||
          routers.some((r) => r.hosts.includes(name) && r.interfaces.some((i) => i.network === network)) ||
          routers.some((r) => r.node === name && r.snatPorts.some((p) => p.network === network)) ||
          pools.some((p) => p.node === name && p.network === network)),
    );
    const kept = (network: ResolvedNetwork) => cloud.networks[network.name]?.localVlans?.[name];
    const taken = new Set(onNode.map(kept).filter((vlan) => vlan !== undefined));
    const localVlans = new Map<string, number>();
    let next = 1;
    for (const network of onNode) {
      let vlan = kept(network);
      if (vlan === undefined) {
        while (taken.has(next)) next++;
        vlan = next++;
      }
      localVlans.set(network.name, vlan);
    }
    let ofport = 2; // patch-int is 1 on br-tun, as in the book's dumps
    const tunnels: TunnelPort[] = [];
    if (endpoint && tunnelTypes.length > 0) {
      for (const type of tunnelTypes) {
        endpoints.forEach((remote, index) => {
          if (remote.node === name) return;
          tunnels.push({
            name: tunnelPortName(type, { address: remote.address, index: index + 1 }, junoOrLater),
            type,
            localIp: endpoint.address,
            remoteIp: remote.address,
            remoteNode: remote.node,
            ofport: ofport++,
          });
        });
      }
    }
    const physicalBridges: PhysicalBridge[] = [];
    for (const [physnet, spec] of Object.entries(cloud.physnets)) {
      const link = node.links.find((l) => l.network === spec.network);
      if (!agents || !link) continue;
      // A physnet that only external networks use is the L3 agent's br-ex (Icehouse's
      // external_network_bridge): no link to br-int, no VLAN translation.
      // So is one on the topology's external network that no network uses yet (a sandbox's extnet).
      const uses = Object.values(cloud.networks).filter((n) => n.physnet === physnet);
      if (uses.length > 0 && uses.every((n) => n.external)) continue;
      if (uses.length === 0 && lab.topology.networks[spec.network]?.kind === 'external') continue;
      const bridge = spec.bridge ?? `br-${link.interface}`;
      physicalBridges.push({ physnet, bridge, interface: link.interface, intPort: `int-${bridge}`, phyPort: `phy-${bridge}` });
    }
    const dvr = cloud.dvr?.[name];
    const dvrMac = distributedRouting && agents ? (dvr?.mac ?? stableDvrMac(lab.id, name)) : undefined;
    const external = routers.find((r) => r.distributed && r.gateway && r.floatingIps.some((f) => f.node === name))?.gateway?.network;
    const fipGateway =
      distributedRouting && dvr?.fipGateway && external
        ? externalPort(name, external.name, dvr.fipGateway.address, {
            portId: dvr.fipGateway.portId ?? stableUuid(lab.id, 'fip-gateway-port', name),
            mac: dvr.fipGateway.mac ?? stableMac(lab.id, 'fip-gateway-port', name),
            prefix: 'fg-',
          })
        : undefined;
    const lbNetwork = cloud.linuxbridge?.localNetwork;
    const lbLink = lbNetwork ? node.links.find((l) => l.network === lbNetwork && l.address) : undefined;
    const linuxbridge = lbLink?.address ? { interface: lbLink.interface, address: lbLink.address.split('/')[0] as string } : undefined;
    nodes.set(name, { name, agents, underlay: endpoint, localVlans, tunnels, physicalBridges, dvrMac, fipGateway, linuxbridge });
  }

  const securityGroups = new Map(
    Object.entries(cloud.securityGroups).map(([name, group]) => [
      name,
      { name, id: group.id ?? stableUuid(lab.id, 'security-group', name), rules: group.rules },
    ]),
  );

  const firewalls = Object.entries(cloud.firewalls).map(([name, firewall]): ResolvedFirewall => ({
    name,
    id: firewall.id ?? stableUuid(lab.id, 'firewall', name),
    router: routers.find((r) => r.name === firewall.router) as ResolvedRouter,
    rules: firewall.rules ?? (cloud.firewallPolicies?.[firewall.policy ?? '']?.rules ?? []).flatMap((r) => cloud.firewallRules?.[r] ?? []),
  }));

  return {
    labId: lab.id,
    release,
    junoOrLater,
    l2population: cloud.l2population,
    arpResponder: cloud.arpResponder ?? false,
    distributedRouting,
    networks,
    ports,
    routers,
    securityGroups,
    firewalls,
    pools,
    metadata: cloud.metadata && {
      ...cloud.metadata,
      // Keystone's project ids are UUIDs without dashes.
      tenantId: stableUuid(lab.id, 'tenant').replaceAll('-', ''),
    },
    nodes,
  };
}

function resolveNetwork(labId: string, name: string, network: CloudNetwork): ResolvedNetwork {
  const subnets = Object.entries(network.subnets).map(([subnetName, subnet]): ResolvedSubnet => {
    // Validated already: the schema reads every subnet's CIDR.
    const cidr = parseCidr(subnet.cidr) as Ipv4Cidr;
    return {
      name: subnetName,
      id: subnet.id ?? stableUuid(labId, 'subnet', name, subnetName),
      cidr: subnet.cidr,
      prefix: cidr.prefix,
      // Neutron's default gateway: the subnet's first host address.
      gateway: subnet.gateway ?? formatIpv4(networkOf(cidr) + 1),
      dnsNameservers: subnet.dnsNameservers ?? [],
    };
  });
  return {
    name,
    id: network.id ?? stableUuid(labId, 'network', name),
    type: network.type,
    segment: network.segment,
    physnet: network.physnet,
    external: network.external,
    subnets,
    mtu: network.mtu ?? MTU[network.type],
    tunnelMtu: MTU[network.type],
    agent: network.agent,
    firewall: network.firewall,
  };
}

function inside(cidr: string, address: string): boolean {
  const subnet = parseCidr(cidr);
  const ip = parseIpv4(address);
  return subnet !== undefined && ip !== undefined && contains(subnet, ip);
}

/** A health monitor as haproxy uses it: its API id is not its business. */
function withoutId(monitor: HealthMonitor | undefined): Omit<HealthMonitor, 'id'> | undefined {
  if (!monitor) return undefined;
  const { id: _, ...rest } = monitor;
  return rest;
}
