import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpAddr, parseIpNeigh, parseIpNetns, parseIpRoute, parseIpRule } from './parse';

const OVS = join(import.meta.dirname, '..', 'fixtures', 'ovs');
const read = (name: string) => readFileSync(join(OVS, name), 'utf8');

describe('iproute2 JSON from a real node', () => {
  it('interfaces, with kind, veth peer, addresses', () => {
    const interfaces = parseIpAddr(read('ip-addr.json'));
    const byName = (name: string) => interfaces.find((i) => i.name === name);
    expect(byName('lo')?.addresses).toEqual([{ family: 'inet', address: '127.0.0.1', prefix: 8, scope: 'host' }]);
    expect(byName('br-phy')).toMatchObject({ kind: 'tun', addresses: [{ family: 'inet', address: '10.0.0.101', prefix: 24 }] });
    expect(byName('tap0')).toMatchObject({ kind: 'veth', peerNetnsId: expect.any(Number), peerIndex: expect.any(Number) });
    expect(byName('eth1')?.addresses).toEqual([]);
  });

  it('routes of every table, policy rules, neighbours, namespaces', () => {
    const routes = parseIpRoute(read('ip-route.json'));
    expect(routes).toContainEqual({ table: '16', type: 'unicast', destination: '10.9.0.0/24', device: 'br-phy', scope: 'link' });
    expect(routes.some((r) => r.table === 'local' && r.type === 'local')).toBe(true);
    expect(parseIpRule(read('ip-rule.json'))).toContainEqual({ priority: 32000, from: '10.0.0.0/24', table: '16' });
    expect(parseIpRule(read('ip-rule.json'))[0]).toEqual({ priority: 0, from: 'all', table: 'local' });
    expect(parseIpNeigh(read('ip-neigh.json')).every((n) => n.address && n.state.length > 0)).toBe(true);
    expect(
      parseIpNetns(read('ip-netns.json'))
        .map((n) => n.name)
        .sort(),
    ).toEqual(['qdhcp-88b1609c', 'vm1']);
  });

  it('says where JSON is broken, and what it expected', () => {
    expect(() => parseIpAddr('[{"ifname": "eth0",}]', 'addr.json')).toThrow(/^addr\.json:1:\d+: cannot read `ip -j addr` output: not JSON/);
    expect(() => parseIpRoute('{"dst": "default"}')).toThrow('expected a JSON array of objects');
    expect(parseIpAddr('')).toEqual([]);
  });
});
