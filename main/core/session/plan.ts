import type Docker from 'dockerode';
import { LABEL, LABEL_SCHEMA_VERSION } from '../docker/labels';
import type { Lab } from '../lab/schema';
import type { NodeRole } from '../topology/schema';

/**
 * A session is one running copy of a lab. Its plan says, without touching Docker, exactly which
 * networks and containers it consists of and how each is configured — so the safety rules
 * (capabilities, limits, no host access) are visible and tested in one place.
 */

/** Capabilities a node needs on top of Docker's default set — and no others. */
export const NODE_CAPABILITIES = ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'] as const;
/**
 * Limits that fit together, so a runaway (a fork bomb in a terminal) is contained without losing
 * the node's OVS: the pids limit (threads included) is reached long before the memory limit, so
 * the OOM killer, which would pick the biggest process (ovs-vswitchd), never runs. A fork bomb's
 * bash costs 0.2-0.35 MB here (cgroup v1: 91 MB at 256 pids, 99 MB at 512), and more where the
 * kernel charges more of its own memory: a class saw 512 pids OOM-kill a node (issue 19). 1 MB
 * per pid leaves room for both. (Lowering OVS's oom_score_adj would need CAP_SYS_RESOURCE, which
 * nodes do not get.) One CPU leaves the rest of a small machine to the other labs and the app.
 */
export const NODE_MEMORY_BYTES = 256 * 1024 * 1024;
export const NODE_PIDS_LIMIT = 256;
export const NODE_NANO_CPUS = 1_000_000_000;

export interface PlannedLink {
  network: string;
  dockerNetwork: string;
  interface: string;
  address: string | undefined;
  gateway: string | undefined;
}

export interface PlannedNode {
  name: string;
  role: NodeRole;
  containerName: string;
  links: PlannedLink[];
  labels: Record<string, string>;
}

export interface PlannedNetwork {
  name: string;
  dockerName: string;
  labels: Record<string, string>;
}

/** The boot mark: a volume made last by `up`; without it the session never finished booting. */
export interface PlannedMark {
  volumeName: string;
  /** The session's labels; `up` adds LABEL.booted, with the time, when it makes the mark. */
  labels: Record<string, string>;
}

export interface SessionPlan {
  name: string;
  id: string;
  labId: string;
  image: string;
  networks: PlannedNetwork[];
  nodes: PlannedNode[];
  mark: PlannedMark;
}

export interface PlanInput {
  lab: Lab;
  name: string;
  id: string;
  image: string;
  /** `host:pid` of the process booting the session. */
  owner: string;
  /** The lab file it was read from. */
  labFile?: string;
  /** In a workshop: the student it belongs to. */
  student?: string;
}

export const containerName = (session: string, node: string) => `nl-${session}-${node}`;
export const networkName = (session: string, network: string) => `nl-${session}-${network}`;
export const markName = (session: string, id: string) => `nl-${session}-booted-${id}`;

export function planSession(input: PlanInput): SessionPlan {
  const { lab, name, id } = input;
  const topology = lab.topology;
  const common = {
    [LABEL.managed]: LABEL_SCHEMA_VERSION,
    [LABEL.session]: name,
    [LABEL.sessionId]: id,
    [LABEL.lab]: lab.id,
    ...(input.labFile ? { [LABEL.labFile]: input.labFile } : {}),
    ...(input.student ? { [LABEL.student]: input.student } : {}),
    [LABEL.owner]: input.owner,
    [LABEL.expectedNodes]: String(Object.keys(topology.nodes).length),
    [LABEL.expectedNetworks]: String(Object.keys(topology.networks).length),
  };
  const networks = Object.keys(topology.networks).map((network) => ({
    name: network,
    dockerName: networkName(name, network),
    labels: { ...common, [LABEL.network]: network },
  }));
  const nodes = Object.entries(topology.nodes).map(([node, spec]) => {
    const links = spec.links.map((link) => ({
      network: link.network,
      dockerNetwork: networkName(name, link.network),
      interface: link.interface,
      address: link.address,
      gateway: link.gateway,
    }));
    return {
      name: node,
      role: spec.role,
      containerName: containerName(name, node),
      links,
      labels: { ...common, [LABEL.node]: node, [LABEL.role]: spec.role, [LABEL.links]: formatLinksLabel(links) },
    };
  });
  return { name, id, labId: lab.id, image: input.image, networks, nodes, mark: { volumeName: markName(name, id), labels: common } };
}

/**
 * The container for a node. `dockerSubnets` maps each Docker network to the subnet the engine
 * gave it; the node's init finds each link's interface by that subnet (see nl-init).
 */
export function nodeContainerOptions(
  plan: SessionPlan,
  node: PlannedNode,
  dockerSubnets: ReadonlyMap<string, string>,
): Docker.ContainerCreateOptions {
  const linkLines = node.links.map((link) => {
    const subnet = dockerSubnets.get(link.dockerNetwork);
    if (!subnet) throw new Error(`no Docker subnet known for ${link.dockerNetwork}`);
    return [subnet, link.interface, link.address ?? '-', link.gateway ?? '-'].join(' ');
  });
  const first = node.links[0];
  return {
    name: node.containerName,
    Hostname: node.name,
    Image: plan.image,
    Labels: node.labels,
    Env: [`NL_LINKS=${linkLines.join('\n')}`, `NL_NODE=${node.name}`, `NL_ROLE=${node.role}`],
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      CapAdd: [...NODE_CAPABILITIES],
      Privileged: false,
      Devices: [{ PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' }],
      Memory: NODE_MEMORY_BYTES,
      PidsLimit: NODE_PIDS_LIMIT,
      NanoCpus: NODE_NANO_CPUS,
      NetworkMode: first ? first.dockerNetwork : 'none',
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    },
    ...(first ? { NetworkingConfig: { EndpointsConfig: { [first.dockerNetwork]: {} } } } : {}),
  };
}

/** The Docker network for a topology network: a plain bridge that never NATs lab traffic out. */
export function networkCreateOptions(network: PlannedNetwork): Docker.NetworkCreateOptions {
  return {
    Name: network.dockerName,
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: network.labels,
    Options: { 'com.docker.network.bridge.enable_ip_masquerade': 'false' },
  };
}

/** `eth1=data=10.0.0.100/24,eth2=ext=-`: what status shows without inspecting each container. */
export function formatLinksLabel(links: readonly PlannedLink[]): string {
  return links.map((l) => `${l.interface}=${l.network}=${l.address ?? '-'}`).join(',');
}

export function parseLinksLabel(text: string | undefined): { interface: string; network: string; address?: string }[] {
  if (!text) return [];
  return text.split(',').flatMap((entry) => {
    const [iface, network, address] = entry.split('=');
    if (!iface || !network) return [];
    return [{ interface: iface, network, ...(address && address !== '-' ? { address } : {}) }];
  });
}
