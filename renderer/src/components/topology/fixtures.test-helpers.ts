import type { IpInterface, NamespaceState, NodeSnapshot, OvsBridge, OvsInterface, OvsPort } from '../../../../main/api/view';

/** Small, hand-built snapshots shaped like the GRE lab's two nodes. */

let uuid = 0;
const id = () => `00000000-0000-4000-8000-${String(++uuid).padStart(12, '0')}`;

export function iface(name: string, type = '', options: Record<string, string> = {}): OvsInterface {
  return { uuid: id(), name, type, options, externalIds: {}, statistics: {}, status: {} };
}
export function port(name: string, extra: { tag?: number; type?: string; options?: Record<string, string> } = {}): OvsPort {
  return {
    uuid: id(),
    name,
    trunks: [],
    interfaces: [iface(name, extra.type, extra.options)],
    externalIds: {},
    otherConfig: {},
    ...(extra.tag === undefined ? {} : { tag: extra.tag }),
  };
}
export function bridge(name: string, ports: OvsPort[]): OvsBridge {
  return {
    uuid: id(),
    name,
    datapathType: '',
    protocols: [],
    controllers: [],
    ports: [port(name, { type: 'internal' }), ...ports],
    externalIds: {},
    otherConfig: {},
  };
}
export function dev(index: number, name: string, extra: Partial<IpInterface> = {}): IpInterface {
  return { index, name, flags: [], addresses: [], ...extra };
}
export function ns(name: string, interfaces: IpInterface[]): NamespaceState {
  return { name, interfaces, routes: [], rules: [], neighbours: [], iptables: { tables: [] } };
}
export function snapshot(node: string, bridges: OvsBridge[], namespaces: NamespaceState[]): NodeSnapshot {
  return {
    node,
    takenAt: 1_800_000_000,
    ovs: { uuid: id(), managers: [], externalIds: {}, otherConfig: {}, bridges },
    flows: {},
    namespaces,
    processes: [],
    easyovs: [],
    problems: [],
  };
}
const addr = (address: string, prefix = 24) => [{ family: 'inet' as const, address, prefix }];

/** compute1: vm1 (eth0 ↔ tap → qbr → qvb/qvo → br-int tag 1), br-int ⇄ br-tun by patch, gre-1 to 10.0.0.100, br-phy 10.0.0.101. */
export function compute1(): NodeSnapshot {
  return snapshot(
    'compute1',
    [
      bridge('br-int', [port('qvo2a7d9c41-3b', { tag: 1 }), port('patch-tun', { type: 'patch', options: { peer: 'patch-int' } })]),
      bridge('br-tun', [
        port('patch-int', { type: 'patch', options: { peer: 'patch-tun' } }),
        port('gre-1', { type: 'gre', options: { remote_ip: '10.0.0.100', local_ip: '10.0.0.101', in_key: 'flow', out_key: 'flow' } }),
      ]),
      bridge('br-phy', [port('eth1')]),
    ],
    [
      ns('', [
        dev(1, 'lo'),
        dev(20, 'eth1', { kind: 'veth', peerIndex: 77, peerNetnsId: 0, master: 'ovs-system' }),
        dev(5, 'br-phy', { kind: 'openvswitch', addresses: addr('10.0.0.101') }),
        dev(10, 'qbr2a7d9c41-3b', { kind: 'bridge' }),
        dev(11, 'tap2a7d9c41-3b', { kind: 'veth', master: 'qbr2a7d9c41-3b', peerIndex: 2, peerNetnsId: 1 }),
        dev(12, 'qvb2a7d9c41-3b', { kind: 'veth', master: 'qbr2a7d9c41-3b', peerIndex: 13 }),
        dev(13, 'qvo2a7d9c41-3b', { kind: 'veth', master: 'ovs-system', peerIndex: 12 }),
      ]),
      ns('vm1', [dev(1, 'lo'), dev(2, 'eth0', { kind: 'veth', peerIndex: 11, peerNetnsId: 0, addresses: addr('192.168.1.3') })]),
    ],
  );
}

/** network: the DHCP namespace (ns- ↔ tap on br-int, tag 1), gre-2 back to compute1 at 10.0.0.101. */
export function network(): NodeSnapshot {
  return snapshot(
    'network',
    [
      bridge('br-int', [port('tap4385f950-8b', { tag: 1 }), port('patch-tun', { type: 'patch', options: { peer: 'patch-int' } })]),
      bridge('br-tun', [
        port('patch-int', { type: 'patch', options: { peer: 'patch-tun' } }),
        port('gre-2', { type: 'gre', options: { remote_ip: '10.0.0.101', local_ip: '10.0.0.100' } }),
      ]),
      bridge('br-phy', [port('eth1')]),
    ],
    [
      // No peer indices here (an older iproute2): the tap/ns- names pair them.
      ns('', [
        dev(1, 'lo'),
        dev(5, 'br-phy', { kind: 'openvswitch', addresses: addr('10.0.0.100') }),
        dev(9, 'tap4385f950-8b', { kind: 'veth' }),
      ]),
      ns('qdhcp-88b1609c', [dev(1, 'lo'), dev(2, 'ns-4385f950-8b', { kind: 'veth', addresses: addr('192.168.1.2') })]),
    ],
  );
}
