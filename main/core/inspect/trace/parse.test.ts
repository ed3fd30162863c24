import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrace } from './parse';

const OVS = join(import.meta.dirname, '..', 'fixtures', 'ovs');

describe('parseTrace', () => {
  it('follows a frame from br-int across the patch port into br-tun and out of a GRE tunnel', () => {
    const trace = parseTrace(readFileSync(join(OVS, 'trace-gre.txt'), 'utf8'));
    expect(trace.flow).toMatch(/^ip,in_port=\d+,vlan_tci=0x0000,dl_src=fa:16:3e:00:00:01/);
    expect(trace.bridges).toEqual(['br-int', 'br-tun', 'br-phy']);
    expect(trace.steps.map((s) => `${s.bridge}:${s.table}`)).toEqual([
      'br-int:0',
      'br-tun:0',
      'br-tun:1',
      'br-tun:20',
      'br-tun:21',
      'br-phy:0',
    ]);
    expect(trace.steps[4]).toMatchObject({
      bridge: 'br-tun',
      table: 21,
      match: 'dl_vlan=1',
      priority: 1,
      actions: ['strip_vlan', 'set_tunnel:0x1', expect.stringMatching(/^output:\d+$/)],
    });
    expect(trace.steps[4]?.notes).toContain('tunneling to 10.0.0.101 via br-phy');
    expect(trace.steps[0]?.notes).toEqual(['no learned MAC for destination, flooding']);
    expect(trace.tunnels).toEqual([{ type: 'gre', source: '10.0.0.100', destination: '10.0.0.101', tunnelId: '0x1' }]);
    expect(trace.dropped).toBe(false);
    expect(trace.megaflow).toMatch(/^recirc_id=0/);
  });

  it('reads VXLAN exits, and drops', () => {
    const vxlan = parseTrace(
      'Flow: arp,in_port=1\n\nbridge("br-tun")\n----------------\n 0. priority 0\n    output:2\n\nFinal flow: unchanged\nMegaflow: recirc_id=0,eth,arp\nDatapath actions: tnl_push(tnl_port(4789),header(size=50,type=4,eth(dst=02:42:ac:13:00:02,src=02:42:ac:13:00:03,dl_type=0x0800),ipv4(src=10.0.100.88,dst=10.0.100.77,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,dst=4789,csum=0x0),vxlan(flags=0x8000000,vni=0x3e9)),out_port(3))\n',
    );
    expect(vxlan.tunnels).toEqual([{ type: 'vxlan', source: '10.0.100.88', destination: '10.0.100.77', tunnelId: '0x3e9' }]);
    const dropped = parseTrace(
      'Flow: in_port=1\n\nbridge("br-int")\n----------------\n 0. No match.\n    drop\n\nFinal flow: unchanged\nDatapath actions: drop\n',
    );
    expect(dropped.dropped).toBe(true);
    expect(dropped.steps[0]).toMatchObject({ table: 0, actions: ['drop'] });
    expect(dropped.steps[0]?.match).toBeUndefined();
  });

  it('says what is missing from text that is not a trace', () => {
    expect(() => parseTrace('hello')).toThrow('cannot read a packet trace: it has no "Flow:" line');
    expect(() => parseTrace('Flow: in_port=1\n\nbridge("br-int")\n 0. priority 1\n    NORMAL\n')).toThrow(
      /:6:1: .*no "Datapath actions:" line \(truncated\?\)/,
    );
    expect(() => parseTrace('Flow: in_port=1\n 0. priority 1\nDatapath actions: drop\n')).toThrow(/:2:2: .*a table step before any bridge/);
  });
});
