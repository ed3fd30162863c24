import { inNamespace } from '../../docker/exec';
import type { CloudModel, NodeModel, ResolvedPool } from '../model';
import { part, type PlanPart } from '../plan';
import { plugInternalPort } from './internal-port';
import { createNamespace } from './namespace';
import { ref } from './ovs-agent';
import { runningFromPidFile } from './process-guard';

/**
 * LBaaS v1's haproxy driver (book §负载均衡): a namespace qlbaas-<pool id> holding the VIP on a
 * tap… port of br-int, and haproxy started in it with the configuration the driver writes — a
 * frontend named after the VIP, a backend named after the pool with a server per member, and,
 * when a health monitor is associated, the check options on every server.
 */

export const lbaasNamespace = (pool: ResolvedPool): string => `qlbaas-${pool.id}`;
export const lbaasDir = (pool: ResolvedPool): string => `/var/lib/neutron/lbaas/${pool.id}`;

const BALANCE = { ROUND_ROBIN: 'roundrobin', LEAST_CONNECTIONS: 'leastconn', SOURCE_IP: 'source' } as const;

/** The driver's haproxy.cfg (neutron/services/loadbalancer/drivers/haproxy/cfg.py), indented as it writes it. */
export function haproxyConfig(pool: ResolvedPool): string {
  const dir = lbaasDir(pool);
  const mode = pool.protocol === 'HTTP' ? 'http' : 'tcp';
  const monitor = pool.monitor;
  const check = monitor ? ` check inter ${monitor.delay}s fall ${monitor.retries}` : '';
  const section = (title: string, lines: string[]) => [title, ...lines.map((l) => `    ${l}`)];
  return `${[
    ...section('global', [
      'daemon',
      'user nobody',
      'group nogroup',
      'log /dev/log local0',
      'log /dev/log local1 notice',
      `stats socket ${dir}/sock mode 0666 level user`,
    ]),
    ...section('defaults', [
      'log global',
      'retries 3',
      'option redispatch',
      'timeout connect 5000',
      'timeout client 50000',
      'timeout server 50000',
    ]),
    ...section(`frontend ${pool.vip.id}`, [
      'option tcplog',
      `bind ${pool.vip.address}:${pool.vip.port}`,
      `mode ${mode}`,
      `default_backend ${pool.id}`,
      ...(mode === 'http' ? ['option forwardfor'] : []),
    ]),
    ...section(`backend ${pool.id}`, [
      `mode ${mode}`,
      `balance ${BALANCE[pool.method]}`,
      ...(mode === 'http' ? ['option forwardfor'] : []),
      ...(monitor ? [`timeout check ${monitor.timeout}s`] : []),
      ...(monitor?.type === 'HTTP' ? [`option httpchk GET ${monitor.path ?? '/'}`, 'http-check expect rstatus 200'] : []),
      ...pool.members.map((m) => `server ${m.id} ${m.address}:${m.port} weight ${m.weight}${check}`),
    ]),
  ].join('\n')}\n`;
}

export function poolPart(model: CloudModel, node: NodeModel, pool: ResolvedPool): PlanPart {
  const ns = lbaasNamespace(pool);
  const dir = lbaasDir(pool);
  const vip = pool.vip;
  return part(
    ref(node, 'pool', pool.name),
    `pool ${pool.name}: ${ns} with the VIP ${vip.address}:${vip.port} on ${vip.device}, haproxy balancing ${pool.members.map((m) => `${m.address}:${m.port}`).join(', ')}`,
    [ref(node, 'integration-bridge')],
    [
      ...createNamespace(ns),
      ...plugInternalPort(ns, 'br-int', vip, node.localVlans.get(pool.network.name)),
      // Replies to clients on other subnets go back through the subnet's router.
      { argv: inNamespace(['ip', 'route', 'replace', 'default', 'via', vip.subnet.gateway, 'dev', vip.device], ns) },
      { argv: ['mkdir', '-p', dir] },
      { argv: ['tee', `${dir}/conf`], input: haproxyConfig(pool) },
      { argv: inNamespace(['haproxy', '-f', `${dir}/conf`, '-p', `${dir}/pid`], ns), unless: runningFromPidFile(`${dir}/pid`, 'haproxy') },
    ],
  );
}
