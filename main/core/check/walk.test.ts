import { describe, expect, it } from 'vitest';
import type { PacketTrace } from '../inspect/trace/parse';
import { outputsOf } from './walk';

const trace = (datapathActions: string, tunnels: PacketTrace['tunnels'] = []): PacketTrace => ({
  flow: '',
  steps: [],
  bridges: [],
  datapathActions,
  dropped: false,
  tunnels,
});

describe('outputsOf', () => {
  // Real datapath actions from vlan-provider (Icehouse's veth pair to br-eth1) and gre-tenant.
  const ports = new Map([
    [1, 'int-br-eth1'],
    [2, 'eth1'],
    [3, 'phy-br-eth1'],
    [4, 'br-int'],
    [6, 'qvo1c8a3d2f-6b'],
  ]);

  it('names each output port, with the VLAN the actions before it left on the frame', () => {
    expect(outputsOf(trace('push_vlan(vid=1,pcp=0),1,4'), ports)).toEqual([
      { device: 'int-br-eth1', vlan: 1 },
      { device: 'br-int', vlan: 1 },
    ]);
    // Entering tagged 1, rewritten to 101 for the wire.
    expect(outputsOf(trace('pop_vlan,push_vlan(vid=101,pcp=0),2,3'), ports, 1)).toEqual([
      { device: 'eth1', vlan: 101 },
      { device: 'phy-br-eth1', vlan: 101 },
    ]);
    expect(outputsOf(trace('pop_vlan,push_vlan(vid=1,pcp=0),1,pop_vlan,6'), ports, 101)).toEqual([
      { device: 'int-br-eth1', vlan: 1 },
      { device: 'qvo1c8a3d2f-6b' },
    ]);
  });

  it('reads through a tunnel push, whose header holds commas and numbers of its own', () => {
    const gre =
      'push_vlan(vid=1,pcp=0),3,pop_vlan,tnl_push(tnl_port(5),header(size=42,type=3,eth(dst=02:42:0a:d5:00:02,src=02:42:0a:d5:00:03,dl_type=0x0800),ipv4(src=10.0.0.101,dst=10.0.0.100,proto=47,tos=0,ttl=64,frag=0x4000),gre((flags=0x2000,proto=0x6558),key=0x1)),out_port(2)),1';
    expect(
      outputsOf(
        trace(gre, [{ type: 'gre', source: '10.0.0.101', destination: '10.0.0.100', tunnelId: '0x1' }]),
        new Map([
          [3, 'br-int'],
          [1, 'eth1'],
        ]),
      ),
    ).toEqual([{ device: 'br-int', vlan: 1 }, { device: 'eth1' }, { device: 'gre tunnel to 10.0.0.100' }]);
    expect(outputsOf(trace('7'), new Map())).toEqual([{ device: 'datapath port 7' }]);
    expect(outputsOf(trace('drop'), ports)).toEqual([]);
  });
});
