import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../lab/load';
import { resolveCloud, type CloudModel, type ResolvedPort } from '../model';
import { filterTableRules, portChains, portRules, securityGroupPart } from './security-groups';

/**
 * The hybrid firewall driver's rules for the book's port 583c7038-d3 are the book's filter table
 * (002 §安全组, lines 1614-1834), chain by chain and rule by rule; groups with remote groups,
 * CIDRs, port ranges and ICMP types convert as the driver converted them.
 */

const root = join(import.meta.dirname, '..', '..', '..', '..');
const labFile = join(root, 'labs', 'security-groups', 'lab.yaml');
const lab = parseLab(readFileSync(labFile, 'utf8'), labFile).lab;
const model = resolveCloud(lab);
const portOf = (m: CloudModel, vm: string): ResolvedPort => m.ports.find((p) => p.name === vm) as ResolvedPort;

/** The book's rules of Neutron's chains, as `iptables -S` prints them (counters off, MACs as nf_tables prints them). */
function bookRules(): string[] {
  const text = readFileSync(join(root, 'main', 'core', 'inspect', 'fixtures', 'book', 'sg-583c7038.save.txt'), 'utf8');
  return text
    .split('\n')
    .map((line) => line.replace(/^\[\d+:\d+\] /, ''))
    .filter((line) => line.startsWith('-A') && line.includes('neutron'))
    .map((line) => line.replace(/([0-9A-F]{2}:){5}[0-9A-F]{2}/g, (mac) => mac.toLowerCase()));
}

/** Rules grouped by chain, in order: iptables lists chains in its own order, rules in theirs. */
const byChain = (rules: readonly string[]) => {
  const chains = new Map<string, string[]>();
  for (const rule of rules) {
    const chain = rule.split(' ')[1] as string;
    chains.set(chain, [...(chains.get(chain) ?? []), rule]);
  }
  return Object.fromEntries([...chains].sort(([a], [b]) => a.localeCompare(b)));
};

describe('the hybrid iptables firewall driver', () => {
  it("renders the book's filter table for port 583c7038-d3, rule for rule", () => {
    expect(byChain(filterTableRules(model, [portOf(model, 'vm1')]))).toEqual(byChain(bookRules()));
  });

  it('names the chains i/o/s + the first 10 characters of the port id', () => {
    expect(portChains(portOf(model, 'vm1'))).toEqual({
      tap: 'tap583c7038-d3',
      ingress: 'neutron-openvswi-i583c7038-d',
      egress: 'neutron-openvswi-o583c7038-d',
      spoof: 'neutron-openvswi-s583c7038-d',
    });
  });

  it("expands a remote group into one rule per member's address", () => {
    const ingress = portRules(model, portOf(model, 'vm2'))
      .map((r) => r.join(' '))
      .filter((r) => r.includes('-i7be4c6a0-5 '));
    expect(ingress).toEqual([
      '-A neutron-openvswi-i7be4c6a0-5 -m state --state INVALID -j DROP',
      '-A neutron-openvswi-i7be4c6a0-5 -m state --state RELATED,ESTABLISHED -j RETURN',
      '-A neutron-openvswi-i7be4c6a0-5 -s 192.168.0.2/32 -p tcp -m tcp --dport 80 -j RETURN',
      '-A neutron-openvswi-i7be4c6a0-5 -p icmp -j RETURN',
      '-A neutron-openvswi-i7be4c6a0-5 -s 192.168.0.3/32 -p udp -m udp --sport 67 --dport 68 -j RETURN',
      '-A neutron-openvswi-i7be4c6a0-5 -j neutron-openvswi-sg-fallback',
    ]);
  });

  it('converts CIDRs, port ranges, UDP and ICMP types as iptables prints them', () => {
    const other = resolveCloud({
      ...lab,
      cloud: {
        ...lab.cloud,
        securityGroups: {
          default: {
            rules: [
              { direction: 'ingress', protocol: 'tcp', port: '8000:8080', remote: '10.1.0.0/16' },
              { direction: 'ingress', protocol: 'udp', port: 53 },
              { direction: 'ingress', protocol: 'icmp', port: 8 },
              { direction: 'egress', protocol: 'tcp', port: 443, remote: '0.0.0.0/0' },
              { direction: 'egress', protocol: 'tcp', port: '25:25', remote: 'web' },
            ],
          },
          web: { rules: [] },
        },
      },
    });
    const rules = portRules(other, portOf(other, 'vm1')).map((r) => r.slice(2).join(' '));
    expect(rules).toEqual(
      expect.arrayContaining([
        '-s 10.1.0.0/16 -p tcp -m multiport --dports 8000:8080 -j RETURN',
        '-p udp -m udp --dport 53 -j RETURN',
        '-p icmp -m icmp --icmp-type 8 -j RETURN',
        '-p tcp -m tcp --dport 443 -j RETURN',
        '-d 192.168.0.4/32 -p tcp -m tcp --dport 25 -j RETURN',
      ]),
    );
  });

  it('builds a port idempotently: shared chains and jumps are guarded, the port chains replaced in one restore', () => {
    const part = securityGroupPart(model, model.nodes.get('compute1') as never, portOf(model, 'vm1'));
    expect(part.key).toBe('compute1/security-group/vm1');
    expect(part.needs).toEqual(['compute1/vm/vm1']);
    const restore = part.steps.filter((s) => s.argv[0] === 'iptables-restore');
    expect(restore).toHaveLength(1);
    expect(restore[0]?.argv).toContain('--noflush');
    expect(restore[0]?.input?.split('\n').filter((l) => l.startsWith(':'))).toEqual([
      ':neutron-openvswi-i583c7038-d - [0:0]',
      ':neutron-openvswi-o583c7038-d - [0:0]',
      ':neutron-openvswi-s583c7038-d - [0:0]',
    ]);
    // Everything else only adds what is missing.
    for (const step of part.steps.filter((s) => s.argv[0] === 'iptables')) expect(step.unless, step.argv.join(' ')).toBeDefined();
  });
});

describe("a remote group, as the book's ipt prints it", () => {
  const tourFile = join(root, 'labs', 'easyovs-tour', 'lab.yaml');
  const tour = resolveCloud(parseLab(readFileSync(tourFile, 'utf8'), tourFile).lab);

  it("lets in the group's other members, never the port's own address (002 lines 2794-2796)", () => {
    const sources = (vm: string) =>
      portRules(tour, portOf(tour, vm))
        .filter((r) => r[1] === portChains(portOf(tour, vm)).ingress && r[2] === '-s' && r.length === 6)
        .map((r) => r[3]);
    expect(sources('vm1')).toEqual(['192.168.0.4/32', '192.168.0.5/32', '10.0.0.2/32']);
    expect(sources('vm2')).toEqual(['192.168.0.2/32', '192.168.0.5/32', '10.0.0.2/32']);
  });
});
