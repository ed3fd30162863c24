import { resolveCloud, type NamespacePort } from '../cloud/model';
import type { Row } from './format';
import { ApiError, type Sandbox } from './neutron';

/** Ports as Neutron lists them: DHCP's, VMs', routers' interfaces, gateways and SNAT ports, DVR hosts' fg- ports, each with its owner. */

interface PortView {
  id: string;
  mac: string;
  address: string;
  subnetId: string;
  networkId: string;
  owner: string;
  host: string;
}

function ports(sb: Sandbox): PortView[] {
  const model = resolveCloud({ ...sb.lab, cloud: sb.cloud });
  const view = (p: Omit<NamespacePort, 'device'>, owner: string, host: string): PortView => ({
    id: p.portId,
    mac: p.mac,
    address: p.address,
    subnetId: p.subnet.id,
    networkId: p.network.id,
    owner,
    host,
  });
  return [
    ...model.ports.map((p) => view(p, p.owner === 'dhcp' ? 'network:dhcp' : 'compute:nova', p.node)),
    ...model.routers.flatMap((r) => [
      ...r.interfaces.map((i) => view(i, 'network:router_interface', r.node)),
      ...(r.gateway ? [view(r.gateway, 'network:router_gateway', r.node)] : []),
      ...r.snatPorts.map((p) => view(p, 'network:router_centralized_snat', r.node)),
    ]),
    ...[...model.nodes.values()].flatMap((n) => (n.fipGateway ? [view(n.fipGateway, 'network:floatingip_agent_gateway', n.name)] : [])),
  ];
}

const fixedIp = (p: PortView): string => `ip_address='${p.address}', subnet_id='${p.subnetId}'`;

export const PORT_LIST = ['ID', 'Name', 'MAC Address', 'Fixed IP Addresses', 'Status'];
export const portListRows = (sb: Sandbox): Row[] =>
  ports(sb).map((p) => [
    ['ID', p.id],
    ['Name', ''],
    ['MAC Address', p.mac],
    ['Fixed IP Addresses', fixedIp(p)],
    ['Status', 'ACTIVE'],
  ]);

export function portRow(sb: Sandbox, id: string): Row {
  const p = ports(sb).find((port) => port.id === id);
  if (!p) throw new ApiError('NotFoundException', `No Port found for ${id}`);
  return [
    ['admin_state_up', 'UP'],
    ['binding_host_id', p.host],
    ['binding_vif_type', 'ovs'],
    ['device_owner', p.owner],
    ['fixed_ips', fixedIp(p)],
    ['id', p.id],
    ['mac_address', p.mac],
    ['network_id', p.networkId],
    ['status', 'ACTIVE'],
  ];
}
