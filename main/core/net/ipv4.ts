/** Small IPv4 helpers for validating lab files (no dependency needed for this much). */

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export interface Ipv4Cidr {
  address: number;
  prefix: number;
}

/** `10.0.0.100/24` → address and prefix length. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const address = parseIpv4(match[1] ?? '');
  const prefix = Number(match[2]);
  if (address === undefined || prefix > 32) return undefined;
  return { address, prefix };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function networkOf(cidr: Ipv4Cidr): number {
  return (cidr.address & mask(cidr.prefix)) >>> 0;
}

export function contains(subnet: Ipv4Cidr, address: number): boolean {
  return (address & mask(subnet.prefix)) >>> 0 === networkOf(subnet);
}

/** Whether two subnets share any address (one then holds the other's network address). */
export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return contains(a, networkOf(b)) || contains(b, networkOf(a));
}

/** 167772161 → `10.0.0.1`. */
export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}
