import type { CloudModel, NodeModel, ResolvedPort } from '../model';
import { deviceName } from '../names';
import { part, type PlanPart } from '../plan';
import type { SecurityGroupRule } from '../schema';
import { ensureChain, ensureRule } from './iptables-steps';
import { ref } from './ovs-agent';

/**
 * The OVS agent's hybrid iptables firewall driver (book §安全组): a VM's traffic crosses the
 * Linux bridge qbr, where iptables sees it by physdev, and each filtered port gets three chains
 * named from its id — `i…` for what goes to the VM, `o…` for what comes from it, `s…` that lets
 * out only the port's own IP and MAC — jumped to from the shared `sg-chain`. What no rule lets
 * through goes to `sg-fallback`, which drops it.
 *
 * The rules are written as `iptables -S` prints them (the driver builds them in that form, so
 * the book's dump and a live node read alike).
 */

/**
 * The agent's binary name cut to the 16 characters of an iptables_manager wrap name:
 * neutron-openvswitch-agent, or neutron-linuxbridge-agent, whose driver is the same.
 */
const prefixOf = (port: ResolvedPort): string => (port.network.agent === 'linuxbridge' ? 'neutron-linuxbri' : 'neutron-openvswi');

function sgChains(prefix: string) {
  return {
    filterTop: 'neutron-filter-top',
    forward: `${prefix}-FORWARD`,
    input: `${prefix}-INPUT`,
    output: `${prefix}-OUTPUT`,
    local: `${prefix}-local`,
    sgChain: `${prefix}-sg-chain`,
    fallback: `${prefix}-sg-fallback`,
  } as const;
}

/** The chains the driver shares between ports, and the jumps that hang them off the built-in chains. */
function sharedRules(prefix: string): string[][] {
  const chains = sgChains(prefix);
  return [
    ['-A', 'INPUT', '-j', chains.input],
    ['-A', 'FORWARD', '-j', chains.filterTop],
    ['-A', 'FORWARD', '-j', chains.forward],
    ['-A', 'OUTPUT', '-j', chains.filterTop],
    ['-A', 'OUTPUT', '-j', chains.output],
    ['-A', chains.filterTop, '-j', chains.local],
    ['-A', chains.fallback, '-j', 'DROP'],
  ];
}

/** sg-chain's last rule: traffic of ports without groups passes (every port's jump comes before it). */
const sgChainEnd = (prefix: string): string[] => ['-A', sgChains(prefix).sgChain, '-j', 'ACCEPT'];

export interface PortChains {
  tap: string;
  /** To the VM. */
  ingress: string;
  /** From the VM. */
  egress: string;
  /** Anti-spoofing: the port's own source IP and MAC. */
  spoof: string;
}

/** `i583c7038-d`: the first 10 characters of the port id after i, o or s. */
export function portChains(port: ResolvedPort): PortChains {
  const id = port.portId.slice(0, 10);
  const prefix = prefixOf(port);
  return { tap: deviceName('tap', port.portId), ingress: `${prefix}-i${id}`, egress: `${prefix}-o${id}`, spoof: `${prefix}-s${id}` };
}

const physdev = (direction: 'in' | 'out', tap: string) => ['-m', 'physdev', `--physdev-${direction}`, tap, '--physdev-is-bridged'];

/** The port's jumps in the shared chains: FORWARD and INPUT see it by physdev, sg-chain picks its own chain. */
export function portJumps(port: ResolvedPort): string[][] {
  const c = portChains(port);
  const chains = sgChains(prefixOf(port));
  return [
    ['-A', chains.forward, ...physdev('out', c.tap), '-j', chains.sgChain],
    ['-A', chains.forward, ...physdev('in', c.tap), '-j', chains.sgChain],
    ['-A', chains.input, ...physdev('in', c.tap), '-j', c.egress],
    ['-A', chains.sgChain, ...physdev('out', c.tap), '-j', c.ingress],
    ['-A', chains.sgChain, ...physdev('in', c.tap), '-j', c.egress],
  ];
}

/** The port's own three chains, in the driver's order (Icehouse's _add_rule_by_security_group). */
export function portRules(model: CloudModel, port: ResolvedPort): string[][] {
  const c = portChains(port);
  const fallback = sgChains(prefixOf(port)).fallback;
  const rules = port.securityGroups.flatMap((name) => model.securityGroups.get(name)?.rules ?? []);
  const converted = (direction: SecurityGroupRule['direction']) =>
    rules.filter((r) => r.direction === direction).flatMap((r) => convertRule(model, r, port));
  // The server adds a rule letting the network's DHCP servers answer the port.
  const dhcpServers = model.ports.filter((p) => p.owner === 'dhcp' && p.network === port.network);
  const stateful = [
    ['-m', 'state', '--state', 'INVALID', '-j', 'DROP'],
    ['-m', 'state', '--state', 'RELATED,ESTABLISHED', '-j', 'RETURN'],
  ];
  const ingress = [
    ...stateful,
    ...converted('ingress'),
    ...dhcpServers.map((d) => ['-s', `${d.address}/32`, '-p', 'udp', '-m', 'udp', '--sport', '67', '--dport', '68', '-j', 'RETURN']),
    ['-j', fallback],
  ];
  const egress = [
    // The VM may ask for an address before it has one.
    ['-p', 'udp', '-m', 'udp', '--sport', '68', '--dport', '67', '-j', 'RETURN'],
    ['-j', c.spoof],
    // …but may not be a DHCP server.
    ['-p', 'udp', '-m', 'udp', '--sport', '67', '--dport', '68', '-j', 'DROP'],
    ...stateful,
    ...converted('egress'),
    ['-j', fallback],
  ];
  const spoof = [
    ['-s', `${port.address}/32`, '-m', 'mac', '--mac-source', port.mac, '-j', 'RETURN'],
    ['-j', 'DROP'],
  ];
  return [
    ...ingress.map((r) => ['-A', c.ingress, ...r]),
    ...egress.map((r) => ['-A', c.egress, ...r]),
    ...spoof.map((r) => ['-A', c.spoof, ...r]),
  ];
}

/**
 * One security-group rule as iptables options, in the order iptables prints them (source or
 * destination, protocol, ports, target). A rule whose remote is a group becomes one rule per
 * address of that group's other ports, as the driver did before ipsets (the server leaves the
 * port's own address out: the book's ipt for 192.168.0.2 lists .4, .5 and 10.0.0.2).
 */
function convertRule(model: CloudModel, rule: SecurityGroupRule, port: ResolvedPort): string[][] {
  const side = rule.direction === 'ingress' ? '-s' : '-d';
  let remotes: (string | undefined)[] = [undefined];
  if (rule.remote?.includes('/')) remotes = [rule.remote];
  else if (rule.remote) {
    const group = rule.remote;
    remotes = model.ports.filter((p) => p.securityGroups.includes(group) && p.portId !== port.portId).map((p) => `${p.address}/32`);
  }
  const match: string[] = [];
  if (rule.protocol) match.push('-p', rule.protocol);
  if (rule.port !== undefined && rule.protocol === 'icmp') match.push('-m', 'icmp', '--icmp-type', String(rule.port));
  else if (rule.port !== undefined && rule.protocol) {
    const [min, max = min] = String(rule.port).split(':');
    match.push(...(min === max ? ['-m', rule.protocol, '--dport', String(min)] : ['-m', 'multiport', '--dports', `${min}:${max}`]));
  }
  return remotes.map((remote) => [...(remote === '0.0.0.0/0' || remote === undefined ? [] : [side, remote]), ...match, '-j', 'RETURN']);
}

/** Every rule the driver writes for these ports (of one agent), shared chains first, as `iptables -S` lines. */
export function filterTableRules(model: CloudModel, ports: readonly ResolvedPort[]): string[] {
  const prefix = ports[0] ? prefixOf(ports[0]) : 'neutron-openvswi';
  return [...sharedRules(prefix), ...ports.flatMap((p) => [...portJumps(p), ...portRules(model, p)]), sgChainEnd(prefix)].map((r) =>
    r.join(' '),
  );
}

export function securityGroupPart(model: CloudModel, node: NodeModel, port: ResolvedPort): PlanPart {
  const c = portChains(port);
  const prefix = prefixOf(port);
  const shared = Object.values(sgChains(prefix)).map((chain) => ensureChain(chain));
  // The port's chains in one restore: declaring them (without flushing the rest) empties them first.
  const table = [
    '*filter',
    `:${c.ingress} - [0:0]`,
    `:${c.egress} - [0:0]`,
    `:${c.spoof} - [0:0]`,
    ...portRules(model, port).map((r) => r.join(' ')),
    'COMMIT',
  ];
  const [forwardOut, forwardIn, input, toIngress, toEgress] = portJumps(port) as [string[], string[], string[], string[], string[]];
  return part(
    ref(node, 'security-group', port.name),
    `security groups ${port.securityGroups.join(', ')} on ${port.name}: ${c.ingress}, ${c.egress}, ${c.spoof}`,
    [ref(node, 'vm', port.name)],
    [
      ...shared,
      ...[...sharedRules(prefix), sgChainEnd(prefix)].map((rule) => ensureRule(rule)),
      { argv: ['iptables-restore', '-w', '--noflush'], input: `${table.join('\n')}\n` },
      ensureRule(forwardOut),
      ensureRule(forwardIn),
      ensureRule(input),
      // Before sg-chain's final ACCEPT: inserted at the top, the ingress jump last so it comes first.
      ensureRule(toEgress, {}, { insert: true }),
      ensureRule(toIngress, {}, { insert: true }),
    ],
  );
}
