import { ParseError } from '../parse-error';

/**
 * iproute2's JSON output (`ip -j -d addr`, `ip -j route show table all`, `ip -j rule`,
 * `ip -j neigh`, `ip -j netns list`) as typed records: interfaces with their kind (veth, bridge,
 * tun, …), bridge master and addresses; routes of every table; policy rules; neighbours.
 */

export interface IpAddress {
  family: 'inet' | 'inet6';
  address: string;
  prefix: number;
  scope?: string;
}

export interface IpInterface {
  index: number;
  name: string;
  flags: string[];
  mtu?: number;
  state?: string;
  mac?: string;
  /** veth, bridge, tun, openvswitch, vxlan, gre, dummy, … (undefined for plain devices). */
  kind?: string;
  /** The bridge (or bond) it is enslaved to. */
  master?: string;
  /** For a veth: the peer's ifindex (in `peerNetnsId`'s namespace when that is set). */
  peerIndex?: number;
  peerNetnsId?: number;
  addresses: IpAddress[];
}

export interface IpRoute {
  table: string;
  type: string;
  /** `default`, `10.0.0.0/24`, a host address. */
  destination: string;
  gateway?: string;
  device?: string;
  protocol?: string;
  scope?: string;
  source?: string;
  metric?: number;
}

export interface IpRule {
  priority: number;
  /** `all` or `10.0.0.0/24`. */
  from: string;
  to?: string;
  inputInterface?: string;
  outputInterface?: string;
  fwmark?: string;
  table?: string;
  action?: string;
}

export interface IpNeighbour {
  address: string;
  device?: string;
  mac?: string;
  state: string[];
}

export interface IpNamespace {
  name: string;
  id?: number;
}

type Json = Record<string, unknown>;

/** Reads one `ip -j` output: a JSON array of objects. */
function readArray(text: string, what: string, source: string): Json[] {
  if (text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    throw new ParseError(what, line, at - before.lastIndexOf('\n'), `not JSON (${message})`, source);
  }
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) {
    throw new ParseError(what, 1, 1, 'expected a JSON array of objects (the output of `ip -j …`)', source);
  }
  return value as Json[];
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
const num = (value: unknown) => (typeof value === 'number' ? value : undefined);
const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** Drops undefined fields, so records compare and serialise cleanly. */
function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

export function parseIpAddr(text: string, source = '<input>'): IpInterface[] {
  return readArray(text, '`ip -j addr` output', source).map((item) => {
    const linkinfo = (item.linkinfo ?? {}) as Json;
    return compact({
      index: num(item.ifindex) ?? 0,
      name: str(item.ifname) ?? '',
      flags: strings(item.flags),
      mtu: num(item.mtu),
      state: str(item.operstate),
      mac: str(item.address),
      kind: str(linkinfo.info_kind),
      master: str(item.master),
      peerIndex: num(item.link_index),
      peerNetnsId: num(item.link_netnsid),
      addresses: (Array.isArray(item.addr_info) ? (item.addr_info as Json[]) : [])
        .filter((a) => a.family === 'inet' || a.family === 'inet6')
        .map((a) =>
          compact({
            family: a.family as 'inet' | 'inet6',
            address: str(a.local) ?? '',
            prefix: num(a.prefixlen) ?? 0,
            scope: str(a.scope),
          }),
        ),
    });
  });
}

export function parseIpRoute(text: string, source = '<input>'): IpRoute[] {
  return readArray(text, '`ip -j route` output', source).map((item) =>
    compact({
      table: str(item.table) ?? (typeof item.table === 'number' ? String(item.table) : 'main'),
      type: str(item.type) ?? 'unicast',
      destination: str(item.dst) ?? 'default',
      gateway: str(item.gateway),
      device: str(item.dev),
      protocol: str(item.protocol),
      scope: str(item.scope),
      source: str(item.prefsrc),
      metric: num(item.metric),
    }),
  );
}

export function parseIpRule(text: string, source = '<input>'): IpRule[] {
  return readArray(text, '`ip -j rule` output', source).map((item) => {
    const prefix = (address: unknown, length: unknown) => {
      const a = str(address);
      if (a === undefined) return undefined;
      return typeof length === 'number' ? `${a}/${length}` : a;
    };
    return compact({
      priority: num(item.priority) ?? 0,
      from: prefix(item.src, item.srclen) ?? 'all',
      to: prefix(item.dst, item.dstlen),
      inputInterface: str(item.iif),
      outputInterface: str(item.oif),
      fwmark: str(item.fwmark),
      table: str(item.table),
      action: str(item.action),
    });
  });
}

export function parseIpNeigh(text: string, source = '<input>'): IpNeighbour[] {
  return readArray(text, '`ip -j neigh` output', source).map((item) =>
    compact({ address: str(item.dst) ?? '', device: str(item.dev), mac: str(item.lladdr), state: strings(item.state) }),
  );
}

export function parseIpNetns(text: string, source = '<input>'): IpNamespace[] {
  return readArray(text, '`ip -j netns list` output', source).map((item) => compact({ name: str(item.name) ?? '', id: num(item.id) }));
}
