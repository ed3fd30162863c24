import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePdml } from './pdml';
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
