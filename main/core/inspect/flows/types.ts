import type { ParseError } from '../parse-error';

/**
 * OpenFlow flows as `ovs-ofctl dump-flows` prints them, as structured records. Every piece
 * keeps its original spelling (`text`) next to what was read from it, so nothing is lost and
 * the UI can show the flow exactly as OVS printed it.
 */

export interface Flow {
  cookie?: string;
  /** Seconds since the flow was added. */
  duration?: number;
  table: number | string;
  /** OVS omits the default priority (32768) when printing. */
  priority: number;
  packets?: number;
  bytes?: number;
  idleTimeout?: number;
  hardTimeout?: number;
  idleAge?: number;
  hardAge?: number;
  importance?: number;
  /** send_flow_rem, check_overlap, reset_counts, no_packet_counts, no_byte_counts. */
  flags: string[];
  match: MatchField[];
  actions: Action[];
  /** The flow as printed (continuation lines joined). */
  text: string;
  /** 1-based line of the dump where the flow starts. */
  line: number;
  /** Keys read despite a misprint (`n_byts` as n_bytes): what was changed, for honesty. */
  repairs?: string[];
}

/** One match field: `dl_vlan=1`, `dl_dst=01:00:00:00:00:00/01:00:00:00:00:00`, or a bare `arp`. */
export interface MatchField {
  name: string;
  /** Undefined for protocol shorthands (`ip`, `arp`, `tcp`, …). */
  value?: string;
  /** The part after `/` (a bit mask or a prefix length). */
  mask?: string;
}

/** A reference to (bits of) a field: `NXM_OF_VLAN_TCI[0..11]`, `NXM_NX_TUN_ID[]`, `vlan_vid`. */
export interface FieldRef {
  field: string;
  /** Inclusive bit range, when given. */
  start?: number;
  end?: number;
}

export type LearnSpec =
  | { kind: 'param'; name: string; value: string; text: string }
  /** Match in the learned flow: `field` equal to `source` (a field, or a literal value); no source = same field. */
  | { kind: 'match'; field: FieldRef; source?: FieldRef | string; text: string }
  | { kind: 'load'; value: FieldRef | string; field: FieldRef; text: string }
  | { kind: 'output'; port: FieldRef | string; text: string };

export type Action = { text: string } & (
  | { type: 'output'; port: string | FieldRef }
  | { type: 'normal' | 'drop' | 'flood' | 'all' | 'local' | 'in_port' | 'strip_vlan' | 'pop_vlan' | 'pop_queue' | 'exit' | 'dec_ttl' }
  | { type: 'controller'; args: string[] }
  | { type: 'resubmit'; port?: string; table?: number }
  | { type: 'goto_table'; table: number }
  | { type: 'mod_vlan_vid'; vid: number }
  | { type: 'mod_vlan_pcp'; pcp: number }
  | { type: 'push_vlan'; ethertype: string }
  | { type: 'set_field'; value: string; field: FieldRef }
  | { type: 'load'; value: string; field: FieldRef }
  | { type: 'move'; source: FieldRef; destination: FieldRef }
  | { type: 'set_tunnel'; id: string }
  /** mod_dl_src, mod_dl_dst, mod_nw_src, mod_nw_dst, mod_tp_src, mod_tp_dst, mod_nw_tos, mod_nw_ttl. */
  | { type: 'modify'; field: string; value: string }
  | { type: 'learn'; specs: LearnSpec[] }
  | { type: 'ct'; args: string[] }
  | { type: 'enqueue'; port: string; queue: string }
  | { type: 'set_queue'; queue: string }
  | { type: 'note'; data: string }
  | { type: 'conjunction'; args: string[] }
  | { type: 'clone'; actions: Action[] }
  /** Well-formed but not one we model: kept verbatim, never dropped. */
  | { type: 'unknown'; name: string; argument?: string }
);

export type ActionType = Action['type'];

export interface FlowDump {
  /** The header line's protocol, when the dump had one (`OF1.3`). */
  protocol?: string;
  flows: Flow[];
  /** Only when parsed tolerantly: the flows that could not be read. */
  errors?: ParseError[];
}
