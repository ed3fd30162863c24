import type { Flow } from '../flows/types';
import type { IpInterface, IpNeighbour, IpRoute, IpRule } from '../iproute/parse';
import type { IptablesState } from '../iptables/types';
import type { OvsDatabase } from '../ovsdb/parse';

/**
 * Everything the app reads from one node at one moment: the OVS database, every bridge's flows,
 * and per network namespace (the node's own first) its interfaces, routes, rules, neighbours and
 * iptables; the dnsmasq and haproxy processes with the files they read; the easyOVS actions run
 * there. Types and constants only, so the renderer can share them.
 */

export interface NamespaceState {
  /** '' for the node's own namespace. */
  name: string;
  interfaces: IpInterface[];
  routes: IpRoute[];
  rules: IpRule[];
  neighbours: IpNeighbour[];
  iptables: IptablesState;
}

export interface ServiceProcess {
  pid: number;
  command: string;
  args: string;
  /** The network namespace it runs in ('' for the node's own; '?' when none matches what it sees). */
  namespace: string;
  /** Files its command line names (haproxy -f, dnsmasq --dhcp-hostsfile=, …). */
  files: { path: string; content: string }[];
}

export const EASYOVS_ACTIONS = ['list', 'show', 'dump', 'addflow', 'delflow', 'ipt'] as const;
export type EasyOvsAction = (typeof EASYOVS_ACTIONS)[number];

/** One easyOVS action run on the node (from the CLI or the app's inspector), as the node recorded it. */
export interface EasyOvsRecord {
  action: EasyOvsAction;
  bridge?: string;
  /** ipt: the VM addresses asked about. */
  addresses?: string[];
  /** addflow: the flows that appeared; delflow: the flows deleted (as ovs-ofctl dump-flows prints them). */
  flows?: string[];
  /** Seconds since the epoch, when it ran. */
  at: number;
}

export interface NodeSnapshot {
  node: string;
  /** Seconds since the epoch, by the node's clock, when the snapshot began. */
  takenAt: number;
  ovs: OvsDatabase;
  /** Flows by bridge name. */
  flows: Record<string, Flow[]>;
  namespaces: NamespaceState[];
  processes: ServiceProcess[];
  /** The easyOVS actions run on this node since it booted or was reset, oldest first. */
  easyovs: EasyOvsRecord[];
  /** Parts that could not be read (a command failed, or printed what no parser understands). */
  problems: { section: string; message: string }[];
}
