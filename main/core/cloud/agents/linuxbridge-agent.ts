import type { CloudModel, NodeModel, ResolvedNetwork } from '../model';
import { deviceName } from '../names';
import { part, type PlanPart, type Step } from '../plan';
import { ref } from './ovs-agent';

/**
 * What neutron-linuxbridge-agent builds for a VXLAN network on a node (seed 003's "Linux bridge +
 * VXLAN"): a Linux bridge brq + 11 characters of the network id, and a kernel VXLAN device
 * vxlan-<VNI> enslaved to it, whose floods go to the agent's multicast group (Juno's default
 * vxlan_group 224.0.0.1) on the node's own NIC. VMs' taps join the bridge (./ports.ts). No OVS on
 * the path, and no flow tables: the kernel bridge learns MACs, the VXLAN device learns remote
 * endpoints from what arrives.
 */

/** Juno's default group for the VXLAN devices' broadcast, unknown unicast and multicast. */
const VXLAN_GROUP = '224.0.0.1';

export const bridgeName = (network: ResolvedNetwork): string => deviceName('brq', network.id);
const vxlanDevice = (network: ResolvedNetwork): string => `vxlan-${network.segment}`;

export function linuxBridgePart(model: CloudModel, node: NodeModel, network: ResolvedNetwork): PlanPart {
  const { interface: nic, address } = node.linuxbridge as NonNullable<NodeModel['linuxbridge']>;
  const brq = bridgeName(network);
  const vxlan = vxlanDevice(network);
  const steps: Step[] = [
    { argv: ['ip', 'link', 'add', brq, 'type', 'bridge'], unless: ['ip', 'link', 'show', 'dev', brq] },
    {
      argv: [
        'ip',
        'link',
        'add',
        vxlan,
        'type',
        'vxlan',
        'id',
        String(network.segment),
        'group',
        VXLAN_GROUP,
        'dev',
        nic,
        'local',
        address,
        'dstport',
        '8472',
      ],
      unless: ['ip', 'link', 'show', 'dev', vxlan],
    },
    { argv: ['ip', 'link', 'set', vxlan, 'master', brq, 'up'] },
    { argv: ['ip', 'link', 'set', brq, 'up'] },
  ];
  return part(
    ref(node, 'linuxbridge', network.name),
    `${brq} with ${vxlan} (VNI ${network.segment}, group ${VXLAN_GROUP} on ${nic})`,
    [],
    steps,
  );
}
