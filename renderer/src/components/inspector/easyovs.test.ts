import { describe, expect, it } from 'vitest';
import type { OvsResult } from '../../../../main/api/view';
import { translate } from '../../i18n';
import { defaultBridge, parseFlowIds, resultBlocks } from './easyovs';
import { flow } from './fixtures.test-helpers';

const drop = flow(0, 3, 'ip,nw_src=192.0.2.99', ['drop'], { packets: 4 });
const normal = flow(0, 0, '', ['NORMAL']);

describe('easyOVS in the inspector', () => {
  it('reads flow IDs separated by spaces or commas, once each, and names what is not a number', () => {
    expect(parseFlowIds(' 3, 4 7,,3 ')).toEqual({ ids: [3, 4, 7], invalid: [] });
    expect(parseFlowIds('2 x -1 4.5')).toEqual({ ids: [2], invalid: ['x', '-1', '4.5'] });
    expect(parseFlowIds('   ')).toEqual({ ids: [], invalid: [] });
  });

  it('starts on br-int when the node has it, else on its first bridge', () => {
    expect(defaultBridge(['br-tun', 'br-int'])).toBe('br-int');
    expect(defaultBridge(['br-ex', 'br-tun'])).toBe('br-ex');
    expect(defaultBridge([])).toBe('');
  });

  it("prints list, show and dump with the CLI's columns, a dump's rows keeping their numbers", () => {
    const [list] = resultBlocks({ action: 'list', bridges: [{ name: 'br-int', ports: 3, flows: 1, failMode: undefined }] });
    expect(list!.table).toEqual({ head: ['BRIDGE', 'PORTS', 'FLOWS', 'FAIL_MODE'], rows: [{ cells: ['br-int', '3', '1', '-'] }] });

    const [show] = resultBlocks({
      action: 'show',
      bridge: 'br-int',
      ports: [
        { port: 'qvo2a7d9c41-3b', ofport: 2, tag: 1, type: 'system', owner: 'vm1', address: '192.168.1.3', mac: 'fa:16:3e:cb:11:f6' },
      ],
    });
    expect(show!.table!.head).toEqual(['PORT', 'OFPORT', 'VLAN', 'TYPE', 'NEUTRON PORT OF', 'IP', 'MAC']);
    expect(show!.table!.rows[0]!.cells).toEqual(['qvo2a7d9c41-3b', '2', '1', 'system', 'vm1', '192.168.1.3', 'fa:16:3e:cb:11:f6']);

    const dump: OvsResult = {
      action: 'dump',
      bridge: 'br-tun',
      flows: [
        { id: 0, table: 0, priority: 3, packets: 4, flow: drop },
        { id: 1, table: 0, priority: 0, packets: 0, flow: normal },
      ],
    };
    const [table] = resultBlocks(dump);
    expect(table!.table!.head).toEqual(['ID', 'TABLE', 'PRI', 'PACKETS', 'MATCH', 'ACTIONS']);
    expect(table!.table!.rows).toEqual([
      { id: 0, cells: ['0', '0', '3', '4', 'ip,nw_src=192.0.2.99', 'drop'] },
      { id: 1, cells: ['1', '0', '0', '0', '*', 'NORMAL'] },
    ]);
    expect(resultBlocks({ action: 'dump', bridge: 'br-tun', flows: [] })[0]!.empty).toBe('br-tun has no flows.');
  });

  it('says what addflow added (or that it replaced a twin) and what delflow deleted', () => {
    expect(
      resultBlocks({ action: 'addflow', bridge: 'br-tun', flow: 'table=0,priority=3,ip,nw_src=192.0.2.99,actions=drop', added: [drop] }),
    ).toEqual([{ heading: 'Added to br-tun: table=0,priority=3,ip,nw_src=192.0.2.99,actions=drop', lines: [drop.text] }]);
    expect(resultBlocks({ action: 'addflow', bridge: 'br-tun', flow: 'x', added: [] })[0]!.lines).toEqual([
      'No new flow: it replaced an identical one.',
    ]);
    expect(
      resultBlocks({ action: 'delflow', bridge: 'br-tun', deleted: [{ id: 0, table: 0, priority: 3, packets: 4, flow: drop }] }),
    ).toEqual([{ lines: [`Deleted 0: ${drop.text}`] }]);
  });

  it("shows ipt per VM and per chain, rules without their -A, in the learner's language", () => {
    const ipt: OvsResult = {
      action: 'ipt',
      vms: [
        {
          vm: 'vm1',
          address: '192.168.1.3',
          mac: 'fa:16:3e:cb:11:f6',
          node: 'compute1',
          chains: [
            {
              chain: 'neutron-openvswi-i2a7d9c41-3',
              direction: 'ingress',
              rules: [{ packets: 5, bytes: 420, rule: '-A neutron-openvswi-i2a7d9c41-3 -p icmp -j RETURN' }],
            },
            { chain: 'neutron-openvswi-s2a7d9c41-3', direction: 'anti-spoofing', rules: [] },
          ],
        },
      ],
    };
    const blocks = resultBlocks(ipt);
    expect(blocks.map((b) => b.heading ?? b.subheading)).toEqual([
      'vm1 (192.168.1.3, fa:16:3e:cb:11:f6)',
      'neutron-openvswi-i2a7d9c41-3 (ingress)',
      'neutron-openvswi-s2a7d9c41-3 (anti-spoofing)',
    ]);
    expect(blocks[1]!.table).toEqual({ head: ['PKTS', 'BYTES', 'RULE'], rows: [{ cells: ['5', '420', '-p icmp -j RETURN'] }] });
    expect(blocks[2]!.table!.rows).toEqual([]);
    const zh = resultBlocks(ipt, (key, params) => translate('zh', key, params));
    expect(zh[1]!.subheading).toBe('neutron-openvswi-i2a7d9c41-3 (入方向)');
  });
});
