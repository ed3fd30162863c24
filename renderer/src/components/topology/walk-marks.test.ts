import { describe, expect, it } from 'vitest';
import type { WalkResult } from '../../../../main/api/view';
import { onWalk, walkMarks } from './walk-marks';

const step = (bridge: string, table: number) => ({ bridge, table, actions: [], notes: [], depth: 0 });

/** security-groups' walk of vm2's SYN to vm1's port 80: out of vm2's qbr, two bridges, the tunnel, two bridges, dropped at vm1's qbr. */
const walk: WalkResult = {
  from: 'vm2',
  to: '192.168.0.2',
  proto: 'tcp',
  port: 80,
  dropped: true,
  verdict: 'dropped …',
  legs: [
    { kind: 'iptables', node: 'compute2', bridge: 'qbr7be4c6a0-5d', crossing: 'tap → qvb', steps: [], verdict: 'ACCEPT' },
    {
      kind: 'ovs',
      node: 'compute2',
      bridge: 'br-int',
      flow: '',
      trace: {
        flow: '',
        bridges: [],
        datapathActions: '',
        dropped: false,
        tunnels: [{ type: 'gre', source: '10.0.0.102', destination: '10.0.0.101', tunnelId: '0x1' }],
        steps: [step('br-int', 0), step('br-tun', 0), step('br-tun', 2), step('br-tun', 22)],
      },
      outputs: [],
    },
    {
      kind: 'ovs',
      node: 'compute1',
      bridge: 'br-tun',
      flow: '',
      arrivedBy: 'GRE key 0x1 from 10.0.0.102',
      trace: {
        flow: '',
        bridges: [],
        datapathActions: '',
        dropped: false,
        tunnels: [],
        steps: [step('br-tun', 0), step('br-tun', 3), step('br-int', 0)],
      },
      outputs: [],
    },
    { kind: 'iptables', node: 'compute1', bridge: 'qbr583c7038-d3', crossing: 'qvb → tap', steps: [], verdict: 'DROP' },
  ],
};

describe('a walk marked on the topology', () => {
  it('numbers each bridge once per visit, in walk order, and names the tunnel and where it ends dropped', () => {
    const marks = walkMarks(walk);
    expect([...marks.bridges]).toEqual([
      ['compute2 qbr7be4c6a0-5d', [1]],
      ['compute2 br-int', [2]],
      ['compute2 br-tun', [3]],
      ['compute1 br-tun', [4]],
      ['compute1 br-int', [5]],
      ['compute1 qbr583c7038-d3', [6]],
    ]);
    expect(marks.tunnels).toEqual([{ fromNode: 'compute2', toNode: 'compute1', remoteIp: '10.0.0.101' }]);
    // The topology draws the pair's tunnel once, from either end.
    expect(onWalk(marks, { fromNode: 'compute2', remoteIp: '10.0.0.101' })).toBe(true);
    expect(onWalk(marks, { fromNode: 'compute1', toNode: 'compute2', remoteIp: '10.0.0.102' })).toBe(true);
    expect(onWalk(marks, { fromNode: 'compute1', toNode: 'network', remoteIp: '10.0.0.100' })).toBe(false);
    expect(marks.droppedAt).toBe('compute1 qbr583c7038-d3');
  });

  it('numbers a bridge the walk comes back to twice, and marks nothing without a walk', () => {
    const back = structuredClone(walk);
    back.dropped = false;
    (back.legs[2] as Extract<WalkResult['legs'][number], { kind: 'ovs' }>).trace.steps.push(step('br-tun', 20));
    const marks = walkMarks(back);
    expect(marks.bridges.get('compute1 br-tun')).toEqual([4, 6]);
    expect(marks.droppedAt).toBeUndefined();
    expect(walkMarks(undefined)).toEqual({ bridges: new Map(), tunnels: [] });
  });
});
