/** What a capture is on, and what it sees: plain data, for the API's contract too (no Node in here). */

/** A capture of the app ends by itself at this many packets, or after CAPTURE_SECONDS: capture costs nothing while unused. */
export const CAPTURE_LIMIT = 10_000;
export const CAPTURE_SECONDS = 300;

export interface CaptureTarget {
  node: string;
  /** The interface as the node (or the namespace) names it: eth1, br-phy, tap…, qr-…. */
  iface: string;
  netns?: string;
}

export interface CapturedPacket {
  /** When the interface saw it: ISO 8601, UTC, to the microsecond. */
  time: string;
  node: string;
  netns?: string;
  iface: string;
  /** tcpdump's line: link addresses, VLAN tags, GRE keys, VXLAN VNIs and the inner frame. */
  summary: string;
}

/** One line of Wireshark's tree for a packet: a field, with the fields it is made of. */
export interface DecodedField {
  /** The dissector's field name (`ip.ttl`, `gre.key`, `vxlan.vni`); empty for a plain text line. */
  name: string;
  /** What Wireshark shows: "Time to Live: 64", "Key: 0x00000001". */
  text: string;
  /** The field's value as Wireshark displays it alone ("64", "0x00000001"). */
  value?: string;
  children?: DecodedField[];
}

/** One layer of a packet (a dissector's part of it), outermost first: frame, eth, vlan, ip, gre, eth, ip, icmp. */
export interface DecodedLayer {
  /** The protocol's short name, as in a display filter: `eth`, `vlan`, `ip`, `gre`, `vxlan`, `icmp`. */
  name: string;
  /** Its tree line: "Internet Protocol Version 4, Src: 10.0.0.101, Dst: 10.0.0.100". */
  text: string;
  fields: DecodedField[];
}

export interface DecodedPacket {
  /** The packet's number in its capture, from 1. */
  number: number;
  layers: DecodedLayer[];
}

/** What a probe carries, as one copy of it was seen: the headers a Neutron learner follows. */
export interface HopHeaders {
  /** 802.1Q tags, outermost first. */
  vlans: number[];
  /** The tunnel header, when the frame travels wrapped (GRE key, VXLAN or Geneve VNI) between these underlay addresses. */
  tunnel?: { kind: 'gre' | 'vxlan' | 'geneve'; id: string; src: string; dst: string };
  /** The innermost Ethernet and IPv4 headers: the VM's own packet. */
  macSrc: string;
  macDst: string;
  src: string;
  dst: string;
  ttl: number;
}

/** One copy of a followed probe: where and when it was seen, its headers, and what changed since the previous copy. */
export interface FollowHop {
  where: CaptureTarget;
  time: string;
  direction: 'request' | 'reply';
  headers: HopHeaders;
  /** The index of the copy this one came from (the earlier copy going the same way it differs from least). */
  after?: number;
  /** What changed since that copy: "802.1Q tag 101 added", "wrapped in GRE, key 0x1 (10.0.0.101 → 10.0.0.100)", "TTL 64 → 63 (routed)". */
  changes: string[];
}

export interface FollowResult {
  from: string;
  to: string;
  proto: 'icmp' | 'tcp' | 'http';
  port?: number;
  /** Whether an answer (an echo reply, a SYN-ACK or a reset) came back to the VM. */
  answered: boolean;
  /** Every copy seen, in time order. */
  hops: FollowHop[];
  /** How many interfaces were watched, on how many nodes. */
  watched: { interfaces: number; nodes: number };
}
