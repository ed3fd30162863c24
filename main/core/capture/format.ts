import type { CaptureTarget, HopHeaders } from './types';

/** A captured packet's time as tcpdump prints it: 2026-12-06T22:29:16.345810Z → 22:29:16.345810, in the local time zone. */
export function packetClock(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${iso.slice(20, 26)}`;
}

/** Where a copy was seen, as the lab names it: "compute1 eth1", "compute1 vm1 eth0" (a namespace between). */
export function hopPlace(where: CaptureTarget): string {
  return [where.node, where.netns, where.iface].filter(Boolean).join(' ');
}

/** A copy's headers on one line: the tunnel or tags it travels in, then the VM's packet. */
export function hopHeaders(headers: HopHeaders): string {
  const outer = [
    ...(headers.tunnel
      ? [
          `${headers.tunnel.kind.toUpperCase()} ${headers.tunnel.kind === 'gre' ? 'key' : 'VNI'} ${headers.tunnel.id} ${headers.tunnel.src} → ${headers.tunnel.dst}`,
        ]
      : []),
    ...headers.vlans.map((id) => `VLAN ${id}`),
  ];
  return [...outer, `${headers.src} → ${headers.dst} ttl ${headers.ttl}`].join(' | ');
}

/** Microseconds from `since` to `time` (both ISO 8601 to the microsecond), as "+1.234 ms". */
export function hopDelay(since: string, time: string): string {
  const micros = (iso: string) => Date.parse(iso.slice(0, 19) + 'Z') * 1000 + Number(iso.slice(20, 26));
  return `+${((micros(time) - micros(since)) / 1000).toFixed(3)} ms`;
}

/** Epoch seconds with a fraction, as tcpdump (-tt) and tshark print them ("1796601346.080350000"), as ISO 8601 to the microsecond. */
export function epochToIso(epoch: string): string {
  const [seconds = '0', fraction = ''] = epoch.split('.');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}
