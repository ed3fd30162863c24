import { inNamespace } from '../../docker/exec';
import type { CloudModel, NodeModel, ResolvedFirewall } from '../model';
import { part, type PlanPart } from '../plan';
import type { FirewallRule } from '../schema';
import { ensureChain, ensureRule } from './iptables-steps';
import { routerNamespace } from './l3-agent';
import { ref } from './ovs-agent';

/**
 * FWaaS v1 (book §防火墙): the L3 agent's iptables driver filters what crosses the router's qr-
 * ports, in the router namespace. The firewall gets a chain per direction — `iv4<id>` for what
 * goes out of a qr- port (into the tenant subnets), `ov4<id>` for what comes in by one — both
 * holding the policy's rules after the INVALID/ESTABLISHED pair. Whatever neither accepts goes on
 * to the `fwaas-defau(lt-policy)` chain, which drops it.
 *
 * Chain names are the agent's prefix (neutron-vpn-agen in the book) and a name cut to the 11
 * characters iptables_manager keeps: iv4 + the first 8 characters of the firewall id.
 */

const MAX_CHAIN = 11;

export interface FirewallChains {
  forward: string;
  ingress: string;
  egress: string;
  defaultPolicy: string;
}

export function firewallChains(firewall: ResolvedFirewall): FirewallChains {
  const p = firewall.router.chainPrefix;
  return {
    forward: `${p}-FORWARD`,
    ingress: `${p}-${`iv4${firewall.id}`.slice(0, MAX_CHAIN)}`,
    egress: `${p}-${`ov4${firewall.id}`.slice(0, MAX_CHAIN)}`,
    defaultPolicy: `${p}-${'fwaas-default-policy'.slice(0, MAX_CHAIN)}`,
  };
}

/** A firewall rule as iptables prints it: protocol, addresses, ports, target. */
export function convertFirewallRule(rule: FirewallRule): string[] {
  const args: string[] = [];
  if (rule.source && rule.source !== '0.0.0.0/0') args.push('-s', rule.source);
  if (rule.destination && rule.destination !== '0.0.0.0/0') args.push('-d', rule.destination);
  if (rule.protocol) args.push('-p', rule.protocol);
  const ports = [
    ...(rule.sourcePort !== undefined ? ['--sport', String(rule.sourcePort)] : []),
    ...(rule.destinationPort !== undefined ? ['--dport', String(rule.destinationPort)] : []),
  ];
  if (ports.length > 0 && rule.protocol && rule.protocol !== 'icmp') args.push('-m', rule.protocol, ...ports);
  args.push('-j', rule.action === 'allow' ? 'ACCEPT' : 'DROP');
  return args;
}

/** Every rule the driver writes for the firewall, as `iptables -S` prints them, chain by chain. */
export function firewallRules(firewall: ResolvedFirewall): string[][] {
  const c = firewallChains(firewall);
  const policy = [
    ['-m', 'state', '--state', 'INVALID', '-j', 'DROP'],
    ['-m', 'state', '--state', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
    ...firewall.rules.map(convertFirewallRule),
  ];
  return [
    ['-A', 'FORWARD', '-j', c.forward],
    ...forwardJumps(c),
    ['-A', c.defaultPolicy, '-j', 'DROP'],
    // FWaaS v1 puts the same rules in both directions.
    ...policy.map((r) => ['-A', c.ingress, ...r]),
    ...policy.map((r) => ['-A', c.egress, ...r]),
  ];
}

/** Traffic leaving by a qr- port goes to the ingress chain, arriving by one to the egress chain; then the default policy. */
const forwardJumps = (c: FirewallChains): string[][] => [
  ['-A', c.forward, '-o', 'qr-+', '-j', c.ingress],
  ['-A', c.forward, '-i', 'qr-+', '-j', c.egress],
  ['-A', c.forward, '-o', 'qr-+', '-j', c.defaultPolicy],
  ['-A', c.forward, '-i', 'qr-+', '-j', c.defaultPolicy],
];

export function firewallPart(model: CloudModel, node: NodeModel, firewall: ResolvedFirewall): PlanPart {
  const ns = routerNamespace(firewall.router);
  const c = firewallChains(firewall);
  const where = { namespace: ns };
  const rules = firewallRules(firewall);
  const own = rules.filter((r) => r[1] === c.ingress || r[1] === c.egress || r[1] === c.defaultPolicy);
  const restore = [
    '*filter',
    `:${c.ingress} - [0:0]`,
    `:${c.egress} - [0:0]`,
    `:${c.defaultPolicy} - [0:0]`,
    ...own.map((r) => r.join(' ')),
    'COMMIT',
  ];
  return part(
    ref(node, 'firewall', firewall.name),
    `firewall ${firewall.name} on ${firewall.router.name}: ${c.ingress}, ${c.egress} (${firewall.rules.length} rules), then ${c.defaultPolicy} drops`,
    [ref(node, 'router', firewall.router.name)],
    [
      ensureChain(c.forward, where),
      ensureRule(['-A', 'FORWARD', '-j', c.forward], where),
      // The firewall's own chains in one restore: declared chains are emptied first, the rest kept.
      { argv: inNamespace(['iptables-restore', '-w', '--noflush'], ns), input: `${restore.join('\n')}\n` },
      ...forwardJumps(c).map((rule) => ensureRule(rule, where)),
    ],
  );
}
