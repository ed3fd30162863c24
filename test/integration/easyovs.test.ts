import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLab } from '../../main/core/lab/catalog';
import { solveLab, startLab } from '../../main/core/run';
import { collectSnapshot } from '../../main/core/inspect/snapshot/snapshot';
import { requireNode } from '../../main/core/session/sessions';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { runCli, testEngine, uniqueName } from './helpers';

/**
 * `neutron-lab ovs` (easyOVS) on a solved security-groups lab: ports shown with the VM behind
 * them, flows numbered and deleted by number, a flow added back, a VM's rules with counters,
 * and clear errors for what does not exist.
 */

const name = uniqueName('easyovs');
const ovs = (...args: string[]) => runCli(['ovs', name, 'compute1', ...args]);
const FLOOD = 'table=21,priority=1,dl_vlan=1';

beforeAll(async () => {
  const engine = await testEngine();
  await startLab(engine, await resolveLab('security-groups'), { name });
  await solveLab(engine, name);
}, 120_000);

afterAll(async () => {
  await removeSessionsNamed(await testEngine(), name);
});

interface DumpRow {
  id: number;
  table: number;
  priority: number;
  text: string;
}
const dump = async (): Promise<DumpRow[]> => JSON.parse((await ovs('dump', 'br-tun', '--json')).stdout) as DumpRow[];
const isFlood = (r: DumpRow) => r.table === 21 && r.priority === 1 && r.text.includes('dl_vlan=1');

describe('neutron-lab ovs', () => {
  it('list and show: bridges, then ports with their VLAN and the VM (IP, MAC) behind them', async () => {
    const list = await ovs('list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^br-int\s+\d+\s+\d+/m);
    expect(list.stdout).toMatch(/^br-tun\s+/m);
    const show = await ovs('show', 'br-int');
    expect(show.stdout).toMatch(/^qvo583c7038-d3\s+\d+\s+1\s+system\s+vm1\s+192\.168\.0\.2\s+fa:16:3e:9c:dc:3a$/m);
    expect(show.stdout).toMatch(/^qvo3f9a2c71-e8\s+\d+\s+1\s+system\s+vm3\s+192\.168\.0\.5/m);
  });

  it('dump numbers the flows; delflow deletes exactly the numbered one; addflow puts it back', async () => {
    const before = await dump();
    const flood = before.find(isFlood);
    expect(flood, JSON.stringify(before)).toBeDefined();
    const deleted = await ovs('delflow', 'br-tun', String(flood?.id));
    expect(deleted.code, deleted.stderr).toBe(0);
    const after = await dump();
    expect(after.find(isFlood)).toBeUndefined();
    expect(after).toHaveLength(before.length - 1);
    const added = await ovs('addflow', 'br-tun', `${FLOOD},actions=strip_vlan,set_tunnel:0x1,output:2`);
    expect(added.code, added.stderr).toBe(0);
    expect((await dump()).find(isFlood)?.id).toBe(flood?.id);
  });

  it("ipt lists the VM's chains with counters that grow with its traffic", async () => {
    const read = async () => (await ovs('ipt', '192.168.0.2')).stdout;
    const first = await read();
    expect(first).toMatch(/^vm1 \(192\.168\.0\.2, fa:16:3e:9c:dc:3a\) on compute1$/m);
    expect(first).toMatch(/^neutron-openvswi-s583c7038-d \(anti-spoofing\)$/m);
    const icmp = (text: string) => Number(/^\s+(\d+)\s+\d+\s+-p icmp -j RETURN$/m.exec(text)?.[1]);
    const before = icmp(first);
    expect(before).toBeGreaterThanOrEqual(0);
    await runCli(['exec', name, 'compute2', '--', 'ip', 'netns', 'exec', 'vm2', 'ping', '-c', '2', '-i', '0.2', '192.168.0.2']);
    // The first echo request only: conntrack then knows the exchange, and the ESTABLISHED rule above takes the rest.
    expect(icmp(await read())).toBe(before + 1);
  });

  it('records each action that ran on the node, with the flows it added or deleted, and nothing for one that failed', async () => {
    await ovs('show', 'br-nope');
    const { easyovs } = await collectSnapshot(await requireNode(await testEngine(), name, 'compute1'), 'compute1');
    expect(easyovs.map((r) => [r.action, r.bridge ?? r.addresses?.join(' ')])).toEqual([
      ['list', undefined],
      ['show', 'br-int'],
      ['dump', 'br-tun'],
      ['delflow', 'br-tun'],
      ['dump', 'br-tun'],
      ['addflow', 'br-tun'],
      ['dump', 'br-tun'],
      ['ipt', '192.168.0.2'],
      ['ipt', '192.168.0.2'],
    ]);
    const [deleted = [], added = []] = ['delflow', 'addflow'].map((action) => easyovs.find((r) => r.action === action)?.flows ?? []);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatch(/table=21, .*priority=1,dl_vlan=1 actions=strip_vlan,set_tunnel:0x1,output:2$/);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/table=21, .*priority=1,dl_vlan=1 actions=strip_vlan,set_tunnel:0x1,output:2$/);
  });

  it('says what is wrong: an unknown bridge, flow number, address or action', async () => {
    const cases: [string[], RegExp][] = [
      [['show', 'br-nope'], /No bridge "br-nope" on compute1/],
      [['delflow', 'br-tun', '999'], /br-tun has no flow 999 \(its flows are 0-\d+; see dump\)/],
      [['delflow', 'br-tun', 'x'], /"x" is not a flow number/],
      [['addflow', 'br-tun', 'table=nope,actions=drop'], /ovs-ofctl could not add/],
      [['ipt', '10.9.9.9'], /No VM at 10\.9\.9\.9 on compute1 \(there: vm1 192\.168\.0\.2, vm3 192\.168\.0\.5\)/],
      [['frobnicate'], /Unknown ovs action "frobnicate"/],
    ];
    for (const [args, message] of cases) {
      const result = await ovs(...args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });
});
