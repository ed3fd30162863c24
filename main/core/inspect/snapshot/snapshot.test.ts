import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffIsEmpty, diffSnapshots } from './diff';
import { readFrames } from './frames';
import { assembleSnapshot, commandName } from './snapshot';
import type { NodeSnapshot } from './types';

const frames = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'ovs', 'snapshot-compute1.frames'));
const snapshot = () => assembleSnapshot(readFrames(frames), 'compute1');

describe('a node snapshot, from one run of nl-snapshot on a real node', () => {
  const s = snapshot();

  it("holds the OVS database and every bridge's flows", () => {
    expect(s.ovs.bridges.map((b) => b.name)).toEqual(['br-phy']);
    expect(s.flows['br-phy']?.map((f) => f.actions[0]?.type)).toEqual(['normal']);
    expect(s.takenAt).toBeGreaterThan(1_700_000_000);
  });

  it("holds the node's own namespace first, then each namespace, with addresses, routes and iptables", () => {
    expect(s.namespaces.map((n) => n.name)).toEqual(['', 'qdhcp-88b1609c', 'vm1']);
    const vm = s.namespaces[2]!;
    expect(vm.interfaces.find((i) => i.name === 'eth0')?.addresses[0]).toMatchObject({ address: '192.168.1.10', prefix: 24 });
    expect(vm.routes).toContainEqual(expect.objectContaining({ destination: 'default', gateway: '192.168.1.1' }));
    expect(s.namespaces[0]!.iptables.tables.map((t) => t.name)).toEqual(['raw', 'filter', 'nat']);
    expect(s.namespaces[0]!.rules).toContainEqual({ priority: 32000, from: '10.0.0.0/24', table: '16' });
  });

  it('finds dnsmasq, the namespace it serves and the hosts file it reads', () => {
    expect(s.processes).toHaveLength(1);
    expect(s.processes[0]).toMatchObject({ command: 'dnsmasq', namespace: 'qdhcp-88b1609c' });
    expect(s.processes[0]!.files).toEqual([
      { path: '/var/lib/neutron/dhcp/88b1609c/host', content: 'fa:16:3e:9c:dc:3a,host-192-168-1-10,192.168.1.10\n' },
    ]);
    expect(s.problems).toEqual([]);
  });

  it('keeps what failed as a problem, and reads the rest', () => {
    const broken = assembleSnapshot(
      [
        { name: 'time', status: 0, text: '1800000000.5\n' },
        { name: 'ovsdb', status: 1, text: 'ovsdb-client: failed to connect to "unix:/run/openvswitch/db.sock"\n' },
        { name: 'root/routing', status: 0, text: '[{"dst": "default",\n[]\n[]\n' },
        { name: 'ns/vm1/routing', status: 0, text: '[]\n[]\n' },
      ],
      'n1',
    );
    expect(broken.problems).toEqual([
      { section: 'ovsdb', message: 'ovsdb-client: failed to connect to "unix:/run/openvswitch/db.sock"' },
      { section: 'root/routing', message: expect.stringMatching(/^n1:root\/routing:1:\d+: cannot read `ip -j route` output: not JSON/) },
      { section: 'ns/vm1/routing', message: 'n1:ns/vm1/routing:1:1: cannot read routes, rules and neighbours: 2 JSON lines, not 3' },
    ]);
    expect(broken.takenAt).toBe(1800000000.5);
  });

  it('reads the easyOVS record line by line; a record it cannot read is a problem, not a lost snapshot', () => {
    const record = (text: string) => assembleSnapshot([{ name: 'easyovs', status: 0, text }], 'n1');
    expect(record('{"action":"show","bridge":"br-int","at":1}\n{"action":"ipt","addresses":["10.0.0.2"],"at":2}\n').easyovs).toEqual([
      { action: 'show', bridge: 'br-int', at: 1 },
      { action: 'ipt', addresses: ['10.0.0.2'], at: 2 },
    ]);
    const odd = record('{"action":"show","at":1}\n{"action":"frobnicate","at":2}\n');
    expect(odd.easyovs).toEqual([]);
    expect(odd.problems).toEqual([{ section: 'easyovs', message: 'line 2 of the easyOVS record has no known action' }]);
  });

  it("rejects output that is not nl-snapshot's framing", () => {
    expect(() => readFrames(Buffer.from('hello\n'))).toThrow('expected a section header');
    expect(() => readFrames(Buffer.from('@@ 0 100 ovsdb\nshort\n'))).toThrow('section ovsdb is cut short');
  });
});

describe('diffSnapshots', () => {
  const grow = (s: NodeSnapshot) => {
    const flow = s.flows['br-phy']![0]!;
    flow.packets = (flow.packets ?? 0) + 5;
    flow.bytes = (flow.bytes ?? 0) + 420;
    return s;
  };

  it('is empty for the same state', () => {
    expect(diffIsEmpty(diffSnapshots(snapshot(), snapshot()))).toBe(true);
  });

  it('lists counters that grew, flows and rules added and removed, namespaces that appeared', () => {
    const before = snapshot();
    const after = grow(snapshot());
    after.flows['br-phy']!.push({ ...after.flows['br-phy']![0]!, priority: 5, packets: 0, bytes: 0, text: 'new' });
    const filter = after.namespaces[0]!.iptables.tables.find((t) => t.name === 'filter')!;
    const input = filter.chains.find((c) => c.name === 'INPUT')!;
    const removedRule = input.rules.pop()!;
    input.rules[0]!.packets = (input.rules[0]!.packets ?? 0) + 3;
    after.namespaces.push({ ...after.namespaces[2]!, name: 'qrouter-1' });
    after.takenAt = before.takenAt + 2;

    const diff = diffSnapshots(before, after);
    expect(diff.seconds).toBe(2);
    expect(diff.flows).toHaveLength(1);
    expect(diff.flows[0]!.counters).toEqual([{ item: after.flows['br-phy']![0], packets: 5, bytes: 420 }]);
    expect(diff.flows[0]!.added.map((f) => f.priority)).toEqual([5]);
    expect(diff.rules).toEqual([
      { namespace: '', table: 'filter', added: [], removed: [removedRule], counters: [{ item: input.rules[0], packets: 3, bytes: 0 }] },
    ]);
    expect(diff.namespaces).toEqual({ added: ['qrouter-1'], removed: [] });
  });

  it('counts a flow whose counters went down as re-added, all its traffic new', () => {
    const before = grow(grow(snapshot()));
    const after = grow(snapshot());
    after.flows['br-phy']![0]!.duration = 0.1;
    expect(diffSnapshots(before, after).flows[0]!.counters[0]).toMatchObject({ packets: after.flows['br-phy']![0]!.packets });
  });
});

describe('commandName', () => {
  it('names a program by its file, and a Python script by the script, not the interpreter', () => {
    expect(commandName('dnsmasq --no-hosts --interface=ns-f14c598d-98')).toBe('dnsmasq');
    expect(commandName('/usr/sbin/haproxy -f /var/lib/neutron/lbaas/p/conf')).toBe('haproxy');
    expect(commandName('/usr/bin/python3 -IS /usr/local/bin/neutron-ns-metadata-proxy --router_id=r')).toBe('neutron-ns-metadata-proxy');
    expect(commandName('python3.11 /usr/local/bin/nova-api-metadata')).toBe('nova-api-metadata');
  });
});
