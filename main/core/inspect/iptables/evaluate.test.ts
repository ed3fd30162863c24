import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateTable, type EvaluatedPacket } from './evaluate';
import { parseIptables } from './parse';
import type { IptablesTable } from './types';

/**
 * A packet through the book's filter table around port 583c7038-d3 (002 §安全组): what its
 * security groups let in reaches the VM, what they do not dies in sg-fallback, a forged source
 * dies in the s chain, and the rules met on the way are listed in order.
 */

const book = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'book', 'sg-583c7038.save.txt'), 'utf8');
const filter = parseIptables(book).tables.find((t) => t.name === 'filter') as IptablesTable;

/** vm2 (192.168.0.4) to the book's VM, as qbr583c7038-d3 forwards it: in by qvb, out by the tap. */
const toVm = (fields: Partial<EvaluatedPacket>): EvaluatedPacket => ({
  proto: 'tcp',
  src: '192.168.0.4',
  dst: '192.168.0.2',
  sport: 40000,
  physdevIn: 'qvb583c7038-d3',
  physdevOut: 'tap583c7038-d3',
  ...fields,
});
const chainsOf = (steps: { chain: string }[]) => steps.map((s) => s.chain);

describe('a packet through iptables chains', () => {
  it('reaches the VM by its SSH rule: the i chain returns to sg-chain, whose ACCEPT ends it', () => {
    const result = evaluateTable(filter, 'FORWARD', toVm({ dport: 22 }));
    expect(result.verdict).toBe('ACCEPT');
    expect(result.steps.map((s) => s.rule)).toEqual([
      '-A FORWARD -j neutron-filter-top',
      '-A neutron-filter-top -j neutron-openvswi-local',
      '-A FORWARD -j neutron-openvswi-FORWARD',
      '-A neutron-openvswi-FORWARD -m physdev --physdev-out tap583c7038-d3 --physdev-is-bridged -j neutron-openvswi-sg-chain',
      '-A neutron-openvswi-sg-chain -m physdev --physdev-out tap583c7038-d3 --physdev-is-bridged -j neutron-openvswi-i583c7038-d',
      '-A neutron-openvswi-i583c7038-d -p tcp -m tcp --dport 22 -j RETURN',
      '-A neutron-openvswi-sg-chain -j ACCEPT',
    ]);
  });

  it('drops what no rule lets in, in sg-fallback, entered from the i chain', () => {
    const result = evaluateTable(filter, 'FORWARD', toVm({ dport: 80 }));
    expect(result.verdict).toBe('DROP');
    expect(result.steps.slice(-2)).toEqual([
      {
        chain: 'neutron-openvswi-i583c7038-d',
        rule: '-A neutron-openvswi-i583c7038-d -j neutron-openvswi-sg-fallback',
        target: 'neutron-openvswi-sg-fallback',
      },
      { chain: 'neutron-openvswi-sg-fallback', rule: '-A neutron-openvswi-sg-fallback -j DROP', target: 'DROP' },
    ]);
  });

  it('lets ICMP in by type, and the DHCP answer only from the DHCP server', () => {
    expect(evaluateTable(filter, 'FORWARD', toVm({ proto: 'icmp', icmpType: 8, sport: undefined })).verdict).toBe('ACCEPT');
    const answer = { proto: 'udp' as const, sport: 67, dport: 68 };
    expect(evaluateTable(filter, 'FORWARD', toVm({ ...answer, src: '192.168.0.3' })).verdict).toBe('ACCEPT');
    expect(evaluateTable(filter, 'FORWARD', toVm({ ...answer, src: '192.168.0.9' })).verdict).toBe('DROP');
  });

  it("lets the VM's own address and MAC out, and drops a forged source in the s chain", () => {
    const fromVm = (src: string): EvaluatedPacket => ({
      proto: 'icmp',
      icmpType: 8,
      src,
      dst: '192.168.0.4',
      srcMac: 'fa:16:3e:9c:dc:3a',
      physdevIn: 'tap583c7038-d3',
      physdevOut: 'qvb583c7038-d3',
    });
    expect(evaluateTable(filter, 'FORWARD', fromVm('192.168.0.2')).verdict).toBe('ACCEPT');
    const forged = evaluateTable(filter, 'FORWARD', fromVm('192.168.0.99'));
    expect(forged.verdict).toBe('DROP');
    expect(chainsOf(forged.steps).at(-1)).toBe('neutron-openvswi-s583c7038-d');
  });

  it("takes a port's traffic the table knows nothing of past the chains' ends, to FORWARD's last rule (the book's node rejects it)", () => {
    const result = evaluateTable(filter, 'FORWARD', toVm({ physdevIn: 'qvbother', physdevOut: 'tapother', dport: 80 }));
    expect(result.verdict).toBe('REJECT');
    expect(result.steps.map((s) => s.target)).toEqual([
      'neutron-filter-top',
      'neutron-openvswi-local',
      'neutron-openvswi-FORWARD',
      'REJECT',
    ]);
  });

  it("ends at a built-in chain's policy when no rule decides", () => {
    const table = parseIptables('*filter\n:FORWARD DROP [0:0]\n-A FORWARD -p udp -j ACCEPT\nCOMMIT\n').tables[0] as IptablesTable;
    expect(evaluateTable(table, 'FORWARD', toVm({}))).toEqual({
      steps: [{ chain: 'FORWARD', rule: '-P FORWARD DROP', target: 'DROP' }],
      verdict: 'DROP',
    });
  });

  it('follows negations, interface prefixes, port ranges, goto and a DROP policy', () => {
    const table = parseIptables(
      [
        '*filter',
        ':FORWARD DROP [0:0]',
        ':web - [0:0]',
        '-A FORWARD ! -s 10.0.0.0/8 -j DROP',
        '-A FORWARD -i qr-+ -p tcp -m multiport --dports 80,8000:8080 -g web',
        '-A FORWARD -p tcp -j LOG',
        '-A web -d 10.0.0.5/32 -j ACCEPT',
        'COMMIT',
      ].join('\n'),
    ).tables[0] as IptablesTable;
    const packet = (fields: Partial<EvaluatedPacket>): EvaluatedPacket => ({
      proto: 'tcp',
      src: '10.1.0.2',
      dst: '10.0.0.5',
      dport: 8080,
      inInterface: 'qr-1234',
      ...fields,
    });
    expect(evaluateTable(table, 'FORWARD', packet({})).verdict).toBe('ACCEPT');
    expect(evaluateTable(table, 'FORWARD', packet({ src: '192.168.0.1' })).steps.at(-1)?.target).toBe('DROP');
    // goto: web's end does not return to FORWARD's next rule (LOG) but ends FORWARD: its policy.
    const missed = evaluateTable(table, 'FORWARD', packet({ dst: '10.0.0.6' }));
    expect(missed.steps.map((s) => s.target)).toEqual(['web', 'DROP']);
    expect(missed.verdict).toBe('DROP');
    // Neither in by a qr- port nor to a port in the list: the LOG rule is met, and the policy drops.
    expect(evaluateTable(table, 'FORWARD', packet({ inInterface: 'eth0' })).steps.map((s) => s.target)).toEqual(['LOG', 'DROP']);
    expect(evaluateTable(table, 'FORWARD', packet({ dport: 7999 })).steps.map((s) => s.target)).toEqual(['LOG', 'DROP']);
  });

  it("reads a router's nat table as the L3 agent writes it: DNAT to a floating IP's VM, SNAT out, REDIRECT to the metadata proxy", () => {
    const nat = parseIptables(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':POSTROUTING ACCEPT [0:0]',
        ':neutron-l3-agent-PREROUTING - [0:0]',
        ':neutron-l3-agent-POSTROUTING - [0:0]',
        ':neutron-l3-agent-float-snat - [0:0]',
        ':neutron-l3-agent-snat - [0:0]',
        ':neutron-postrouting-bottom - [0:0]',
        '-A PREROUTING -j neutron-l3-agent-PREROUTING',
        '-A POSTROUTING -j neutron-l3-agent-POSTROUTING',
        '-A POSTROUTING -j neutron-postrouting-bottom',
        '-A neutron-l3-agent-POSTROUTING ! -i qg-e76de35e-90 ! -o qg-e76de35e-90 -m conntrack ! --ctstate DNAT -j ACCEPT',
        '-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697',
        '-A neutron-l3-agent-PREROUTING -d 9.186.100.129/32 -j DNAT --to-destination 10.0.0.2',
        '-A neutron-l3-agent-float-snat -s 10.0.0.2/32 -j SNAT --to-source 9.186.100.129',
        '-A neutron-l3-agent-snat -j neutron-l3-agent-float-snat',
        '-A neutron-l3-agent-snat -s 10.0.0.0/24 -j SNAT --to-source 9.186.100.2',
        '-A neutron-postrouting-bottom -j neutron-l3-agent-snat',
        'COMMIT',
      ].join('\n'),
    ).tables[0] as IptablesTable;
    const out = { proto: 'icmp' as const, icmpType: 8, dst: '9.186.100.1', inInterface: 'qr-694450d6-f6', outInterface: 'qg-e76de35e-90' };
    expect(evaluateTable(nat, 'POSTROUTING', { ...out, src: '10.0.0.4' })).toMatchObject({
      verdict: 'ACCEPT',
      rewrite: { src: '9.186.100.2' },
    });
    expect(evaluateTable(nat, 'POSTROUTING', { ...out, src: '10.0.0.2' })).toMatchObject({ rewrite: { src: '9.186.100.129' } });
    // East-west, router port to router port: the agent's ACCEPT keeps it un-NAT'd, unless it was DNAT'd.
    const eastWest = { ...out, src: '10.0.0.4', dst: '10.0.1.5', outInterface: 'qr-11111111-11' };
    expect(evaluateTable(nat, 'POSTROUTING', eastWest)).toMatchObject({ verdict: 'ACCEPT' });
    expect(evaluateTable(nat, 'POSTROUTING', eastWest).rewrite).toBeUndefined();
    expect(evaluateTable(nat, 'POSTROUTING', { ...eastWest, ctstates: ['NEW', 'DNAT'] }).rewrite).toEqual({ src: '9.186.100.2' });
    const inward = { proto: 'icmp' as const, icmpType: 8, src: '9.186.100.1', dst: '9.186.100.129', inInterface: 'qg-e76de35e-90' };
    expect(evaluateTable(nat, 'PREROUTING', inward).rewrite).toEqual({ dst: '10.0.0.2' });
    const metadata = {
      proto: 'tcp' as const,
      src: '10.0.0.4',
      dst: '169.254.169.254',
      sport: 40000,
      dport: 80,
      inInterface: 'qr-694450d6-f6',
    };
    expect(evaluateTable(nat, 'PREROUTING', metadata).rewrite).toEqual({ redirect: 9697 });
  });

  it('says it cannot tell, naming the rule, where a rule uses a match it does not evaluate', () => {
    const table = parseIptables('*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -m set --match-set blocked src -j DROP\nCOMMIT\n')
      .tables[0] as IptablesTable;
    const result = evaluateTable(table, 'FORWARD', toVm({}));
    expect(result).toMatchObject({ verdict: 'unknown', steps: [] });
    expect(result.reason).toBe(
      '-A FORWARD -m set --match-set blocked src -j DROP uses --match-set of -m set, which the walk does not evaluate',
    );
  });
});
