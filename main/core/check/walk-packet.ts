import type { EvaluatedPacket } from '../inspect/iptables/evaluate';
import type { VmPacketAsk } from './vm-packet';

/**
 * The packet a walk (walk.ts) follows, in the two forms it is asked about: as `ofproto/trace`
 * takes it (flow fields) and as iptables sees it (walk-firewall.ts, walk-router.ts). Nothing is
 * sent: a TCP packet gets a fixed source port, ICMP is an echo request.
 */

/** The source port a walk's TCP packet comes from. */
const SOURCE_PORT = 40000;

export interface WalkedAddresses {
  proto: VmPacketAsk['proto'];
  port: number | undefined;
  src: string;
  dst: string;
}

/** As a trace's flow fields; a destination MAC not known (ARP not resolved) is left out. */
export function traceFields(packet: WalkedAddresses, mac: { src: string; dst: string | undefined }, ttl: number): string {
  const l4 = packet.proto === 'icmp' ? 'icmp,icmp_type=8' : `tcp,tp_src=${SOURCE_PORT},tp_dst=${packet.port}`;
  return `dl_src=${mac.src}${mac.dst ? `,dl_dst=${mac.dst}` : ''},${l4},nw_src=${packet.src},nw_dst=${packet.dst},nw_ttl=${ttl}`;
}

/** As iptables sees it, with where it comes and goes (interfaces, physdev, conntrack states). */
export function iptablesPacket(packet: WalkedAddresses, extra: Partial<EvaluatedPacket> = {}): EvaluatedPacket {
  return {
    src: packet.src,
    dst: packet.dst,
    ...(packet.proto === 'icmp' ? { proto: 'icmp', icmpType: 8 } : { proto: 'tcp', sport: SOURCE_PORT, dport: packet.port }),
    ...extra,
  };
}
