import { inNamespace } from '../../docker/exec';
import type { Step } from '../plan';

/**
 * A network namespace as the agents create one (a VM, qdhcp-, qrouter-, snat-, fip-, qlbaas-),
 * with its loopback up. The lab's namespaces speak IPv4 only: IPv6 would have every port send
 * router solicitations and MLD reports on its own, flooding tunnels and moving the counters
 * the checks read (and, in DVR, teaching br-int a gateway MAC on the wrong port).
 */
export function createNamespace(ns: string): Step[] {
  return [
    { argv: ['ip', 'netns', 'add', ns], unless: ['test', '-e', `/run/netns/${ns}`] },
    sysctl(ns, { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' }),
    { argv: inNamespace(['ip', 'link', 'set', 'lo', 'up'], ns) },
  ];
}

/** `sysctl -w KEY=VALUE…` in a namespace (nl-sysctl: Docker keeps /proc/sys read-only). */
export function sysctl(ns: string, settings: Record<string, string>): Step {
  return { argv: ['nl-sysctl', ns, ...Object.entries(settings).map(([key, value]) => `${key}=${value}`)] };
}
