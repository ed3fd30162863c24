import type { CaptureTarget, DecodedField, DecodedLayer, DecodedPacket, FollowHop, HopHeaders } from './types';

/**
 * A followed probe's copies, from the packets every watched interface saw (decoded by tshark):
 * which are copies of the probe (the same ICMP id and sequence, the same TCP initial sequence
 * number: NAT changes addresses, not these), in time order, and what changed from the copy each
 * came from — a tag added or rewritten, a tunnel header with its key or VNI, a NAT'd address,
 * the TTL a router took. Pure: no Docker, no tshark here.
 */

/** A decoded packet and the interface it was seen on. */
export interface SeenPacket {
  where: CaptureTarget;
  time: string;
  packet: DecodedPacket;
}

type Probe = 'icmp' | 'tcp';

interface Identity {
  direction: 'request' | 'reply';
  /** The same for a request and its answer. */
  key: string;
}

export function followHops(seen: readonly SeenPacket[], probe: Probe, to: string): FollowHop[] {
  const copies = seen
    .map((s) => ({ ...s, identity: identityOf(s.packet.layers, probe), headers: headersOf(s.packet.layers) }))
    .filter((c): c is typeof c & { identity: Identity; headers: HopHeaders } => c.identity !== undefined && c.headers !== undefined)
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  // The probe is the first request to the address asked for that was answered (a ping tries again
  // a second later when its first packet is lost), else the first one; its copies share its key.
  const requests = copies.filter((c) => c.identity.direction === 'request' && c.headers.dst === to);
  const answered = (key: string) => copies.some((c) => c.identity.direction === 'reply' && c.identity.key === key);
  const first = requests.find((r) => answered(r.identity.key)) ?? requests[0];
  if (!first) return [];
  // Copies seen in the same microsecond (a veth pair, a bridge and its port) in the order the
  // packet passes them: out of the sending VM tap → qbr → qvb → qvo → the wire, into the other
  // end the other way round.
  const sender = first.where.node;
  const ours = copies
    .filter((c) => c.identity.key === first.identity.key)
    .map((c, order) => ({
      c,
      order,
      rank: pathRank(c.where) * ((c.where.node === sender) === (c.identity.direction === 'request') ? 1 : -1),
    }))
    .sort((a, b) => (a.c.time === b.c.time ? a.rank - b.rank : a.order - b.order))
    .map(({ c }) => c);
  return ours.map((c, index) => {
    const parent = parentOf(ours, index);
    return {
      where: c.where,
      time: c.time,
      direction: c.identity.direction,
      headers: c.headers,
      ...(parent === undefined ? {} : { after: parent }),
      changes: parent === undefined ? [] : changesBetween(ours[parent]!.headers, c.headers),
    };
  });
}

/**
 * The copy a copy came from. A copy reaches another node only over a lab network, so a copy on a
 * node's wire (eth1, eth2: the links of the topology) may come from the same frame on another
 * node's wire; every other copy came from one on its own node: of those going the same way, the
 * one it differs from least, the latest of them. Not simply the copy before: a flooded copy may
 * cross a tunnel back while the packet goes on.
 */
function parentOf(copies: readonly { where: CaptureTarget; identity: Identity; headers: HopHeaders }[], index: number): number | undefined {
  const copy = copies[index]!;
  const earlier = copies
    .map((c, at) => ({ ...c, at, differences: changesBetween(c.headers, copy.headers).length }))
    .slice(0, index)
    .filter((c) => c.identity.direction === copy.identity.direction);
  if (onWire(copy.where)) {
    const sameFrame = earlier.findLast((c) => onWire(c.where) && c.where.node !== copy.where.node && c.differences === 0);
    if (sameFrame) return sameFrame.at;
  }
  const local = earlier.filter((c) => c.where.node === copy.where.node);
  const candidates = local.length ? local : earlier;
  let best: (typeof candidates)[number] | undefined;
  for (const c of candidates) if (!best || c.differences <= best.differences) best = c;
  return best?.at;
}

const onWire = (where: CaptureTarget) => !where.netns && /^eth\d+$/.test(where.iface);

/** How far from a VM a device is on the hybrid plumbing's way to the wire. */
function pathRank(where: CaptureTarget): number {
  if (where.netns && !/^(qrouter|qdhcp|snat|fip|qlbaas)-/.test(where.netns)) return 0;
  const rank = [/^tap/, /^qbr/, /^qvb/, /^qvo/, /^(int|phy)-br/].findIndex((prefix) => prefix.test(where.iface));
  if (rank >= 0) return rank + 1;
  return onWire(where) ? 9 : 6;
}

function identityOf(layers: readonly DecodedLayer[], probe: Probe): Identity | undefined {
  if (probe === 'icmp') {
    // An error's quoted packet is inside the ICMP layer's fields, not a layer: the last ICMP layer is the packet's own.
    const icmp = layers.findLast((l) => l.name === 'icmp');
    if (!icmp) return undefined;
    const type = value(icmp, 'icmp.type');
    if (type !== '8' && type !== '0') return undefined;
    return { direction: type === '8' ? 'request' : 'reply', key: `${value(icmp, 'icmp.ident')}/${value(icmp, 'icmp.seq')}` };
  }
  const tcp = layers.findLast((l) => l.name === 'tcp');
  if (!tcp) return undefined;
  const syn = value(tcp, 'tcp.flags.syn') === '1';
  const ack = value(tcp, 'tcp.flags.ack') === '1';
  const reset = value(tcp, 'tcp.flags.reset') === '1';
  if (syn && !ack) return { direction: 'request', key: value(tcp, 'tcp.seq_raw') ?? '' };
  // The answer to a SYN acknowledges its sequence number plus one: a SYN-ACK, or a refusal.
  if ((syn && ack) || reset) return { direction: 'reply', key: String(Number(value(tcp, 'tcp.ack_raw')) - 1) };
  return undefined;
}

function headersOf(layers: readonly DecodedLayer[]): HopHeaders | undefined {
  const vlans: number[] = [];
  let tunnel: HopHeaders['tunnel'];
  let eth: DecodedLayer | undefined;
  let ip: DecodedLayer | undefined;
  for (const layer of layers) {
    if (layer.name === 'eth') eth = layer;
    else if (layer.name === 'vlan') vlans.push(Number(value(layer, 'vlan.id')));
    else if (layer.name === 'ip') ip = layer;
    else if (layer.name === 'gre' || layer.name === 'vxlan' || layer.name === 'geneve') {
      const id = layer.name === 'gre' ? value(layer, 'gre.key') : value(layer, `${layer.name}.vni`);
      // Outer headers seen so far belong to the underlay: the VM's own start again inside.
      tunnel = { kind: layer.name, id: id ?? '?', src: value(ip, 'ip.src') ?? '?', dst: value(ip, 'ip.dst') ?? '?' };
      vlans.length = 0;
    }
  }
  if (!eth || !ip) return undefined;
  return {
    vlans,
    ...(tunnel ? { tunnel } : {}),
    macSrc: value(eth, 'eth.src') ?? '?',
    macDst: value(eth, 'eth.dst') ?? '?',
    src: value(ip, 'ip.src') ?? '?',
    dst: value(ip, 'ip.dst') ?? '?',
    ttl: Number(value(ip, 'ip.ttl')),
  };
}

/** What a learner should notice between two copies of the same packet. */
export function changesBetween(before: HopHeaders, after: HopHeaders): string[] {
  const changes: string[] = [];
  const tags = (vlans: number[]) => vlans.join('/');
  if (tags(before.vlans) !== tags(after.vlans)) {
    if (!before.vlans.length) changes.push(`802.1Q tag ${tags(after.vlans)} added`);
    else if (!after.vlans.length) changes.push(`802.1Q tag ${tags(before.vlans)} removed`);
    else changes.push(`VLAN ${tags(before.vlans)} → ${tags(after.vlans)}`);
  }
  const tunnel = (t: HopHeaders['tunnel']) => (t ? `${t.kind} ${t.id} ${t.src} ${t.dst}` : '');
  if (tunnel(before.tunnel) !== tunnel(after.tunnel)) {
    if (before.tunnel) changes.push(`${tunnelName(before.tunnel)} header removed`);
    if (after.tunnel) changes.push(`wrapped in ${tunnelName(after.tunnel)} (${after.tunnel.src} → ${after.tunnel.dst})`);
  }
  if (before.src !== after.src) changes.push(`source ${before.src} → ${after.src} (SNAT)`);
  if (before.dst !== after.dst) changes.push(`destination ${before.dst} → ${after.dst} (DNAT)`);
  if (before.ttl !== after.ttl) changes.push(`TTL ${before.ttl} → ${after.ttl}${after.ttl < before.ttl ? ' (routed)' : ''}`);
  if (before.macSrc !== after.macSrc || before.macDst !== after.macDst) {
    changes.push(`Ethernet ${before.macSrc} → ${before.macDst} now ${after.macSrc} → ${after.macDst}`);
  }
  return changes;
}

function tunnelName(tunnel: NonNullable<HopHeaders['tunnel']>): string {
  return tunnel.kind === 'gre' ? `GRE, key ${tunnel.id}` : `${tunnel.kind === 'vxlan' ? 'VXLAN' : 'Geneve'}, VNI ${tunnel.id}`;
}

/** A field's value anywhere in a layer's tree. */
function value(layer: DecodedLayer | undefined, name: string): string | undefined {
  const find = (fields: readonly DecodedField[]): string | undefined => {
    for (const field of fields) {
      if (field.name === name) return field.value;
      const inner = field.children && find(field.children);
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  return layer && find(layer.fields);
}
