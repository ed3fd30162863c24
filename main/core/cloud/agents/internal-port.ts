import { inNamespace } from '../../docker/exec';
import type { NamespacePort } from '../model';
import { vsctl, type Step } from '../plan';

/**
 * How the agents' OVS interface driver plugs a namespace into a bridge (qr-, qg-, a VIP's tap):
 * an OVS internal port, created on the bridge and moved into the namespace, with the port's MAC,
 * MTU and address. No veth pair: the userspace datapath keeps the device's fd across the move.
 */
export function plugInternalPort(ns: string, bridge: string, port: NamespacePort, tag: number | undefined): Step[] {
  return [
    {
      argv: vsctl(
        ['--may-exist', 'add-port', bridge, port.device],
        [
          'set',
          'interface',
          port.device,
          'type=internal',
          `external_ids:iface-id=${port.portId}`,
          `external_ids:attached-mac=${port.mac}`,
          'external_ids:iface-status=active',
        ],
        ...(tag === undefined ? [] : [['set', 'port', port.device, `tag=${tag}`]]),
      ),
    },
    // Into the namespace, unless it is there already.
    { argv: ['ip', 'link', 'set', port.device, 'netns', ns], unless: inNamespace(['ip', 'link', 'show', 'dev', port.device], ns) },
    { argv: inNamespace(['ip', 'link', 'set', port.device, 'address', port.mac, 'mtu', String(port.network.mtu)], ns) },
    { argv: inNamespace(['ip', 'addr', 'replace', `${port.address}/${port.subnet.prefix}`, 'dev', port.device], ns) },
    { argv: inNamespace(['ip', 'link', 'set', port.device, 'up'], ns) },
  ];
}
