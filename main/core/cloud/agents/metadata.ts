import { inNamespace } from '../../docker/exec';
import type { CloudModel, NamespacePort, NodeModel, ResolvedMetadata, ResolvedPort, ResolvedRouter } from '../model';
import { part, type PlanPart } from '../plan';
import { routerNamespace } from './l3-agent';
import { ref } from './ovs-agent';
import { runningFromPidFile } from './process-guard';

/**
 * Juno's metadata path (the programs are the node image's nl-openstack): a VM's request to
 * 169.254.169.254:80 meets its router's REDIRECT to 9697 (l3-agent.ts's nat table), where
 * neutron-ns-metadata-proxy, started by the L3 agent in qrouter-<id>, adds the VM's address and
 * the router's id and passes it over a Unix socket to neutron-metadata-agent on the same node.
 * The agent asks neutron-server which port has that address on the router's networks, signs
 * the port's device_id (the instance) with the shared secret and asks Nova's metadata service
 * on the controller, which checks the signature and answers.
 */

export const METADATA_PORT = 9697;
export const NOVA_METADATA_PORT = 8775;
export const NEUTRON_API_PORT = 9696;
export const METADATA_SOCKET = '/var/lib/neutron/metadata_proxy';
export const AGENT_CONFIG = '/etc/neutron/metadata_agent.ini';
export const NOVA_CONFIG = '/etc/nova/nova.conf';

/** What neutron-server's database holds about the lab's ports, as GET /v2.0/ports lists them. */
export function neutronPorts(model: CloudModel, meta: ResolvedMetadata): object[] {
  const port = (p: ResolvedPort | NamespacePort, deviceId: string, owner: string) => ({
    id: p.portId,
    network_id: p.network.id,
    tenant_id: meta.tenantId,
    device_id: deviceId,
    device_owner: owner,
    mac_address: p.mac,
    fixed_ips: [{ subnet_id: p.subnet.id, ip_address: p.address }],
  });
  return [
    ...model.ports.map((p) =>
      p.owner === 'vm' ? port(p, p.instanceId ?? '', 'compute:nova') : port(p, `dhcp-${p.network.id}`, 'network:dhcp'),
    ),
    ...model.routers.flatMap((r) => r.interfaces.map((i) => port(i, r.id, 'network:router_interface'))),
  ];
}

/** What Nova's database holds about the instances: EC2 ids count up in the lab's order, as Nova's do. */
export function novaInstances(model: CloudModel, meta: ResolvedMetadata): object[] {
  return model.ports
    .filter((p) => p.owner === 'vm')
    .map((p, i) => ({
      uuid: p.instanceId,
      ec2_id: `i-${(i + 1).toString(16).padStart(8, '0')}`,
      name: p.name,
      hostname: `${p.name}.novalocal`,
      tenant_id: meta.tenantId,
      fixed_ip: p.address,
    }));
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The controller: neutron-server (the ports the agent asks about) and Nova's metadata service. */
export function metadataServicePart(model: CloudModel, node: NodeModel, meta: ResolvedMetadata): PlanPart {
  const serverPid = '/run/neutron/neutron-server.pid';
  const novaPid = '/run/nova/nova-api-metadata.pid';
  const novaConf = [
    '[DEFAULT]',
    'metadata_listen = 0.0.0.0',
    `metadata_listen_port = ${NOVA_METADATA_PORT}`,
    '',
    '[neutron]',
    'service_metadata_proxy = True',
    `metadata_proxy_shared_secret = ${meta.secret}`,
  ];
  return part(
    ref(node, 'metadata-service'),
    `Nova's metadata service on ${meta.address}:${NOVA_METADATA_PORT} and neutron-server's port list on :${NEUTRON_API_PORT}`,
    [],
    [
      { argv: ['mkdir', '-p', '/var/lib/neutron', '/var/lib/nova', '/etc/nova'] },
      { argv: ['tee', '/var/lib/neutron/ports.json'], input: json(neutronPorts(model, meta)) },
      { argv: ['tee', '/var/lib/nova/instances.json'], input: json(novaInstances(model, meta)) },
      { argv: ['tee', NOVA_CONFIG], input: `${novaConf.join('\n')}\n` },
      {
        argv: ['neutron-server', `--bind_port=${NEUTRON_API_PORT}`, `--pid_file=${serverPid}`, '--log-file=/var/log/neutron/server.log'],
        unless: runningFromPidFile(serverPid, 'neutron-server'),
      },
      {
        argv: ['nova-api-metadata', `--config-file=${NOVA_CONFIG}`, `--pid_file=${novaPid}`],
        unless: runningFromPidFile(novaPid, 'nova-api-metada'),
      },
    ],
  );
}

/** metadata_agent.ini: where the agent listens, whom it asks, and the secret it signs with. */
export function agentConfig(meta: ResolvedMetadata): string {
  return [
    '[DEFAULT]',
    "# Juno's agent finds neutron-server through Keystone (auth_url, admin_user, …); this lab has no Keystone.",
    `neutron_url = http://${meta.address}:${NEUTRON_API_PORT}`,
    `nova_metadata_ip = ${meta.address}`,
    `nova_metadata_port = ${NOVA_METADATA_PORT}`,
    `metadata_proxy_shared_secret = ${meta.secret}`,
    `metadata_proxy_socket = ${METADATA_SOCKET}`,
    '',
  ].join('\n');
}

/** The network node's metadata agent, on the Unix socket the routers' proxies call. */
export function metadataAgentPart(node: NodeModel, meta: ResolvedMetadata): PlanPart {
  const pid = '/run/neutron/neutron-metadata-agent.pid';
  return part(
    ref(node, 'metadata-agent'),
    `neutron-metadata-agent on ${METADATA_SOCKET}, asking ${meta.address}`,
    [],
    [
      { argv: ['mkdir', '-p', '/etc/neutron'] },
      { argv: ['tee', AGENT_CONFIG], input: agentConfig(meta) },
      {
        argv: [
          'neutron-metadata-agent',
          `--config-file=${AGENT_CONFIG}`,
          `--pid_file=${pid}`,
          '--log-file=/var/log/neutron/metadata-agent.log',
        ],
        unless: runningFromPidFile(pid, 'neutron-metadat'),
      },
    ],
  );
}

/** The proxy the L3 agent starts in a router's namespace, with Juno's command line. */
export function metadataProxyArgv(router: ResolvedRouter): string[] {
  return [
    'neutron-ns-metadata-proxy',
    `--pid_file=${proxyPidFile(router)}`,
    `--metadata_proxy_socket=${METADATA_SOCKET}`,
    `--router_id=${router.id}`,
    '--state_path=/var/lib/neutron',
    `--metadata_port=${METADATA_PORT}`,
    `--log-file=neutron-ns-metadata-proxy-${router.id}.log`,
    '--log-dir=/var/log/neutron',
  ];
}

export const proxyPidFile = (router: ResolvedRouter): string => `/var/lib/neutron/external/pids/${router.id}.pid`;

export function metadataProxyPart(node: NodeModel, router: ResolvedRouter): PlanPart {
  const ns = routerNamespace(router);
  return part(
    ref(node, 'metadata-proxy', router.name),
    `neutron-ns-metadata-proxy in ${ns} on :${METADATA_PORT}, for router ${router.name}`,
    [ref(node, 'router', router.name)],
    [{ argv: inNamespace(metadataProxyArgv(router), ns), unless: runningFromPidFile(proxyPidFile(router), 'neutron-ns-meta') }],
  );
}
