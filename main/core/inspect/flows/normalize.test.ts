import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseActions } from './actions';
import { describeActions, matchIncludes, normalizeActions, normalizeFlow, normalizeMatch } from './normalize';
import { parseOvsdbDump, portMapOf } from '../ovsdb/parse';
import { parseFlowDump } from './parse';

const OVS = join(import.meta.dirname, '..', 'fixtures', 'ovs');
const actions = (text: string, ports?: Map<number, string>) => normalizeActions(parseActions(text), ports);
const match = (text: string, ports?: Map<number, string>) => normalizeMatch(parseFlowDump(` ${text} actions=drop`).flows[0]!.match, ports);

describe('actions compare by meaning, not spelling', () => {
  it.each([
    ['resubmit(,10)', 'goto_table:10'],
    ['strip_vlan', 'pop_vlan'],
    ['strip_vlan', 'load:0->NXM_OF_VLAN_TCI[]'],
    ['mod_vlan_vid:1', 'set_field:4097->vlan_vid'],
    ['mod_vlan_vid:1', 'load:1->NXM_OF_VLAN_TCI[0..11]'],
    ['set_tunnel:0x1', 'set_field:0x1->tun_id'],
    ['set_tunnel:0x3e9', 'load:0x3e9->NXM_NX_TUN_ID[]'],
    ['set_tunnel:1001', 'set_tunnel64:0x3e9'],
    ['mod_dl_src:FA:16:3F:00:00:01', 'set_field:fa:16:3f:00:00:01->eth_src'],
    ['NORMAL', 'normal'],
    ['drop', ''],
    ['strip_vlan, set_tunnel:0x1, output:2', 'pop_vlan,set_field:0x1->tun_id,output:2'],
  ])('%s ≈ %s', (a, b) => {
    expect(actions(a)).toEqual(b === '' ? [] : actions(b));
  });

  it("port numbers ≈ port names through the bridge's port map", () => {
    const ports = new Map([
      [1, 'patch-int'],
      [2, 'gre-1'],
    ]);
    expect(actions('output:2', ports)).toEqual(actions('output:"gre-1"'));
    expect(actions('resubmit(1,2)', ports)).toEqual(actions('resubmit("patch-int",2)'));
    expect(match('in_port=1', ports)).toEqual(match('in_port="patch-int"'));
  });

  it('tells apart what differs in meaning', () => {
    expect(actions('mod_vlan_vid:1')).not.toEqual(actions('mod_vlan_vid:2'));
    expect(actions('resubmit(,10)')).not.toEqual(actions('resubmit(,20)'));
    expect(actions('set_tunnel:0x1')).not.toEqual(actions('set_tunnel:0x2'));
    expect(actions('output:2')).not.toEqual(actions('output:3'));
    expect(actions('strip_vlan,output:2')).not.toEqual(actions('output:2,strip_vlan'));
  });

  it('reads the learned-flow template the same in every spelling', () => {
    expect(
      actions(
        'learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:NXM_OF_IN_PORT[])',
      ),
    ).toEqual([
      {
        op: 'learn',
        specs: [
          'table=20',
          'hard_timeout=300',
          'priority=1',
          'vlan_tci[0..11]',
          'dl_dst=dl_src',
          'load:0->vlan_tci',
          'load:tun_id->tun_id',
          'output:in_port',
        ],
      },
    ]);
  });

  it('describes normalised actions readably', () => {
    expect(describeActions(actions('strip_vlan,set_tunnel:0x1,output:2'))).toBe('pop_vlan,set:1->tun_id,output:2');
    expect(describeActions([])).toBe('drop');
  });
});

describe('matches compare by meaning, not spelling', () => {
  it.each([
    ['dl_dst=fa:16:3e:32:0d:db', 'eth_dst=FA:16:3E:32:0D:DB'],
    ['tun_id=0x1', 'tunnel_id=1'],
    ['ip', 'dl_type=0x0800'],
    ['tcp', 'dl_type=0x800,nw_proto=6'],
    ['dl_vlan=1', 'vlan_tci=0x1001/0x1fff'],
    ['dl_vlan=1', 'vlan_vid=4097'],
    // Untagged frames (a flat network): OpenFlow 1.0's dl_vlan=0xffff, as OVS prints it and in OXM.
    ['dl_vlan=0xffff', 'vlan_tci=0x0000'],
    ['dl_vlan=0xffff', 'vlan_tci=0x0000/0x1fff'],
    ['dl_vlan=0xffff', 'vlan_vid=0'],
    ['nw_dst=10.0.0.0/24', 'nw_dst=10.0.0.0/255.255.255.0'],
  ])('%s ≈ %s', (a, b) => {
    expect(match(a)).toEqual(match(b));
  });

  it('an untagged match is neither a tagged one nor VLAN 0', () => {
    expect(match('dl_vlan=0xffff')).not.toEqual(match('dl_vlan=0'));
    expect(match('dl_vlan=0xffff')).not.toEqual(match('dl_vlan=4095'));
    expect(match('dl_vlan=0xffff')).not.toEqual(match('vlan_tci=0x1000/0x1000'));
    // A VID-only mask (no tag-present bit) says nothing about a tag being there.
    expect(match('vlan_tci=0x0000/0x0fff')).not.toEqual(match('dl_vlan=0xffff'));
  });

  it("a learned flow's bare VID match is not a VLAN-present match", () => {
    expect(match('vlan_tci=0x0001/0x0fff')).not.toEqual(match('dl_vlan=1'));
  });

  it("a wanted match may be a subset of the flow's", () => {
    const flow = match('priority=1,in_port=1,dl_vlan=101');
    expect(matchIncludes(flow, match('dl_vlan=101'))).toBe(true);
    expect(matchIncludes(flow, match('dl_vlan=102'))).toBe(false);
    expect(matchIncludes(flow, match('in_port=1,dl_vlan=101'))).toBe(true);
  });
});

describe('the same bridge dumped by both drivers means the same', () => {
  // Port numbers map to names through the same node's database.
  const db = parseOvsdbDump(readFileSync(join(OVS, 'ovsdb-dump.json'), 'utf8'));
  const portMaps = Object.fromEntries(db.bridges.map((b) => [b.name, portMapOf(b)]));
  for (const bridge of ['br-int', 'br-tun']) {
    it(bridge, () => {
      const read = (file: string) =>
        parseFlowDump(readFileSync(join(OVS, file), 'utf8'))
          .flows.map((f) => normalizeFlow(f, portMaps[bridge]))
          .map((f) => ({ ...f, match: [...f.match] }));
      const of10 = read(`${bridge}.of10.flows.txt`);
      expect(of10.length).toBeGreaterThan(3);
      expect(read(`${bridge}.of13.flows.txt`)).toEqual(of10);
      expect(read(`${bridge}.names-nostats.flows.txt`)).toEqual(of10);
    });
  }
});
