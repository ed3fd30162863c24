import type { Where } from './kind';

/** How outcomes read, shared by the kinds so that they all read alike. */

/** "a flow …" / "no flow …", "port …" / "no port …". */
export const presence = (present: boolean, what: string): string => (present ? what : `no ${what.replace(/^an? /, '')}`);

export const listed = (items: string[], none: string, max = 6): string =>
  items.length === 0 ? none : `${items.slice(0, max).join('; ')}${items.length > max ? `; … ${items.length - max} more` : ''}`;

/** A place in a state check's words: "compute1, namespace vm1". */
export const placeName = (where: Where): string => (where.namespace ? `${where.node}, namespace ${where.namespace}` : where.node);

/** A place in a probe's words: "vm1 on compute1". */
export const probePlace = (where: Where): string => (where.namespace ? `${where.namespace} on ${where.node}` : where.node);

export const firstLine = (text: string): string => text.trim().split('\n').find(Boolean) ?? '';

/**
 * A tunnel's first packet can be lost while OVS resolves the remote's ARP: a probe that must
 * succeed tries this many times (a ping: a packet a second for this many seconds).
 */
export const RETRIES = 3;
