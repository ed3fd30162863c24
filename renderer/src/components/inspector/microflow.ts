import type { Flow } from '../../../../main/api/view';
import { english, type Translate } from '../../i18n';

/** A trace asked for from a flow row: the form is filled with it and run. */
export interface TraceRequest {
  bridge: string;
  flow: string;
  notes: string[];
  /** Changes with every request, so tracing the same flow twice runs twice. */
  seq: number;
}

/**
 * A packet for `ofproto/trace` built from a flow's match, so "Trace" on a row asks "what happens
 * to a packet this flow matches?". ofproto/trace takes an exact microflow, not a match: a masked
 * field becomes its value (OVS prints values already masked, so the packet still matches), and
 * conntrack fields are left out (a trace sets them with --ct-next, not in the packet).
 * `t` words the notes.
 */
export function microflowOf(flow: Flow, t: Translate = english): { flow: string; notes: string[] } {
  const parts: string[] = [];
  const notes: string[] = [];
  for (const field of flow.match) {
    if (field.name.startsWith('ct_')) {
      notes.push(t('trace.noteConntrack', { field: field.name }));
      continue;
    }
    parts.push(field.value === undefined ? field.name : `${field.name}=${field.value}`);
  }
  if (flow.table !== 0) notes.push(t('trace.noteTable', { table: flow.table }));
  if (!flow.match.some((f) => f.name === 'in_port')) notes.push(t('trace.noteInPort'));
  return { flow: parts.join(','), notes };
}
