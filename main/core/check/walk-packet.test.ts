import { describe, expect, it } from 'vitest';
import { iptablesPacket, traceFields } from './walk-packet';

describe("a walk's packet", () => {
  const ping = { proto: 'icmp' as const, port: undefined, src: '10.0.0.4', dst: '9.186.100.1' };
  const web = { proto: 'http' as const, port: 80, src: '192.168.0.4', dst: '192.168.0.2' };

  it('as ofproto/trace takes it: MACs (the destination left out when unknown), protocol, addresses, TTL', () => {
    expect(traceFields(ping, { src: 'fa:16:3e:70:24:92', dst: undefined }, 63)).toBe(
      'dl_src=fa:16:3e:70:24:92,icmp,icmp_type=8,nw_src=10.0.0.4,nw_dst=9.186.100.1,nw_ttl=63',
    );
    expect(traceFields(web, { src: 'fa:16:3e:4b:7e:21', dst: 'fa:16:3e:9c:dc:3a' }, 64)).toBe(
      'dl_src=fa:16:3e:4b:7e:21,dl_dst=fa:16:3e:9c:dc:3a,tcp,tp_src=40000,tp_dst=80,nw_src=192.168.0.4,nw_dst=192.168.0.2,nw_ttl=64',
    );
  });

  it('as iptables sees it: an echo request, or TCP from the same source port to the port asked', () => {
    expect(iptablesPacket(ping, { inInterface: 'qr-694450d6-f6' })).toEqual({
      proto: 'icmp',
      icmpType: 8,
      src: '10.0.0.4',
      dst: '9.186.100.1',
      inInterface: 'qr-694450d6-f6',
    });
    expect(iptablesPacket(web)).toEqual({ proto: 'tcp', sport: 40000, dport: 80, src: '192.168.0.4', dst: '192.168.0.2' });
  });
});
