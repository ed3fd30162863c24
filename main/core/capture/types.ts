/** What a capture is on, and what it sees: plain data, for the API's contract too (no Node in here). */

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
