import { describe, expect, it } from 'vitest';
import { contains, parseCidr, parseIpv4 } from './ipv4';

describe('ipv4', () => {
  it('parses addresses strictly', () => {
    expect(parseIpv4('10.0.0.100')).toBe(0x0a000064);
    for (const bad of ['10.0.0', '10.0.0.256', '10.0.0.01', 'a.b.c.d', '10.0.0.1.2', '']) {
      expect(parseIpv4(bad)).toBeUndefined();
    }
  });

  it('parses CIDRs and tests membership', () => {
    const subnet = parseCidr('10.0.0.0/24');
    expect(subnet).toEqual({ address: 0x0a000000, prefix: 24 });
    expect(contains(subnet!, parseIpv4('10.0.0.200')!)).toBe(true);
    expect(contains(subnet!, parseIpv4('10.0.1.1')!)).toBe(false);
    expect(contains(parseCidr('0.0.0.0/0')!, parseIpv4('8.8.8.8')!)).toBe(true);
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
  });
});
