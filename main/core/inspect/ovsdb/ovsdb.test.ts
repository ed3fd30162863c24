import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../parse-error';
import { parseOvsdbDump, portMapOf } from './parse';
import { quote, renderShow } from './show';

const OVS = join(import.meta.dirname, '..', 'fixtures', 'ovs');
const dump = readFileSync(join(OVS, 'ovsdb-dump.json'), 'utf8');

describe('parseOvsdbDump', () => {
  const db = parseOvsdbDump(dump);

  it('reads bridges, ports and interfaces with their options, tags and ofports', () => {
    expect(db.bridges.map((b) => `${b.name}:${b.datapathType}:${b.ports.map((p) => p.name).join(',')}`)).toEqual([
      'br-int:netdev:br-int,qvo-test,patch-tun',
      'br-phy:netdev:br-phy,eth1',
      'br-tun:netdev:gre-1,patch-int,br-tun',
    ]);
    const tun = db.bridges[2]!;
    const gre = tun.ports[0]!.interfaces[0]!;
    expect(gre).toMatchObject({
      name: 'gre-1',
      type: 'gre',
      ofport: 1,
      options: { in_key: 'flow', local_ip: '10.0.0.100', out_key: 'flow', remote_ip: '10.0.0.101' },
    });
    expect(tun.ports[1]!.interfaces[0]!.options).toEqual({ peer: 'patch-tun' });
    expect(db.bridges[0]!.ports[1]).toMatchObject({ name: 'qvo-test', tag: 1, trunks: [] });
    expect(db.bridges[1]!.otherConfig).toEqual({ hwaddr: expect.stringMatching(/^02:42:/) });
    expect(db.ovsVersion).toBe('3.1.0');
    expect(Object.keys(gre.statistics)).toContain('tx_packets');
  });

  it('gives each bridge its port-number map, for reading flows', () => {
    expect(portMapOf(db.bridges[2]!)).toEqual(new Map([[1, 'gre-1'], [2, 'patch-int'], [65534, 'br-tun']]));
  });

  it('renders `ovs-vsctl show` byte for byte as OVS does', () => {
    expect(renderShow(db)).toBe(readFileSync(join(OVS, 'show.txt'), 'utf8'));
  });

  it('rejects what is not a dump, saying where', () => {
    expect(() => parseOvsdbDump('{"caption": "Bridge table", "data": [')).toThrow(ParseError);
    expect(() => parseOvsdbDump('{"caption": "Bridge table", "data": [')).toThrow('<input>:1:1: cannot read an OVSDB dump: a JSON value is never closed (truncated?)');
    expect(() => parseOvsdbDump('[1, 2]')).toThrow('expected a table object');
    expect(() => parseOvsdbDump('{"caption":"Bridge table","headings":["_uuid"],"data":[]}')).toThrow('it has no Open_vSwitch table row');
    expect(() => parseOvsdbDump('{"caption":"Open_vSwitch table","headings":["_uuid","bridges"],"data":[[["uuid","a"],["uuid","missing"]]]}')).toThrow('a switch refers to a missing row missing');
  });
});

describe('quote (OVSDB string quoting)', () => {
  it.each([
    ['br-int', 'br-int'],
    ['eth1', 'eth1'],
    ['10.0.0.100', '"10.0.0.100"'],
    ['3.1.0', '"3.1.0"'],
    ['true', '"true"'],
    ['', '""'],
    ['qvo XXX', '"qvo XXX"'],
    ['de5e9a22-cea5-45ff-8546-bf0ac3396576', '"de5e9a22-cea5-45ff-8546-bf0ac3396576"'],
  ])('%s → %s', (text, quoted) => expect(quote(text)).toBe(quoted));
});
