import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePdml, PdmlReader } from './pdml';
import type { DecodedField } from './types';

// Real tshark 4.0 output (Debian bookworm) for packets a gre-tenant underlay carried.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

const find = (fields: DecodedField[], name: string): DecodedField | undefined => {
  for (const field of fields) {
    if (field.name === name) return field;
    const inner = find(field.children ?? [], name);
    if (inner) return inner;
  }
  return undefined;
};

describe('parsePdml', () => {
  it('reads a GRE packet as its layers, outermost first, with Wireshark’s lines', () => {
    const [packet, ...rest] = parsePdml(fixture('gre-arp.pdml'));
    expect(rest).toEqual([]);
    expect(packet!.number).toBe(1);
    expect(packet!.layers.map((layer) => layer.name)).toEqual(['frame', 'eth', 'ip', 'gre', 'eth', 'arp']);
    const gre = packet!.layers[3]!;
    expect(gre.text).toBe('Generic Routing Encapsulation (Transparent Ethernet bridging)');
    expect(find(gre.fields, 'gre.key')).toEqual({ name: 'gre.key', text: 'Key: 0x00000001', value: '0x00000001' });
    // The inner frame is the VM's: its MAC and its ARP for the router.
    expect(packet!.layers[4]!.text).toContain('fa:16:3e:cb:11:f6');
    expect(find(packet!.layers[5]!.fields, 'arp.dst.proto_ipv4')?.value).toBe('192.168.1.1');
  });

  it('keeps subtrees, drops hidden fields and reads escaped text', () => {
    const [packet] = parsePdml(fixture('gre-arp.pdml'));
    const ip = packet!.layers[2]!;
    const flags = find(ip.fields, 'ip.flags')!;
    expect(flags.text).toBe("010. .... = Flags: 0x2, Don't fragment");
    expect(flags.children?.map((field) => field.name)).toEqual(['ip.flags.rb', 'ip.flags.df', 'ip.flags.mf']);
    // ip.addr, ip.host and the like are hidden in Wireshark's tree.
    expect(find(ip.fields, 'ip.addr')).toBeUndefined();
    expect(find(ip.fields, 'ip.ttl')).toEqual({ name: 'ip.ttl', text: 'Time to Live: 64', value: '64' });
  });

  it('numbers a packet as its capture does, and nests what an ICMP error quotes', () => {
    const [packet] = parsePdml(fixture('gre-icmp-unreachable.pdml'));
    expect(packet!.number).toBe(2);
    expect(packet!.layers.map((layer) => layer.name)).toEqual(['frame', 'eth', 'ip', 'icmp']);
    const icmp = packet!.layers[3]!;
    const quoted = icmp.fields.filter((field) => ['ip', 'gre', 'eth', 'arp'].includes(field.name)).map((field) => field.name);
    expect(quoted).toEqual(['ip', 'gre', 'eth', 'arp']);
    expect(find(icmp.fields, 'gre.key')?.value).toBe('0x00000001');
  });

  it('says so when the output is cut short or not PDML', () => {
    const whole = fixture('gre-arp.pdml');
    expect(() => parsePdml(whole.slice(0, whole.indexOf('</packet>')))).toThrow(/ended inside a packet/);
    expect(() => parsePdml('<field name="x" show="1"/>')).toThrow(/outside a packet/);
    expect(parsePdml('<pdml></pdml>')).toEqual([]);
  });
});

describe('PdmlReader, reading as tshark writes', () => {
  const pieces = (bytes: Buffer, size: number) =>
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
  const body = (xml: string) => xml.slice(xml.indexOf('<packet>'), xml.lastIndexOf('</packet>') + '</packet>'.length);
  // Over a megabyte (a read's batch) of packets, then one with a line beyond ASCII.
  const arp = body(fixture('gre-arp.pdml'));
  const copies = Math.ceil((1.5 * 2 ** 20) / arp.length);
  const accented = body(fixture('gre-icmp-unreachable.pdml')).replace('showname="Ethernet II', 'showname="Éthernet II → ');
  const xml = `<?xml version="1.0"?>\n<pdml>\n${`${arp}\n`.repeat(copies)}${accented}\n</pdml>\n`;

  it('reads the same packets whatever pieces the output comes in, a character split between two of them included', () => {
    const whole = parsePdml(xml);
    expect(whole).toHaveLength(copies + 1);
    expect(whole.at(-1)!.layers[1]!.text).toMatch(/^Éthernet II → /);
    // A piece that ends after the first of É's two bytes.
    const splitting = Buffer.from(xml, 'utf8').indexOf(Buffer.from('É')) + 1;
    for (const size of [splitting, 4096, 65_536]) {
      const reader = new PdmlReader();
      for (const chunk of pieces(Buffer.from(xml, 'utf8'), size)) reader.push(chunk);
      expect(reader.end()).toEqual(whole);
      expect(reader.complete).toBe(true);
    }
  });

  it('reads packets while the output still comes, a megabyte at a time', () => {
    const reader = new PdmlReader();
    const bytes = Buffer.from(xml, 'utf8');
    const pieceList = pieces(bytes, 65_536);
    for (const chunk of pieceList.slice(0, -2)) reader.push(chunk);
    expect(reader.packets.length).toBeGreaterThan(copies / 2);
    expect(reader.packets.length).toBeLessThan(copies);
  });

  it('keeps what it could not read for end(), never throwing from a push, and says a cut-short document is not complete', () => {
    const broken = new PdmlReader();
    expect(() => broken.push(Buffer.from(`<field name="x" show="1"/></packet>${' '.repeat(2 ** 20)}`))).not.toThrow();
    expect(() => broken.end()).toThrow(/outside a packet/);
    const cut = new PdmlReader();
    cut.push(Buffer.from(xml.slice(0, xml.lastIndexOf('</packet>'))));
    expect(() => cut.end()).toThrow(/ended inside a packet/);
    expect(cut.complete).toBe(false);
  });
});
