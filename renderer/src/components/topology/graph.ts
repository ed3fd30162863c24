import type { IpInterface, NodeSnapshot } from '../../../../main/api/view';

/**
 * The lab's wiring read from node snapshots: per node its OVS bridges with their ports, its
 * Linux bridges (Nova's qbr) with their members, its network namespaces with their interfaces;
 * the links between them (patch ports, veth pairs, OVS internal ports moved into a namespace)
 * and the tunnels between nodes. Only what the snapshots show — nothing is assumed from the lab file.
 */

export type ChipKind = 'port' | 'member' | 'nsif' | 'host';

/** Something a link can end at: an OVS port, a Linux bridge member, a namespace's interface. */
export interface Chip {
  id: string;
  kind: ChipKind;
  name: string;
  /** OVS port's VLAN tag. */
  tag?: number;
  /** OVS interface type ('' system, internal, patch, gre, vxlan, …), or the kernel kind. */
  type?: string;
  addresses?: string[];
}

export interface BridgeBox {
  id: string;
  name: string;
  kind: 'ovs' | 'linux';
  chips: Chip[];
}

export interface NamespaceBox {
  id: string;
  name: string;
  chips: Chip[];
}

export interface NodeBox {
  id: string;
  name: string;
  bridges: BridgeBox[];
  namespaces: NamespaceBox[];
  /** The node's own interfaces with an address that no bridge holds (eth0 on the management network…). */
  interfaces: Chip[];
  error?: string;
}

/** A Docker network between nodes, and where each node is attached to it. */
export interface NetworkLine {
  name: string;
  members: { node: string; chip: string; address?: string }[];
}

export type LinkKind = 'patch' | 'veth' | 'internal';

export interface Link {
  kind: LinkKind;
  node: string;
  from: string;
  to: string;
}

export interface Tunnel {
  type: string;
  fromNode: string;
  /** The tunnel port's chip. */
  from: string;
  /** The remote node, when one of the lab's nodes holds remote_ip. */
  toNode?: string;
  /** The remote node's tunnel port back, when it has one. */
  to?: string;
  remoteIp: string;
  key?: string;
}

export interface Topology {
  nodes: NodeBox[];
  links: Link[];
  tunnels: Tunnel[];
  networks: NetworkLine[];
}

export interface NodeInput {
  node: string;
  snapshot?: NodeSnapshot;
  error?: string;
  /** The node's attachments to the lab's Docker networks (from the session). */
  attachments?: { interface: string; network: string; address?: string }[];
}

const TUNNEL_TYPES = new Set(['gre', 'vxlan', 'geneve', 'stt', 'gre64', 'lisp']);

export const chipId = (node: string, place: string, name: string) => `${node}/${place}/${name}`;

export function buildTopology(inputs: readonly NodeInput[]): Topology {
  const topology: Topology = { nodes: [], links: [], tunnels: [], networks: [] };
  const networks = new Map<string, NetworkLine>();
  /** Each node's own addresses (root namespace), to find a tunnel's far end. */
  const addresses = new Map<string, Set<string>>();
  const tunnelPorts: { node: string; chip: string; type: string; remote: string; key?: string }[] = [];

  for (const { node, snapshot, error, attachments } of inputs) {
    const box: NodeBox = { id: node, name: node, bridges: [], namespaces: [], interfaces: [], ...(error ? { error } : {}) };
    topology.nodes.push(box);
    if (!snapshot) continue;
    const root = snapshot.namespaces.find((n) => n.name === '');
    addresses.set(node, new Set((root?.interfaces ?? []).flatMap((i) => i.addresses.map((a) => a.address))));

    /** Where a root-namespace device shows: its OVS port's chip, or its Linux bridge member chip. */
    const rootChip = new Map<string, string>();
    const ovsPorts = new Map<string, { chip: string; type: string }>();
    for (const bridge of snapshot.ovs.bridges) {
      const chips: Chip[] = [];
      for (const port of bridge.ports) {
        if (port.name === bridge.name) continue; // the bridge's own internal port
        const iface = port.interfaces[0];
        const chip: Chip = {
          id: chipId(node, bridge.name, port.name),
          kind: 'port',
          name: port.name,
          ...(port.tag === undefined ? {} : { tag: port.tag }),
          type: iface?.type ?? '',
        };
        chips.push(chip);
        for (const i of port.interfaces) {
          rootChip.set(i.name, chip.id);
          ovsPorts.set(i.name, { chip: chip.id, type: i.type });
          if (TUNNEL_TYPES.has(i.type) && i.options.remote_ip) {
            tunnelPorts.push({ node, chip: chip.id, type: i.type, remote: i.options.remote_ip, ...keyOf(i.options) });
          }
        }
      }
      box.bridges.push({ id: `${node}/${bridge.name}`, name: bridge.name, kind: 'ovs', chips });
    }

    // Linux bridges (Nova's qbr), with the devices enslaved to them.
    const rootInterfaces = root?.interfaces ?? [];
    for (const linux of rootInterfaces.filter((i) => i.kind === 'bridge')) {
      const chips = rootInterfaces
        .filter((i) => i.master === linux.name)
        .map((i): Chip => ({ id: chipId(node, linux.name, i.name), kind: 'member', name: i.name, ...(i.kind ? { type: i.kind } : {}) }));
      for (const chip of chips) if (!rootChip.has(chip.name)) rootChip.set(chip.name, chip.id);
      box.bridges.push({ id: `${node}/${linux.name}`, name: linux.name, kind: 'linux', chips });
    }

    const nsChip = new Map<string, string>(); // `${namespace}\0${device}` → chip
    for (const ns of snapshot.namespaces) {
      if (ns.name === '') continue;
      const chips = ns.interfaces
        .filter((i) => i.name !== 'lo')
        .map((i): Chip => ({
          id: chipId(node, `ns:${ns.name}`, i.name),
          kind: 'nsif',
          name: i.name,
          ...(i.kind ? { type: i.kind } : {}),
          addresses: i.addresses.filter((a) => a.family === 'inet').map((a) => `${a.address}/${a.prefix}`),
        }));
      for (const chip of chips) nsChip.set(`${ns.name}\0${chip.name}`, chip.id);
      box.namespaces.push({ id: `${node}/ns:${ns.name}`, name: ns.name, chips });
    }

    const chipOf = (namespace: string, device: string) => (namespace === '' ? rootChip.get(device) : nsChip.get(`${namespace}\0${device}`));
    const links = new Map<string, Link>();
    const addLink = (kind: LinkKind, a: string | undefined, b: string | undefined) => {
      if (!a || !b || a === b) return;
      const key = [a, b].sort().join('\0');
      if (!links.has(key)) links.set(key, { kind, node, from: a, to: b });
    };

    // Patch ports name their peer.
    for (const bridge of snapshot.ovs.bridges) {
      for (const port of bridge.ports) {
        for (const i of port.interfaces)
          if (i.type === 'patch' && i.options.peer) addLink('patch', ovsPorts.get(i.name)?.chip, ovsPorts.get(i.options.peer)?.chip);
      }
    }

    // OVS internal ports moved into a namespace (the L3 agent's qr-/qg-, an internal DHCP tap).
    for (const ns of snapshot.namespaces) {
      if (ns.name === '') continue;
      for (const i of ns.interfaces) {
        const port = ovsPorts.get(i.name);
        if (port?.type === 'internal') addLink('internal', port.chip, nsChip.get(`${ns.name}\0${i.name}`));
      }
    }

    // veth pairs: by the kernel's peer index; then by Neutron's names for the ends.
    const paired = new Set<string>();
    for (const [a, b] of vethPairs(snapshot)) {
      const from = chipOf(a.namespace, a.iface.name);
      const to = chipOf(b.namespace, b.iface.name);
      paired.add(`${a.namespace}\0${a.iface.name}`).add(`${b.namespace}\0${b.iface.name}`);
      addLink('veth', from, to);
    }
    for (const [a, b] of namedPairs(
      rootInterfaces.map((i) => i.name),
      snapshot,
    )) {
      if (paired.has(`${a.namespace}\0${a.name}`) || paired.has(`${b.namespace}\0${b.name}`)) continue;
      addLink('veth', chipOf(a.namespace, a.name), chipOf(b.namespace, b.name));
    }
    topology.links.push(...links.values());
    box.bridges.sort((x, y) => bridgeRank(x) - bridgeRank(y));

    // The node's own addressed interfaces that no bridge holds: a node without OVS is not an empty box.
    const attached = new Set((attachments ?? []).map((a) => a.interface));
    for (const i of rootInterfaces) {
      if (i.name === 'lo' || rootChip.has(i.name) || i.kind === 'bridge' || i.master) continue;
      const inet = i.addresses.filter((a) => a.family === 'inet').map((a) => `${a.address}/${a.prefix}`);
      if (inet.length === 0 && !attached.has(i.name)) continue;
      const chip: Chip = {
        id: chipId(node, 'host', i.name),
        kind: 'host',
        name: i.name,
        ...(i.kind ? { type: i.kind } : {}),
        addresses: inet,
      };
      box.interfaces.push(chip);
      rootChip.set(i.name, chip.id);
    }
    for (const a of attachments ?? []) {
      const chip = rootChip.get(a.interface);
      if (!chip) continue;
      const line = networks.get(a.network) ?? { name: a.network, members: [] };
      networks.set(a.network, line);
      line.members.push({ node, chip, ...(a.address ? { address: a.address } : {}) });
    }
  }
  topology.networks = [...networks.values()].filter((n) => n.members.length > 0);

  // Tunnels: to the node that holds remote_ip, port to port when that node tunnels back.
  const seen = new Set<string>();
  for (const port of tunnelPorts) {
    if (seen.has(port.chip)) continue;
    const toNode = [...addresses].find(([node, set]) => node !== port.node && set.has(port.remote))?.[0];
    const local = addresses.get(port.node) ?? new Set<string>();
    const back = toNode
      ? tunnelPorts.find((p) => p.node === toNode && p.type === port.type && local.has(p.remote) && !seen.has(p.chip))
      : undefined;
    seen.add(port.chip);
    if (back) seen.add(back.chip);
    topology.tunnels.push({
      type: port.type,
      fromNode: port.node,
      from: port.chip,
      remoteIp: port.remote,
      ...(toNode ? { toNode } : {}),
      ...(back ? { to: back.chip } : {}),
      ...(port.key ? { key: port.key } : {}),
    });
  }
  return topology;
}

/**
 * Bridges stacked in the order a packet climbs them: tunnel bridges on top (their tunnels leave
 * upwards to the other nodes), then physical bridges, br-int, and Nova's Linux bridges above the
 * namespaces. Stable, so equal ranks keep the database's order.
 */
function bridgeRank(bridge: BridgeBox): number {
  if (bridge.kind === 'linux') return 3;
  if (bridge.chips.some((c) => TUNNEL_TYPES.has(c.type ?? ''))) return 0;
  return bridge.name === 'br-int' ? 2 : 1;
}

function keyOf(options: Record<string, string>): { key?: string } {
  const key = options.key ?? options.out_key ?? options.in_key;
  return key === undefined ? {} : { key };
}

type Located = { namespace: string; iface: IpInterface };

/**
 * veth pairs by the kernel's word: each end's peer index names the other. An end whose peer is
 * in another namespace (peerNetnsId set) pairs with an end in another namespace that points back;
 * without it, the peer is in the same namespace.
 */
export function vethPairs(snapshot: NodeSnapshot): [Located, Located][] {
  const all: Located[] = snapshot.namespaces.flatMap((ns) => ns.interfaces.map((iface) => ({ namespace: ns.name, iface })));
  const pairs: [Located, Located][] = [];
  const used = new Set<Located>();
  for (const a of all) {
    if (used.has(a) || a.iface.kind !== 'veth' || a.iface.peerIndex === undefined) continue;
    const elsewhere = a.iface.peerNetnsId !== undefined;
    const b = all.find(
      (c) =>
        c !== a &&
        !used.has(c) &&
        c.iface.kind === 'veth' &&
        c.iface.index === a.iface.peerIndex &&
        c.iface.peerIndex === a.iface.index &&
        (elsewhere ? c.namespace !== a.namespace : c.namespace === a.namespace),
    );
    if (!b) continue;
    used.add(a).add(b);
    pairs.push([a, b]);
  }
  return pairs;
}

/** Neutron's veth ends by name: qvbX/qvoX (hybrid plug), int-br-X/phy-br-X (Icehouse bridges), tapX/ns-X (DHCP). */
export function namedPairs(
  rootDevices: readonly string[],
  snapshot: NodeSnapshot,
): [{ namespace: string; name: string }, { namespace: string; name: string }][] {
  const names = new Set(rootDevices);
  for (const bridge of snapshot.ovs.bridges) for (const port of bridge.ports) for (const i of port.interfaces) names.add(i.name);
  const pairs: [{ namespace: string; name: string }, { namespace: string; name: string }][] = [];
  for (const name of names) {
    if (name.startsWith('qvb') && names.has(`qvo${name.slice(3)}`))
      pairs.push([
        { namespace: '', name },
        { namespace: '', name: `qvo${name.slice(3)}` },
      ]);
    if (name.startsWith('int-') && names.has(`phy-${name.slice(4)}`))
      pairs.push([
        { namespace: '', name },
        { namespace: '', name: `phy-${name.slice(4)}` },
      ]);
    if (name.startsWith('tap')) {
      const inside = `ns-${name.slice(3)}`;
      const ns = snapshot.namespaces.find((n) => n.name !== '' && n.interfaces.some((i) => i.name === inside));
      if (ns)
        pairs.push([
          { namespace: '', name },
          { namespace: ns.name, name: inside },
        ]);
    }
  }
  return pairs;
}
