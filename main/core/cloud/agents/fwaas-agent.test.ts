import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../lab/load';
import { resolveCloud, type ResolvedFirewall } from '../model';
import { convertFirewallRule, firewallChains, firewallPart, firewallRules } from './fwaas-agent';

/**
 * FWaaS v1's iptables driver renders the book's firewall d8ed9898 in router 40fff075's
 * namespace (002 §防火墙, lines 2069-2089): its two chains rule for rule, hung off FORWARD for
 * qr-+, and the default-policy chain the book does not list.
 */

const root = join(import.meta.dirname, '..', '..', '..', '..');
const labFile = join(root, 'labs', 'fwaas', 'lab.yaml');
const model = resolveCloud(parseLab(readFileSync(labFile, 'utf8'), labFile).lab);
const firewall = model.firewalls[0] as ResolvedFirewall;

const bookRules = readFileSync(join(root, 'main', 'core', 'inspect', 'fixtures', 'book', 'fwaas-d8ed9898.save.txt'), 'utf8')
  .split('\n')
  .map((line) => line.replace(/^\[\d+:\d+\] /, ''))
  .filter((line) => line.startsWith('-A'));

const chainOf = (rules: readonly string[], chain: string) => rules.filter((r) => r.split(' ')[1] === chain);

describe('the FWaaS v1 driver', () => {
  const rendered = firewallRules(firewall).map((r) => r.join(' '));
  const c = firewallChains(firewall);

  it('names the chains as the book prints them (prefix neutron-vpn-agen, iv4/ov4 + 8 characters of the id)', () => {
    expect(c).toEqual({
      forward: 'neutron-vpn-agen-FORWARD',
      ingress: 'neutron-vpn-agen-iv4d8ed9898',
      egress: 'neutron-vpn-agen-ov4d8ed9898',
      defaultPolicy: 'neutron-vpn-agen-fwaas-defau',
    });
  });

  it("renders the book's iv4 and ov4 chains rule for rule", () => {
    for (const chain of [c.ingress, c.egress]) expect(chainOf(rendered, chain)).toEqual(chainOf(bookRules, chain));
  });

  it('hangs them off FORWARD as the book shows, then sends the rest to the default policy, which drops', () => {
    expect(chainOf(rendered, 'FORWARD')).toEqual(chainOf(bookRules, 'FORWARD'));
    expect(chainOf(rendered, c.forward)).toEqual([
      ...chainOf(bookRules, c.forward),
      '-A neutron-vpn-agen-FORWARD -o qr-+ -j neutron-vpn-agen-fwaas-defau',
      '-A neutron-vpn-agen-FORWARD -i qr-+ -j neutron-vpn-agen-fwaas-defau',
    ]);
    expect(chainOf(rendered, c.defaultPolicy)).toEqual(['-A neutron-vpn-agen-fwaas-defau -j DROP']);
  });

  it('converts rules as iptables prints them', () => {
    expect(convertFirewallRule({ protocol: 'udp', source: '10.1.0.0/16', destinationPort: '5000:5100', action: 'deny' }).join(' ')).toBe(
      '-s 10.1.0.0/16 -p udp -m udp --dport 5000:5100 -j DROP',
    );
    expect(convertFirewallRule({ protocol: 'icmp', action: 'allow' }).join(' ')).toBe('-p icmp -j ACCEPT');
    expect(convertFirewallRule({ action: 'allow', destination: '0.0.0.0/0' }).join(' ')).toBe('-j ACCEPT');
  });

  it('is applied in the router namespace, after the router, idempotently', () => {
    const part = firewallPart(model, model.nodes.get('network') as never, firewall);
    expect(part.key).toBe('network/firewall/fw1');
    expect(part.needs).toEqual(['network/router/router1']);
    for (const step of part.steps)
      expect(step.argv.slice(0, 4)).toEqual(['ip', 'netns', 'exec', 'qrouter-40fff075-d3a2-477b-942c-6b1adb42e35e']);
    for (const step of part.steps.filter((s) => s.argv[4] === 'iptables')) expect(step.unless, step.argv.join(' ')).toBeDefined();
  });
});
