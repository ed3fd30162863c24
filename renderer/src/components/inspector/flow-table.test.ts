import { describe, expect, it } from 'vitest';
import { matchText } from '../../../../main/api/view';
import { compareTables, flowRows, flowTables, rememberCounters } from './flow-table';
import { flow } from './fixtures.test-helpers';

const brTun = (packets: { t0?: number; t21?: number; t21Duration?: number } = {}) => [
  flow(21, 1, 'dl_vlan=1', ['strip_vlan', 'set_tunnel:0x1', 'output:gre-1'], {
    packets: packets.t21 ?? 0,
    bytes: 0,
    duration: packets.t21Duration ?? 10,
  }),
  flow(0, 0, '', ['drop'], { packets: 0, bytes: 0, duration: 10 }),
  flow(0, 1, 'in_port=patch-int', ['resubmit(,1)'], { packets: packets.t0 ?? 0, bytes: 0, duration: 10 }),
  flow(1, 0, 'dl_dst=01:00:00:00:00:00/01:00:00:00:00:00', ['resubmit(,21)'], { packets: 0, bytes: 0, duration: 10 }),
];

describe('the flow table model', () => {
  it('sorts by table, then priority from high to low, and prints match and actions as OVS does', () => {
    const rows = flowRows('br-tun', brTun());
    expect(rows.map((r) => [r.table, r.priority, r.match, r.actions])).toEqual([
      [0, 1, 'in_port=patch-int', 'resubmit(,1)'],
      [0, 0, '', 'drop'],
      [1, 0, 'dl_dst=01:00:00:00:00:00/01:00:00:00:00:00', 'resubmit(,21)'],
      [21, 1, 'dl_vlan=1', 'strip_vlan,set_tunnel:0x1,output:gre-1'],
    ]);
    expect(rows.every((r) => r.bridge === 'br-tun' && !r.grew)).toBe(true);
  });

  it('highlights exactly the flows whose n_packets grew since the previous refresh', () => {
    const first = flowTables({ 'br-tun': brTun({ t21: 3 }) }, ['br-tun']);
    const memory = rememberCounters(first);
    const second = flowTables({ 'br-tun': brTun({ t21: 5, t0: 0 }) }, ['br-tun'], memory).get('br-tun')!;
    expect(second.filter((r) => r.grew).map((r) => r.table)).toEqual([21]);
    // Unchanged counters: nothing is highlighted any more.
    const third = flowTables({ 'br-tun': brTun({ t21: 5 }) }, ['br-tun'], rememberCounters(new Map([['br-tun', second]])));
    expect(third.get('br-tun')!.some((r) => r.grew)).toBe(false);
  });

  it('counts a flow that was re-added (its duration went back) with packets as grown, even with fewer packets', () => {
    const memory = rememberCounters(flowTables({ 'br-tun': brTun({ t21: 9, t21Duration: 100 }) }, ['br-tun']));
    const rows = flowRows('br-tun', brTun({ t21: 2, t21Duration: 1 }), memory);
    expect(rows.find((r) => r.table === 21)?.grew).toBe(true);
  });

  it('counts a new flow with packets as grown, but nothing on the first refresh of a bridge', () => {
    const memory = rememberCounters(flowTables({ 'br-tun': brTun() }, ['br-tun']));
    const learned = flow(20, 1, 'dl_vlan=1,dl_dst=fa:16:3e:32:0d:db', ['load:0->NXM_OF_VLAN_TCI[]', 'output:gre-1'], {
      packets: 1,
      bytes: 98,
    });
    const rows = flowRows('br-tun', [...brTun(), learned], memory);
    expect(rows.filter((r) => r.grew).map((r) => r.table)).toEqual([20]);
    expect(flowRows('br-int', [learned], memory).some((r) => r.grew)).toBe(false);
  });

  it('keeps row keys unique and stable', () => {
    const rows = flowRows('br-int', [flow(0, 0, '', ['NORMAL']), flow(0, 0, '', ['NORMAL'])]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(2);
    expect(flowRows('br-int', [flow(0, 0, '', ['NORMAL'])])[0]!.key).toBe(rows[0]!.key);
  });

  it("lists bridges in the database's order, then any others with flows", () => {
    const tables = flowTables({ 'br-tun': [], 'br-int': [], 'br-x': [] }, ['br-int', 'br-tun', 'br-ex']);
    expect([...tables.keys()]).toEqual(['br-int', 'br-tun', 'br-x']);
  });

  it('orders named tables after numbered ones', () => {
    expect([3, 'acl', 0, 'zz', 10].sort(compareTables)).toEqual([0, 3, 10, 'acl', 'zz']);
    expect(matchText([{ name: 'arp' }, { name: 'nw_dst', value: '10.0.0.0', mask: '24' }])).toBe('arp,nw_dst=10.0.0.0/24');
  });
});
