import type { PacketTrace } from '../inspect/trace/parse';

/** What a walk (walk.ts) finds: the legs of the way the flows would send a VM's packet, node after node. Types only: the UI shares them. */
export interface WalkLeg {
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
  /** Where the walk ends, in words: "output to tap4385f950-8b on network", "dropped on compute1 br-tun table 22". */
  verdict: string;
}
