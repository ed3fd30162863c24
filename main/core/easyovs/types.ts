import type { Flow } from '../inspect/flows/types';

/** easyOVS's actions and what they return: types only, shared by the CLI, the API and the app. */

export type OvsRequest =
  | { action: 'list' }
  | { action: 'show'; bridge: string }
  | { action: 'dump'; bridge: string }
  | { action: 'addflow'; bridge: string; flow: string }
  | { action: 'delflow'; bridge: string; ids: number[] }
  | { action: 'ipt'; addresses: string[] };

/** A flow of `dump`, numbered, with the text ovs-ofctl printed for it. */
export interface DumpRow {
  id: number;
  table: number | string;
  priority: number;
  packets: number;
  flow: Flow;
}

export type OvsResult =
  | { action: 'list'; bridges: BridgeSummary[] }
  | { action: 'show'; bridge: string; ports: PortView[] }
  | { action: 'dump'; bridge: string; flows: DumpRow[] }
  | { action: 'addflow'; bridge: string; flow: string; added: Flow[] }
  | { action: 'delflow'; bridge: string; deleted: DumpRow[] }
  | { action: 'ipt'; vms: VmRules[] };

export interface BridgeSummary {
  name: string;
  ports: number;
  flows: number;
  failMode: string | undefined;
}

export interface PortView {
  port: string;
  ofport: number | undefined;
  tag: number | undefined;
  type: string;
  /** Who the Neutron port belongs to (a VM, a DHCP server, a router leg, a VIP), when the lab knows it. */
  owner: string | undefined;
  address: string | undefined;
  mac: string | undefined;
}

export interface VmRules {
  vm: string;
  address: string;
  mac: string;
  node: string;
  /** The port's chains (i: to the VM, o: from it, s: anti-spoofing) with their rules and counters, as read. */
  chains: { chain: string; direction: 'ingress' | 'egress' | 'anti-spoofing'; rules: { packets: number; bytes: number; rule: string }[] }[];
}
