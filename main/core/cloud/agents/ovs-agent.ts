import type { CloudModel, NodeModel } from '../model';
import { part, vsctl, type PartRef, type PlanPart, type Step } from '../plan';
import { DVR_TABLES, remoteDvrMacs, tunnelFlows } from './tunnel-flows';

/**
 * What neutron-openvswitch-agent builds on a node: br-int, br-tun with its patch and tunnel
 * ports and flow tables, and per physical network a br-ethX joined to br-int with the VLAN
 * translation flows. Every bridge uses the userspace datapath (no kernel module in a container).
 */

const NETDEV = 'datapath_type=netdev';

export const ref = (node: NodeModel, kind: PartRef['kind'], subject?: string): PartRef => ({
  node: node.name,
  kind,
  ...(subject ? { subject } : {}),
});

/** Replace a bridge's flows (the agent's remove_all_flows + add_flow). */
function replaceFlows(bridge: string, flows: string[]): Step[] {
  return [{ argv: ['ovs-ofctl', 'del-flows', bridge] }, { argv: ['ovs-ofctl', 'add-flows', bridge, '-'], input: `${flows.join('\n')}\n` }];
}

export function integrationBridge(model: CloudModel, node: NodeModel): PlanPart {
  const secure = model.junoOrLater ? ['fail_mode=secure'] : [];
  const flows = [
    'table=0,priority=1,actions=NORMAL',
    // Distributed routing: DVR_TO_SRC_MAC, where frames from other hosts' routers get their gateway MAC back, drops the rest.
    ...(model.distributedRouting ? [`table=${DVR_TABLES.toSrcMac},priority=1,actions=drop`] : []),
    ...(model.junoOrLater ? ['table=23,priority=0,actions=drop'] : []),
  ];
  return part(
    ref(node, 'integration-bridge'),
    'br-int, the integration bridge every port plugs into',
    [],
    [
      { argv: vsctl(['--may-exist', 'add-br', 'br-int'], ['set', 'bridge', 'br-int', NETDEV, ...secure]) },
      ...replaceFlows('br-int', flows),
    ],
  );
}

export function tunnelBridge(model: CloudModel, node: NodeModel): PlanPart {
  const secure = model.junoOrLater ? ['fail_mode=secure'] : [];
  const tunnels = node.tunnels.map((t) => ({
    argv: vsctl(
      ['--may-exist', 'add-port', 'br-tun', t.name],
      [
        'set',
        'interface',
        t.name,
        `type=${t.type}`,
        ...(model.junoOrLater ? ['options:df_default=true'] : []),
        'options:in_key=flow',
        `options:local_ip=${t.localIp}`,
        'options:out_key=flow',
        `options:remote_ip=${t.remoteIp}`,
        `ofport_request=${t.ofport}`,
      ],
    ),
  }));
  return part(
    ref(node, 'tunnel-bridge'),
    `br-tun with patch ports to br-int and ${node.tunnels.map((t) => t.name).join(', ')}`,
    [ref(node, 'integration-bridge'), ref(node, 'underlay')],
    [
      { argv: vsctl(['--may-exist', 'add-br', 'br-tun'], ['set', 'bridge', 'br-tun', NETDEV, ...secure]) },
      {
        argv: vsctl(
          ['--may-exist', 'add-port', 'br-int', 'patch-tun'],
          ['set', 'interface', 'patch-tun', 'type=patch', 'options:peer=patch-int'],
          ['--may-exist', 'add-port', 'br-tun', 'patch-int'],
          ['set', 'interface', 'patch-int', 'type=patch', 'options:peer=patch-tun', 'ofport_request=1'],
        ),
      },
      ...tunnels,
      // The agent starts br-tun empty: nothing crosses it until its tables are written.
      { argv: ['ovs-ofctl', 'del-flows', 'br-tun'] },
    ],
  );
}

export function tunnelFlowsPart(model: CloudModel, node: NodeModel): PlanPart {
  const dvr = node.dvrMac !== undefined;
  const tables = model.junoOrLater ? `0, ${dvr ? '1, ' : ''}2, 3, 4, ${dvr ? '9, ' : ''}10, 20, 22` : '0, 1, 2, 3, 10, 20, 21';
  const steps = replaceFlows('br-tun', tunnelFlows(model, node));
  // br-int sorts frames from other hosts' DVR MACs to DVR_TO_SRC_MAC (it needs patch-tun, so it comes here).
  const fromDvrMacs = dvr
    ? remoteDvrMacs(model, node).map(
        (mac) => `table=0,priority=2,in_port=patch-tun,dl_src=${mac},actions=resubmit(,${DVR_TABLES.toSrcMac})`,
      )
    : [];
  if (fromDvrMacs.length > 0) steps.push({ argv: ['ovs-ofctl', 'add-flows', 'br-int', '-'], input: `${fromDvrMacs.join('\n')}\n` });
  return part(
    ref(node, 'tunnel-flows'),
    `br-tun's flow tables ${tables}${fromDvrMacs.length ? ", and br-int's for other hosts' DVR MACs" : ''}`,
    [ref(node, 'tunnel-bridge')],
    steps,
  );
}

export function physicalBridge(model: CloudModel, node: NodeModel): PlanPart {
  const steps: Step[] = [];
  for (const b of node.physicalBridges) {
    steps.push({
      argv: vsctl(
        ['--may-exist', 'add-br', b.bridge],
        ['set', 'bridge', b.bridge, NETDEV],
        ['--may-exist', 'add-port', b.bridge, b.interface],
      ),
    });
    if (model.junoOrLater) {
      steps.push({
        argv: vsctl(
          ['--may-exist', 'add-port', 'br-int', b.intPort],
          ['set', 'interface', b.intPort, 'type=patch', `options:peer=${b.phyPort}`],
          ['--may-exist', 'add-port', b.bridge, b.phyPort],
          ['set', 'interface', b.phyPort, 'type=patch', `options:peer=${b.intPort}`],
        ),
      });
    } else {
      // Icehouse joins the bridges with a veth pair (the book's int-br-eth1 / phy-br-eth1).
      steps.push(
        {
          argv: ['ip', 'link', 'add', b.intPort, 'type', 'veth', 'peer', 'name', b.phyPort],
          unless: ['ip', 'link', 'show', 'dev', b.intPort],
        },
        { argv: ['ethtool', '-K', b.intPort, 'tx', 'off'] },
        { argv: ['ethtool', '-K', b.phyPort, 'tx', 'off'] },
        { argv: ['ip', 'link', 'set', b.intPort, 'up'] },
        { argv: ['ip', 'link', 'set', b.phyPort, 'up'] },
        { argv: vsctl(['--may-exist', 'add-port', 'br-int', b.intPort], ['--may-exist', 'add-port', b.bridge, b.phyPort]) },
      );
    }
    // Until the agent binds a network, nothing passes between the two bridges.
    steps.push(...replaceFlows(b.bridge, ['table=0,priority=1,actions=NORMAL', `table=0,priority=2,in_port=${b.phyPort},actions=drop`]), {
      argv: ['ovs-ofctl', 'add-flow', 'br-int', `table=0,priority=2,in_port=${b.intPort},actions=drop`],
    });
  }
  return part(
    ref(node, 'physical-bridge'),
    `${node.physicalBridges.map((b) => b.bridge).join(', ')} on the physical network, linked to br-int`,
    [ref(node, 'integration-bridge')],
    steps,
  );
}

/** The flows that translate local VLANs to the provider's segment and back (book §VLAN), per physical bridge. */
export function vlanFlows(model: CloudModel, node: NodeModel): { bridge: string; outward: string[]; inward: string[] }[] {
  return node.physicalBridges.map((b) => {
    const onPhysnet = [...node.localVlans].flatMap(([name, lvid]) => {
      const network = model.networks.get(name);
      return network?.physnet === b.physnet && (network.type === 'vlan' || network.type === 'flat') ? [{ network, lvid }] : [];
    });
    return {
      bridge: b.bridge,
      // Out to the wire, on br-ethX: the local tag becomes the provider's (or none, for flat).
      outward: onPhysnet.map(
        ({ network, lvid }) =>
          `table=0,priority=4,in_port=${b.phyPort},dl_vlan=${lvid},actions=${network.type === 'flat' ? 'strip_vlan' : `mod_vlan_vid:${network.segment}`},NORMAL`,
      ),
      // In from the wire, on br-int: the provider's tag (or untagged, for flat) becomes the local one.
      inward: onPhysnet.map(
        ({ network, lvid }) =>
          `table=0,priority=3,in_port=${b.intPort},dl_vlan=${network.type === 'flat' ? '0xffff' : network.segment},actions=mod_vlan_vid:${lvid},NORMAL`,
      ),
    };
  });
}

export function vlanFlowsPart(model: CloudModel, node: NodeModel): PlanPart {
  const steps: Step[] = [];
  for (const { bridge, outward, inward } of vlanFlows(model, node)) {
    if (outward.length) steps.push({ argv: ['ovs-ofctl', 'add-flows', bridge, '-'], input: `${outward.join('\n')}\n` });
    if (inward.length) steps.push({ argv: ['ovs-ofctl', 'add-flows', 'br-int', '-'], input: `${inward.join('\n')}\n` });
  }
  return part(ref(node, 'vlan-flows'), 'VLAN translation between local VLANs and provider segments', [ref(node, 'physical-bridge')], steps);
}
