import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveCloud } from '../cloud/model';
import { parseFlowDump } from '../inspect/flows/parse';
import type { OvsBridge, OvsPort } from '../inspect/ovsdb/parse';
import { parseIptables } from '../inspect/iptables/parse';
import type { NodeSnapshot } from '../inspect/snapshot/types';
import { parseLab } from '../lab/load';
import { listBridges, numberFlows, showBridge, strictMatch, vmRules } from './views';

/** easyOVS's views over a hand-made snapshot of the security-groups lab's compute1 and the book's filter table. */

const root = join(import.meta.dirname, '..', '..', '..');
const labFile = join(root, 'labs', 'security-groups', 'lab.yaml');
const model = resolveCloud(parseLab(readFileSync(labFile, 'utf8'), labFile).lab);

const port = (name: string, ofport: number, tag: number | undefined, type: string, externalIds: Record<string, string> = {}): OvsPort => ({
  uuid: name,
  name,
  ...(tag === undefined ? {} : { tag }),
  trunks: [],
  externalIds: {},
  otherConfig: {},
  interfaces: [{ uuid: name, name, type, options: {}, ofport, externalIds, statistics: {}, status: {} }],
});
const bridge = (name: string, ports: OvsPort[]): OvsBridge => ({
  uuid: name,
  name,
  datapathType: 'netdev',
  protocols: [],
  controllers: [],
  ports,
  externalIds: {},
  otherConfig: {},
});

const FLOWS = [
  ' cookie=0x0, duration=5s, table=21, n_packets=3, n_bytes=180, priority=1,dl_vlan=1 actions=strip_vlan,set_tunnel:0x1,output:2',
  ' cookie=0x0, duration=5s, table=0, n_packets=9, n_bytes=900, priority=1,in_port=1 actions=resubmit(,1)',
  ' cookie=0x0, duration=5s, table=0, n_packets=0, n_bytes=0, priority=0 actions=drop',
  ' cookie=0x0, duration=5s, table=1, n_packets=4, n_bytes=400, priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,21)',
].join('\n');

const snapshot: NodeSnapshot = {
  node: 'compute1',
  takenAt: 0,
  ovs: {
    uuid: 'x',
    managers: [],
    externalIds: {},
    otherConfig: {},
    bridges: [
      bridge('br-int', [
        port('br-int', 65534, undefined, 'internal'),
        port('qvo583c7038-d3', 2, 1, '', { 'iface-id': '583c7038-d341-41ec-a0d1-0cd2c33866ca', 'attached-mac': 'fa:16:3e:9c:dc:3a' }),
        port('patch-tun', 1, undefined, 'patch'),
      ]),
      bridge('br-tun', [port('patch-int', 1, undefined, 'patch')]),
    ],
  },
  flows: { 'br-tun': parseFlowDump(FLOWS, 'br-tun').flows },
  namespaces: [
    {
      name: '',
      interfaces: [],
      routes: [],
      rules: [],
      neighbours: [],
      iptables: parseIptables(readFileSync(join(root, 'main', 'core', 'inspect', 'fixtures', 'book', 'sg-583c7038.save.txt'), 'utf8')),
    },
  ],
  processes: [],
  easyovs: [],
  problems: [],
};

describe("easyOVS's views", () => {
  it('list: the bridges with their ports and flows', () => {
    expect(listBridges(snapshot)).toEqual([
      { name: 'br-int', ports: 3, flows: 0, failMode: undefined },
      { name: 'br-tun', ports: 1, flows: 4, failMode: undefined },
    ]);
  });

  it("show: each port's number, VLAN and the Neutron port behind it, with the VM's IP and MAC", () => {
    expect(showBridge(snapshot, model, 'br-int')).toEqual([
      { port: 'patch-tun', ofport: 1, tag: undefined, type: 'patch', owner: undefined, address: undefined, mac: undefined },
      { port: 'qvo583c7038-d3', ofport: 2, tag: 1, type: 'system', owner: 'vm1', address: '192.168.0.2', mac: 'fa:16:3e:9c:dc:3a' },
      { port: 'br-int', ofport: 65534, tag: undefined, type: 'internal', owner: undefined, address: undefined, mac: undefined },
    ]);
    expect(showBridge(snapshot, model, 'br-ex')).toBeUndefined();
  });

  it('dump: flows numbered by table, then priority; the strict match deletes exactly one', () => {
    const numbered = numberFlows(snapshot.flows['br-tun'] ?? []);
    expect(numbered.map(({ id, flow }) => [id, flow.table, flow.priority])).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [2, 1, 0],
      [3, 21, 1],
    ]);
    expect(numbered.map(({ flow }) => strictMatch(flow))).toEqual([
      'table=0,priority=1,in_port=1',
      'table=0,priority=0',
      'table=1,priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00',
      'table=21,priority=1,dl_vlan=1',
    ]);
    // The same flows in another order get the same numbers.
    expect(numberFlows([...(snapshot.flows['br-tun'] ?? [])].reverse()).map(({ flow }) => flow.text)).toEqual(
      numbered.map(({ flow }) => flow.text),
    );
  });

  it('numbers flows of one priority by what they do, not by their age: the dump a learner read still names the right flow', () => {
    const at = (seconds: number) =>
      parseFlowDump(
        [
          ` cookie=0x0, duration=${seconds}.5s, table=0, n_packets=0, n_bytes=0, priority=3,in_port=1,dl_vlan=102 actions=mod_vlan_vid:2,NORMAL`,
          ` cookie=0x0, duration=${seconds - 8}.1s, table=0, n_packets=0, n_bytes=0, priority=3,ip,nw_src=192.168.0.5 actions=drop`,
        ].join('\n'),
        'test',
      ).flows;
    const ids = (seconds: number) => numberFlows(at(seconds)).map(({ id, flow }) => `${id} ${strictMatch(flow)}`);
    expect(ids(9)).toEqual(ids(12));
    expect(ids(9)).toEqual(['0 table=0,priority=3,in_port=1,dl_vlan=102', '1 table=0,priority=3,ip,nw_src=192.168.0.5']);
  });

  it("ipt: the VM's i, o and s chains with their counters", () => {
    const rules = vmRules(snapshot, model, '192.168.0.2');
    expect(rules?.vm).toBe('vm1');
    expect(rules?.chains.map((c) => [c.chain, c.direction, c.rules.length])).toEqual([
      ['neutron-openvswi-i583c7038-d', 'ingress', 6],
      ['neutron-openvswi-o583c7038-d', 'egress', 7],
      ['neutron-openvswi-s583c7038-d', 'anti-spoofing', 2],
    ]);
    expect(rules?.chains[0]?.rules[2]).toEqual({
      packets: 1,
      bytes: 60,
      rule: '-A neutron-openvswi-i583c7038-d -p tcp -m tcp --dport 22 -j RETURN',
    });
    // vm2 lives on compute2: not on this node.
    expect(vmRules(snapshot, model, '192.168.0.4')).toBeUndefined();
  });
});
