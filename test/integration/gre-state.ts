import type Docker from 'dockerode';
import { execArgv } from '../../main/core/docker/exec';

/**
 * Builds, by hand, the GRE state of the book's Icehouse deployment on one node of gre-tenant:
 * br-phy owning the underlay address, br-int and br-tun joined by patch ports, a GRE port with
 * flow-based keys, br-tun's tables 0/1/2/3/10/20/21, and a namespace "VM" on br-int with local
 * VLAN 1 — by hand, independent of the lab engine (main/core/cloud), so the tunnel and inspector
 * tests do not stand on the code that labs are tested with.
 */

export const UNDERLAY = { network: '10.0.0.100', compute1: '10.0.0.101' } as const;
export const VM_ADDRESS = { network: '192.168.1.10', compute1: '192.168.1.11' } as const;
export type GreNode = keyof typeof UNDERLAY;

export const ICEHOUSE_BR_TUN_FLOWS = [
  'table=0,priority=1,in_port=patch-int,actions=resubmit(,1)',
  'table=0,priority=1,in_port=gre-1,actions=resubmit(,2)',
  'table=0,priority=0,actions=drop',
  'table=1,priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00,actions=resubmit(,20)',
  'table=1,priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=resubmit(,21)',
  'table=2,priority=1,tun_id=0x1,actions=mod_vlan_vid:1,resubmit(,10)',
  'table=2,priority=0,actions=drop',
  'table=3,priority=0,actions=drop',
  'table=10,priority=1,actions=learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:NXM_OF_IN_PORT[]),output:patch-int',
  'table=20,priority=0,actions=resubmit(,21)',
  'table=21,priority=1,dl_vlan=1,actions=strip_vlan,set_tunnel:0x1,output:gre-1',
  'table=21,priority=0,actions=drop',
];

export async function run(container: Docker.Container, argv: string[], stdin?: string): Promise<string> {
  const result = await execArgv(container, argv, { stdin });
  if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} → ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

/** br-phy takes over the underlay NIC and its address (the image's nl-underlay, as labs use it). */
export async function ownUnderlay(container: Docker.Container, node: GreNode): Promise<void> {
  await run(container, ['nl-underlay', 'eth1', `${UNDERLAY[node]}/24`]);
}

export async function buildGreNode(container: Docker.Container, node: GreNode): Promise<void> {
  const local = UNDERLAY[node];
  const remote = UNDERLAY[node === 'network' ? 'compute1' : 'network'];
  await ownUnderlay(container, node);
  await run(container, ['ovs-vsctl', 'add-br', 'br-int', '--', 'set', 'bridge', 'br-int', 'datapath_type=netdev']);
  await run(container, [
    'ovs-vsctl',
    'add-br',
    'br-tun',
    '--',
    'set',
    'bridge',
    'br-tun',
    'datapath_type=netdev',
    '--',
    'add-port',
    'br-tun',
    'patch-int',
    '--',
    'set',
    'interface',
    'patch-int',
    'type=patch',
    'options:peer=patch-tun',
    '--',
    'add-port',
    'br-int',
    'patch-tun',
    '--',
    'set',
    'interface',
    'patch-tun',
    'type=patch',
    'options:peer=patch-int',
    '--',
    'add-port',
    'br-tun',
    'gre-1',
    '--',
    'set',
    'interface',
    'gre-1',
    'type=gre',
    `options:remote_ip=${remote}`,
    `options:local_ip=${local}`,
    'options:in_key=flow',
    'options:out_key=flow',
  ]);
  await run(container, ['ovs-ofctl', 'del-flows', 'br-tun']);
  await run(container, ['ovs-ofctl', 'add-flows', 'br-tun', '-'], `${ICEHOUSE_BR_TUN_FLOWS.join('\n')}\n`);
  // The "VM": a namespace whose eth0 pairs with qvo-vm1 on br-int, local VLAN 1.
  await run(container, ['ip', 'netns', 'add', 'vm1']);
  await run(container, ['ip', 'link', 'add', 'qvo-vm1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', 'vm1']);
  await run(container, ['ethtool', '-K', 'qvo-vm1', 'tx', 'off']);
  await run(container, ['ip', 'netns', 'exec', 'vm1', 'ethtool', '-K', 'eth0', 'tx', 'off']);
  await run(container, ['ovs-vsctl', 'add-port', 'br-int', 'qvo-vm1', 'tag=1']);
  await run(container, ['ip', 'link', 'set', 'qvo-vm1', 'up']);
  await run(container, ['ip', '-n', 'vm1', 'link', 'set', 'lo', 'up']);
  await run(container, ['ip', '-n', 'vm1', 'addr', 'add', `${VM_ADDRESS[node]}/24`, 'dev', 'eth0']);
  await run(container, ['ip', '-n', 'vm1', 'link', 'set', 'eth0', 'mtu', '1458', 'up']);
}
