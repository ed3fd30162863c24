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

  // Bridges and ports come in the database's (UUID) order, as `ovs-vsctl show` prints them.
  const bridge = (name: string) => db.bridges.find((b) => b.name === name)!;

  it('reads bridges, ports and interfaces with their options, tags and ofports', () => {
    expect(db.bridges.map((b) => b.name).sort()).toEqual(['br-int', 'br-phy', 'br-tun']);
    expect(
      bridge('br-tun')
        .ports.map((p) => p.name)
        .sort(),
    ).toEqual(['br-tun', 'gre-1', 'patch-int']);
    expect(bridge('br-int').datapathType).toBe('netdev');
    const tun = bridge('br-tun');
    const gre = tun.ports.find((p) => p.name === 'gre-1')!.interfaces[0]!;
    expect(gre).toMatchObject({
      name: 'gre-1',
      type: 'gre',
      ofport: expect.any(Number),
      options: { in_key: 'flow', local_ip: '10.0.0.100', out_key: 'flow', remote_ip: '10.0.0.101' },
    });
    expect(tun.ports.find((p) => p.name === 'patch-int')!.interfaces[0]!.options).toEqual({ peer: 'patch-tun' });
    expect(bridge('br-int').ports.find((p) => p.name === 'qvo-test')).toMatchObject({ tag: 1, trunks: [] });
    expect(bridge('br-phy').otherConfig).toEqual({ hwaddr: expect.stringMatching(/^02:42:/) });
    expect(db.ovsVersion).toBe('3.1.0');
    expect(Object.keys(gre.statistics)).toContain('tx_packets');
  });

  it('gives each bridge its port-number map, for reading flows', () => {
    const ports = portMapOf(bridge('br-tun'));
    expect([...ports.values()].sort()).toEqual(['br-tun', 'gre-1', 'patch-int']);
    expect(ports.get(65534)).toBe('br-tun');
    const gre = bridge('br-tun').ports.find((p) => p.name === 'gre-1')!.interfaces[0]!;
    expect(ports.get(gre.ofport!)).toBe('gre-1');
  });

  it('renders `ovs-vsctl show` byte for byte as OVS does', () => {
    expect(renderShow(db)).toBe(readFileSync(join(OVS, 'show.txt'), 'utf8'));
  });

  it('rejects what is not a dump, saying where', () => {
    expect(() => parseOvsdbDump('{"caption": "Bridge table", "data": [')).toThrow(ParseError);
    expect(() => parseOvsdbDump('{"caption": "Bridge table", "data": [')).toThrow(
      '<input>:1:1: cannot read an OVSDB dump: a JSON value is never closed (truncated?)',
    );
    expect(() => parseOvsdbDump('[1, 2]')).toThrow('expected a table object');
    expect(() => parseOvsdbDump('{"caption":"Bridge table","headings":["_uuid"],"data":[]}')).toThrow('it has no Open_vSwitch table row');
    expect(() =>
      parseOvsdbDump('{"caption":"Open_vSwitch table","headings":["_uuid","bridges"],"data":[[["uuid","a"],["uuid","missing"]]]}'),
    ).toThrow('a switch refers to a missing row missing');
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

describe('renderShow prints the trees the book prints', () => {
  // The book's excerpts come from OVS 1.x/2.0, which quoted more names, and its PDF copy wraps
  // and re-indents lines: compare without whitespace and quotes.
  const squeeze = (text: string) => text.replace(/[\s"]+/g, '');
  const seed = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'seed', name), 'utf8').replace(/^\$ .*\n/, '');
  const iface = (name: string, type = '', options: Record<string, string> = {}) => ({
    uuid: name,
    name,
    type,
    options,
    externalIds: {},
    statistics: {},
    status: {},
  });
  const port = (name: string, type = '', options: Record<string, string> = {}, tag?: number) => ({
    uuid: name,
    name,
    trunks: [],
    interfaces: [iface(name, type, options)],
    externalIds: {},
    otherConfig: {},
    ...(tag === undefined ? {} : { tag }),
  });
  const bridge = (name: string, ports: ReturnType<typeof port>[], failMode?: string) => ({
    uuid: name,
    name,
    datapathType: '',
    protocols: [],
    controllers: [],
    ports,
    externalIds: {},
    otherConfig: {},
    ...(failMode ? { failMode } : {}),
  });
  const db = (bridges: ReturnType<typeof bridge>[], uuid = 'x', ovsVersion?: string) => ({
    uuid,
    managers: [],
    externalIds: {},
    otherConfig: {},
    bridges,
    ...(ovsVersion ? { ovsVersion } : {}),
  });
  /** A bridge excerpt: the tree without its first (UUID) line. */
  const excerpt = (tree: string) => tree.split('\n').slice(1).join('\n');

  it("the GRE compute node's br-tun (002 L251)", () => {
    const tun = bridge('br-tun', [
      port('patch-int', 'patch', { peer: 'patch-tun' }),
      port('gre-1', 'gre', { in_key: 'flow', local_ip: '10.0.0.101', out_key: 'flow', remote_ip: '10.0.0.100' }),
      port('br-tun', 'internal'),
    ]);
    expect(squeeze(excerpt(renderShow(db([tun]))))).toBe(squeeze(seed('002-L0251.show.txt')));
  });

  it("the GRE network node's br-tun, wrapped by the book (002 L369)", () => {
    const tun = bridge('br-tun', [
      port('br-tun', 'internal'),
      port('patch-int', 'patch', { peer: 'patch-tun' }),
      port('gre-2', 'gre', { in_key: 'flow', local_ip: '10.0.0.100', out_key: 'flow', remote_ip: '10.0.0.101' }),
    ]);
    expect(squeeze(excerpt(renderShow(db([tun]))))).toBe(squeeze(seed('002-L0369.show.txt')));
  });

  it('the VXLAN compute node, whole, with fail_mode and ovs_version (002 L866)', () => {
    const tree = renderShow(
      db(
        [
          bridge(
            'br-int',
            [
              port('br-int', 'internal'),
              port('qvoc4493802-43', '', {}, 1),
              port('patch-tun', 'patch', { peer: 'patch-int' }),
              port('qvof47c62b0-db', '', {}, 1),
            ],
            'secure',
          ),
          bridge(
            'br-tun',
            [
              port('vxlan-0a00644d', 'vxlan', {
                df_default: 'true',
                in_key: 'flow',
                local_ip: '10.0.100.88',
                out_key: 'flow',
                remote_ip: '10.0.100.77',
              }),
              port('patch-int', 'patch', { peer: 'patch-tun' }),
              port('br-tun', 'internal'),
            ],
            'secure',
          ),
        ],
        '225f3eb5-6059-4063-99c3-8666915c9c55',
        '2.0.2',
      ),
    );
    expect(squeeze(tree)).toBe(squeeze(seed('002-L0866.show.txt')));
    expect(tree).toContain('options: {df_default="true", in_key=flow, local_ip="10.0.100.88", out_key=flow, remote_ip="10.0.100.77"}');
  });
});
