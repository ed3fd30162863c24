import type { EvaluatedStep, Evaluation } from '../inspect/iptables/evaluate';
import type { PacketTrace } from '../inspect/trace/parse';

/** What a walk (walk.ts) finds: the legs of the way the flows, firewalls and routers would send a VM's packet, node after node. Types only: the UI shares them. */
export type WalkLeg = WalkBridgeLeg | WalkFirewallLeg | WalkRouterLeg;

/** A leg through OVS: ofproto/trace from one bridge, on through the bridges its patch ports lead to. */
export interface WalkBridgeLeg {
  kind: 'ovs';
  node: string;
  bridge: string;
  /** The packet as the trace was given it. */
  flow: string;
  /** How it got here: undefined for the first leg, "GRE key 0x1 from 10.0.0.101" after. */
  arrivedBy?: string;
  trace: PacketTrace;
  /** Where the datapath sends it from this bridge, by device, with the VLAN tag it carries there. */
  outputs: WalkOutput[];
}

/**
 * A leg through iptables: a VM's frame crossing its Linux bridge (qbr, the hybrid firewall),
 * where the node's filter table sees it by physdev. Listed only where a rule met it or it ends
 * there: a node without rules for the port passes the frame unseen.
 */
export interface WalkFirewallLeg {
  kind: 'iptables';
  node: string;
  /** The Linux bridge the frame crosses, "qbr583c7038-d3". */
  bridge: string;
  /** The bridge ports it enters and leaves by: "tap583c7038-d3 → qvb583c7038-d3". */
  crossing: string;
  /** The rules met, in order, from FORWARD. */
  steps: EvaluatedStep[];
  verdict: Evaluation['verdict'];
  /** Why the verdict is unknown. */
  reason?: string;
}

/**
 * A leg through a router's namespace (qrouter-…): in by a qr- or qg- port, the nat table's
 * PREROUTING (a floating IP's DNAT), the namespace's route, the filter table's FORWARD (FWaaS),
 * POSTROUTING (SNAT), out by the device the route names.
 */
export interface WalkRouterLeg {
  kind: 'router';
  node: string;
  namespace: string;
  /** The device it comes in by. */
  in: string;
  /** The device the route sends it out of, and the next hop when it is a gateway. */
  out?: string;
  via?: string;
  /** The rules met, table by table, in the order the kernel meets them. */
  steps: (EvaluatedStep & { table: 'nat' | 'filter' })[];
  /** What NAT did: "destination 9.186.100.129 → 10.0.0.2 (DNAT)", "source 10.0.0.4 → 9.186.100.2 (SNAT)". */
  changes: string[];
  /** routed: on out of `out`; local: for the router itself (its own address, a REDIRECT); dropped by a rule; no route. */
  verdict: 'routed' | 'local' | 'dropped' | 'no route' | 'unknown';
  /** Why, in words, when it is not routed. */
  reason?: string;
}

export interface WalkOutput {
  /** The device ("tap4385f950-8b", "int-br-eth1", "eth1"), or "gre tunnel to 10.0.0.100". */
  device: string;
  vlan?: number;
}

export interface WalkResult {
  from: string;
  to: string;
  proto: 'icmp' | 'tcp' | 'http';
  port?: number;
  legs: WalkLeg[];
  /** The walk ends with the packet dropped: by a flow, or by an iptables rule. */
  dropped: boolean;
  /** Where the walk ends, in words: "output to tap4385f950-8b on network", "dropped on compute1 br-tun table 22". */
  verdict: string;
}
