import type { Flow, MatchField } from './types';

/** A flow's match as ovs-ofctl writes it: `in_port=1,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00`, `arp`. */
export function matchText(fields: readonly MatchField[]): string {
  return fields.map((f) => (f.value === undefined ? f.name : `${f.name}=${f.value}${f.mask === undefined ? '' : `/${f.mask}`}`)).join(',');
}

/** A flow as a person reads it, and as it is without counters and age: table, priority, match, actions. */
export function flowLine(flow: Flow): string {
  return `table=${flow.table},priority=${flow.priority}${flow.match.length ? `,${matchText(flow.match)}` : ''} actions=${flow.actions.map((a) => a.text).join(',') || 'drop'}`;
}
