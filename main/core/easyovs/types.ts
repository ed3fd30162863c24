import type { Flow } from '../inspect/flows/types';
import type { BridgeSummary, PortView, VmRules } from './views';

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
