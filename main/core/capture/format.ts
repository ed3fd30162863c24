/** A captured packet's time as tcpdump prints it: 2026-12-06T22:29:16.345810Z → 22:29:16.345810, in the local time zone. */
export function packetClock(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${iso.slice(20, 26)}`;
}
