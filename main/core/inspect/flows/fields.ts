/**
 * OpenFlow field names and their many spellings. OVS's own dump-flows names (`dl_dst`,
 * `nw_src`, `tun_id`) are canonical; OpenFlow 1.3 names (`eth_dst`, `ip_src`, `tunnel_id`) and
 * NXM names (`NXM_OF_ETH_DST`, `NXM_NX_TUN_ID`) map onto them, so checks compare meaning.
 */

const ALIASES: Record<string, string> = {
  eth_src: 'dl_src',
  eth_dst: 'dl_dst',
  eth_type: 'dl_type',
  ip_src: 'nw_src',
  ip_dst: 'nw_dst',
  ip_proto: 'nw_proto',
  ip_dscp: 'nw_tos',
  ip_ecn: 'nw_ecn',
  tunnel_id: 'tun_id',
  tcp_src: 'tp_src',
  tcp_dst: 'tp_dst',
  udp_src: 'tp_src',
  udp_dst: 'tp_dst',
  sctp_src: 'tp_src',
  sctp_dst: 'tp_dst',
  icmp_type: 'icmp_type',
  icmp_code: 'icmp_code',
  arp_tpa: 'arp_tpa',
  NXM_OF_IN_PORT: 'in_port',
  NXM_OF_ETH_DST: 'dl_dst',
  NXM_OF_ETH_SRC: 'dl_src',
  NXM_OF_ETH_TYPE: 'dl_type',
  NXM_OF_VLAN_TCI: 'vlan_tci',
  NXM_OF_IP_TOS: 'nw_tos',
  NXM_OF_IP_PROTO: 'nw_proto',
  NXM_OF_IP_SRC: 'nw_src',
  NXM_OF_IP_DST: 'nw_dst',
  NXM_OF_TCP_SRC: 'tp_src',
  NXM_OF_TCP_DST: 'tp_dst',
  NXM_OF_UDP_SRC: 'tp_src',
  NXM_OF_UDP_DST: 'tp_dst',
  NXM_OF_ICMP_TYPE: 'icmp_type',
  NXM_OF_ICMP_CODE: 'icmp_code',
  NXM_OF_ARP_OP: 'arp_op',
  NXM_OF_ARP_SPA: 'arp_spa',
  NXM_OF_ARP_TPA: 'arp_tpa',
  NXM_NX_ARP_SHA: 'arp_sha',
  NXM_NX_ARP_THA: 'arp_tha',
  NXM_NX_TUN_ID: 'tun_id',
  NXM_NX_TUN_IPV4_SRC: 'tun_src',
  NXM_NX_TUN_IPV4_DST: 'tun_dst',
  NXM_NX_PKT_MARK: 'pkt_mark',
  NXM_NX_CT_STATE: 'ct_state',
  NXM_NX_CT_ZONE: 'ct_zone',
  NXM_NX_CT_MARK: 'ct_mark',
  OXM_OF_IN_PORT: 'in_port',
  OXM_OF_METADATA: 'metadata',
  OXM_OF_VLAN_VID: 'vlan_vid',
  OXM_OF_VLAN_PCP: 'vlan_pcp',
  OXM_OF_ETH_DST: 'dl_dst',
  OXM_OF_ETH_SRC: 'dl_src',
  OXM_OF_ETH_TYPE: 'dl_type',
  OXM_OF_IPV4_SRC: 'nw_src',
  OXM_OF_IPV4_DST: 'nw_dst',
  OXM_OF_IP_PROTO: 'nw_proto',
  OXM_OF_TUNNEL_ID: 'tun_id',
  tun_ipv4_src: 'tun_src',
  tun_ipv4_dst: 'tun_dst',
};

/** Every field name OVS prints in a match (see ovs-fields(7)), canonical spellings. */
const CANONICAL = [
  'in_port', 'in_port_oxm', 'skb_priority', 'pkt_mark', 'recirc_id', 'dp_hash', 'actset_output', 'packet_type',
  'dl_src', 'dl_dst', 'dl_type', 'dl_vlan', 'dl_vlan_pcp', 'vlan_tci', 'vlan_vid', 'vlan_pcp',
  'nw_src', 'nw_dst', 'nw_proto', 'nw_tos', 'nw_ecn', 'nw_ttl', 'nw_frag', 'ip_frag',
  'ipv6_src', 'ipv6_dst', 'ipv6_label', 'nd_target', 'nd_sll', 'nd_tll', 'nd_reserved', 'nd_options_type',
  'tp_src', 'tp_dst', 'tcp_flags', 'icmp_type', 'icmp_code', 'icmpv6_type', 'icmpv6_code',
  'arp_op', 'arp_spa', 'arp_tpa', 'arp_sha', 'arp_tha',
  'mpls_label', 'mpls_tc', 'mpls_bos', 'mpls_ttl',
  'tun_id', 'tun_src', 'tun_dst', 'tun_ipv6_src', 'tun_ipv6_dst', 'tun_flags', 'tun_tos', 'tun_ttl', 'tun_gbp_id', 'tun_gbp_flags', 'tun_erspan_ver', 'tun_erspan_idx', 'tun_erspan_dir', 'tun_erspan_hwid', 'tun_gtpu_flags', 'tun_gtpu_msgtype', 'tun_metadata0',
  'metadata', 'reg0', 'reg1', 'reg2', 'reg3', 'reg4', 'reg5', 'reg6', 'reg7', 'reg8', 'reg9', 'reg10', 'reg11', 'reg12', 'reg13', 'reg14', 'reg15',
  'xreg0', 'xreg1', 'xreg2', 'xreg3', 'xreg4', 'xreg5', 'xreg6', 'xreg7', 'xxreg0', 'xxreg1', 'xxreg2', 'xxreg3',
  'ct_state', 'ct_zone', 'ct_mark', 'ct_label', 'ct_nw_src', 'ct_nw_dst', 'ct_nw_proto', 'ct_tp_src', 'ct_tp_dst', 'ct_ipv6_src', 'ct_ipv6_dst', 'conj_id',
  'cookie',
];

/** Protocol shorthands and the fields each implies. */
export const SHORTHANDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  eth: {},
  ip: { dl_type: '0x0800' },
  ipv6: { dl_type: '0x86dd' },
  icmp: { dl_type: '0x0800', nw_proto: '1' },
  icmp6: { dl_type: '0x86dd', nw_proto: '58' },
  tcp: { dl_type: '0x0800', nw_proto: '6' },
  tcp6: { dl_type: '0x86dd', nw_proto: '6' },
  udp: { dl_type: '0x0800', nw_proto: '17' },
  udp6: { dl_type: '0x86dd', nw_proto: '17' },
  sctp: { dl_type: '0x0800', nw_proto: '132' },
  sctp6: { dl_type: '0x86dd', nw_proto: '132' },
  arp: { dl_type: '0x0806' },
  rarp: { dl_type: '0x8035' },
  mpls: { dl_type: '0x8847' },
  mplsm: { dl_type: '0x8848' },
};

export const KNOWN_MATCH_FIELDS: ReadonlySet<string> = new Set([...CANONICAL, ...Object.keys(ALIASES), ...Object.keys(SHORTHANDS)]);

/** The canonical name of a field in any spelling (case kept for unknown names). */
export function canonicalField(name: string): string {
  return ALIASES[name] ?? name;
}
