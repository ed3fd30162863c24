import { describe, expect, it } from 'vitest';
import { describeTarget, packetOf } from './capture';
import { packetClock } from './format';

describe("tcpdump's lines as packets", () => {
  it('reads the epoch time to the microsecond and keeps the summary as printed', () => {
    const line =
      '1796596156.345810 02:42:0a:d5:00:02 > 02:42:0a:d5:00:03, ethertype IPv4 (0x0800), length 84: 10.0.0.101 > 10.0.0.100: GREv0, key=0x1, proto TEB (0x6558), length 50: …';
    expect(packetOf(line, { node: 'compute1', iface: 'eth1' })).toEqual({
      time: '2026-12-06T22:29:16.345810Z',
      node: 'compute1',
      iface: 'eth1',
      summary: line.slice(18),
    });
    expect(packetOf('1796596156.000001 x', { node: 'compute1', iface: 'eth0', netns: 'vm1' })).toMatchObject({
      time: '2026-12-06T22:29:16.000001Z',
      netns: 'vm1',
    });
  });

  it('skips what is no packet line: the capture header, a line of tcpdump’s own', () => {
    expect(packetOf('nl-capture 42 /tmp/nl-capture-AbC123', { node: 'n', iface: 'eth1' })).toBeUndefined();
    expect(packetOf('tcpdump: listening on eth1, link-type EN10MB (Ethernet)', { node: 'n', iface: 'eth1' })).toBeUndefined();
  });

  it('names where it captures', () => {
    expect(describeTarget({ node: 'network', iface: 'qr-1', netns: 'qrouter-1' })).toBe('network (namespace qrouter-1) qr-1');
  });

  it("prints a packet's time as tcpdump does, to the microsecond in the local time zone", () => {
    const at = new Date('2026-12-06T22:29:16Z');
    const local = [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    expect(packetClock('2026-12-06T22:29:16.000420Z')).toBe(`${local}.000420`);
  });
});
