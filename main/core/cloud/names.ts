import { createHash } from 'node:crypto';
import { parseIpv4 } from '../net/ipv4';

/**
 * Neutron's naming rules, in one place. Devices are named from port ids (`tap` + the first
 * 11 characters: tapc4493802-43), namespaces from network and router ids, tunnel ports from
 * the remote endpoint — by index up to Icehouse (gre-1), by the remote IP in hex from Juno
 * (vxlan-0a00644d).
 */

/** Linux limits device names to 15 bytes; Neutron keeps 14 (DEV_NAME_LEN). */
export const DEV_NAME_LEN = 14;

export type DevicePrefix = 'tap' | 'brq' | 'qbr' | 'qvb' | 'qvo' | 'qr-' | 'qg-' | 'ns-' | 'sg-' | 'fg-' | 'rfp-' | 'fpr-';

export function deviceName(prefix: DevicePrefix, id: string): string {
  return `${prefix}${id}`.slice(0, DEV_NAME_LEN);
}

/**
 * A stable Neutron-looking UUID for an object the lab did not give an id: the same lab always
 * gets the same names, so guides, checks and tests can rely on them.
 */
export function stableUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  // Shaped as a version-4 UUID, as Neutron's are.
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A stable MAC in OpenStack's fa:16:3e prefix. */
export function stableMac(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `fa:16:3e:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

/** A stable DVR MAC in Neutron's dvr_base_mac fa:16:3f, one per host. */
export function stableDvrMac(...parts: string[]): string {
  return stableMac('dvr', ...parts).replace(/^fa:16:3e/, 'fa:16:3f');
}

/** `10.0.100.77` → `0a00644d`, as Juno's tunnel port names spell it. */
export function hexIp(address: string): string {
  const value = parseIpv4(address);
  if (value === undefined) throw new Error(`not an IPv4 address: ${address}`);
  return value.toString(16).padStart(8, '0');
}

export function tunnelPortName(type: 'gre' | 'vxlan', remote: { address: string; index: number }, byHexIp: boolean): string {
  return byHexIp ? `${type}-${hexIp(remote.address)}` : `${type}-${remote.index}`;
}

/** `0x3e9`: segment ids as ovs-ofctl prints tun_id. */
export const hex = (value: number): string => `0x${value.toString(16)}`;
