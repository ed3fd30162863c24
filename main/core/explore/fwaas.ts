import { stableUuid } from '../cloud/names';
import type { FirewallRule } from '../cloud/schema';
import { parseCidr, parseIpv4 } from '../net/ipv4';
import type { Row } from './format';
import { badRequest, checkName, conflict, findIn, newId, v1NotFound, type Sandbox } from './neutron';
import { findRouter } from './routers';

/**
 * FWaaS v1 as its plugin keeps it (the book's `firewall-rule-create`, `firewall-policy-create`,
 * `firewall-create`): rules on their own, a policy that orders them (a rule is in one policy at
 * most), a firewall that applies a policy to a router — the agent writes the policy's rules into
 * the router's namespace, and rewrites them when the policy changes.
 */

type Kind = 'firewall_rule' | 'firewall_policy' | 'firewall';

/** Rules and firewalls may be nameless in Neutron: the sandbox keys them rule-1, firewall-1… (the lowest free). */
function keyFor(taken: Record<string, unknown>, prefix: string, name: string | undefined, what: string): string {
  if (name !== undefined) {
    checkName(what, name);
    if (taken[name]) throw conflict(`A ${what} named ${name} exists already: in this sandbox its name is its key.`);
    return name;
  }
  let n = 1;
  while (taken[`${prefix}-${n}`]) n++;
  return `${prefix}-${n}`;
}

function find<T extends { id?: string | undefined }>(
  sb: Sandbox,
  kind: Kind,
  entries: Record<string, T> | undefined,
  nameOrId: string,
): [string, T] {
  return findIn(kind, entries ?? {}, nameOrId, (name, value) => idOf(sb, kind, name, value), v1NotFound(kind));
}

const idOf = (sb: Sandbox, kind: Kind, name: string, value: { id?: string | undefined } | undefined): string =>
  value?.id ?? stableUuid(sb.lab.id, kind.replace('_', '-'), name);

// Rules.

export interface RuleAsk {
  name?: string | undefined;
  protocol: 'tcp' | 'udp' | 'icmp' | 'any';
  action: 'allow' | 'deny';
  source?: string | undefined;
  destination?: string | undefined;
  sourcePort?: string | undefined;
  destinationPort?: string | undefined;
}

/** An address or a CIDR, as the API takes it; kept as a CIDR (an address is its /32). */
function cidr(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (parseCidr(value)) return value;
  if (parseIpv4(value) !== undefined) return `${value}/32`;
  throw badRequest(`Invalid input for ${field}. Reason: '${value}' is not a valid IP address or subnet.`);
}

function port(field: string, value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)(?::(\d+))?$/.exec(value);
  const [low, high] = [Number(match?.[1]), Number(match?.[2] ?? match?.[1])];
  if (!match || low < 1 || high > 65535 || low > high)
    throw badRequest(`Invalid input for ${field}. Reason: '${value}' is not a valid port or port range.`);
  return match[2] === undefined ? low : value;
}

export function createFirewallRule(sb: Sandbox, ask: RuleAsk): string {
  const rules = (sb.cloud.firewallRules ??= {});
  const key = keyFor(rules, 'rule', ask.name, 'firewall rule');
  const protocol = ask.protocol === 'any' ? undefined : ask.protocol;
  if ((ask.sourcePort ?? ask.destinationPort) !== undefined && protocol !== 'tcp' && protocol !== 'udp')
    throw badRequest('Source, destination port are not allowed when protocol is set to ICMP or ANY.');
  const rule: FirewallRule = { id: newId(), action: ask.action };
  if (protocol) rule.protocol = protocol;
  const fields = {
    source: cidr('source_ip_address', ask.source),
    sourcePort: port('source_port', ask.sourcePort),
    destination: cidr('destination_ip_address', ask.destination),
    destinationPort: port('destination_port', ask.destinationPort),
  };
  for (const [field, value] of Object.entries(fields)) if (value !== undefined) Object.assign(rule, { [field]: value });
  rules[key] = rule;
  return key;
}

const policyOfRule = (sb: Sandbox, rule: string): string | undefined =>
  Object.entries(sb.cloud.firewallPolicies ?? {}).find(([, p]) => p.rules.includes(rule))?.[0];

export function deleteFirewallRule(sb: Sandbox, nameOrId: string): void {
  const [key, rule] = find(sb, 'firewall_rule', sb.cloud.firewallRules, nameOrId);
  if (policyOfRule(sb, key) !== undefined) throw conflict(`Firewall Rule ${idOf(sb, 'firewall_rule', key, rule)} is being used.`);
  delete sb.cloud.firewallRules![key];
  if (Object.keys(sb.cloud.firewallRules!).length === 0) delete sb.cloud.firewallRules;
}

// Policies.

/** A rule for a policy: one that no policy has yet. */
function claim(sb: Sandbox, ruleNameOrId: string): string {
  const [key, rule] = find(sb, 'firewall_rule', sb.cloud.firewallRules, ruleNameOrId);
  const owner = policyOfRule(sb, key);
  if (owner !== undefined) {
    throw conflict(
      `Operation cannot be performed since Firewall Rule ${idOf(sb, 'firewall_rule', key, rule)} is already associated with FirewallPolicy ${idOf(sb, 'firewall_policy', owner, sb.cloud.firewallPolicies?.[owner])}.`,
    );
  }
  return key;
}

export function createFirewallPolicy(sb: Sandbox, name: string, rules: readonly string[]): string {
  const policies = (sb.cloud.firewallPolicies ??= {});
  const key = keyFor(policies, 'policy', name, 'firewall policy');
  const keys: string[] = [];
  for (const rule of rules) {
    const claimed = claim(sb, rule);
    if (keys.includes(claimed)) throw badRequest(`Firewall rule ${rule} is listed twice.`);
    keys.push(claimed);
  }
  policies[key] = { id: newId(), rules: keys };
  return key;
}

export function insertRule(sb: Sandbox, policyNameOrId: string, ruleNameOrId: string, where: { before?: string; after?: string }): void {
  const [, policy] = find(sb, 'firewall_policy', sb.cloud.firewallPolicies, policyNameOrId);
  const rule = claim(sb, ruleNameOrId);
  const anchor = where.before ?? where.after;
  if (anchor === undefined) {
    policy.rules.unshift(rule);
    return;
  }
  const [other] = find(sb, 'firewall_rule', sb.cloud.firewallRules, anchor);
  const at = policy.rules.indexOf(other);
  if (at < 0) throw badRequest(`Firewall Rule ${anchor} is not associated with Firewall Policy ${policyNameOrId}.`);
  policy.rules.splice(where.before !== undefined ? at : at + 1, 0, rule);
}

export function removeRule(sb: Sandbox, policyNameOrId: string, ruleNameOrId: string): void {
  const [, policy] = find(sb, 'firewall_policy', sb.cloud.firewallPolicies, policyNameOrId);
  const [rule] = find(sb, 'firewall_rule', sb.cloud.firewallRules, ruleNameOrId);
  if (!policy.rules.includes(rule))
    throw badRequest(`Firewall Rule ${ruleNameOrId} is not associated with Firewall Policy ${policyNameOrId}.`);
  policy.rules = policy.rules.filter((r) => r !== rule);
}

export function deleteFirewallPolicy(sb: Sandbox, nameOrId: string): void {
  const [key, policy] = find(sb, 'firewall_policy', sb.cloud.firewallPolicies, nameOrId);
  if (Object.values(sb.cloud.firewalls).some((f) => f.policy === key))
    throw conflict(`Firewall Policy ${idOf(sb, 'firewall_policy', key, policy)} is being used.`);
  delete sb.cloud.firewallPolicies![key];
  if (Object.keys(sb.cloud.firewallPolicies!).length === 0) delete sb.cloud.firewallPolicies;
}

// Firewalls.

/**
 * A firewall on a router: the one asked for, else the one router without a firewall (Kilo's
 * firewall applies to the tenant's routers; this sandbox's to exactly one).
 */
export function createFirewall(sb: Sandbox, ask: { name?: string | undefined; policy: string; router?: string | undefined }): string {
  const key = keyFor(sb.cloud.firewalls, 'firewall', ask.name, 'firewall');
  const [policy] = find(sb, 'firewall_policy', sb.cloud.firewallPolicies, ask.policy);
  const guarded = new Set(Object.values(sb.cloud.firewalls).map((f) => f.router));
  let router: string;
  if (ask.router !== undefined) {
    [router] = findRouter(sb, ask.router);
    if (guarded.has(router))
      throw conflict(`Router(s) ${sb.cloud.routers[router]!.id} provided already associated with other Firewall(s).`);
  } else {
    const free = Object.keys(sb.cloud.routers).filter((r) => !guarded.has(r));
    if (free.length !== 1)
      throw badRequest(`this sandbox's firewall guards one router: give --router (${free.length} routers have no firewall).`);
    router = free[0]!;
  }
  sb.cloud.firewalls[key] = { router, id: newId(), policy };
  return key;
}

export function deleteFirewall(sb: Sandbox, nameOrId: string): void {
  const [key] = find(sb, 'firewall', sb.cloud.firewalls, nameOrId);
  delete sb.cloud.firewalls[key];
}

// What they print: the v1 client's fields and list columns.

/** The v1 client's one-cell summary of a rule: protocol, source, destination, action. */
function summary(rule: FirewallRule): string {
  const end = (address: string | undefined, p: number | string | undefined) => `${address ?? 'none'}(${p ?? 'none'})`;
  return [
    (rule.protocol ?? 'any').toUpperCase(),
    `source: ${end(rule.source, rule.sourcePort)}`,
    `dest: ${end(rule.destination, rule.destinationPort)}`,
    rule.action,
  ].join(',\n ');
}

export function firewallRuleRow(sb: Sandbox, key: string): Row {
  const rule = sb.cloud.firewallRules![key]!;
  const policy = policyOfRule(sb, key);
  const text = (v: number | string | undefined) => (v === undefined ? null : String(v));
  return [
    ['action', rule.action],
    ['description', ''],
    ['destination_ip_address', rule.destination ?? null],
    ['destination_port', text(rule.destinationPort)],
    ['enabled', true],
    ['firewall_policy_id', policy === undefined ? null : idOf(sb, 'firewall_policy', policy, sb.cloud.firewallPolicies?.[policy])],
    ['id', idOf(sb, 'firewall_rule', key, rule)],
    ['ip_version', 4],
    ['name', key],
    ['position', policy === undefined ? null : sb.cloud.firewallPolicies![policy]!.rules.indexOf(key) + 1],
    ['protocol', rule.protocol ?? null],
    ['shared', false],
    ['source_ip_address', rule.source ?? null],
    ['source_port', text(rule.sourcePort)],
    ['summary', summary(rule)],
  ];
}
export const FIREWALL_RULE_LIST = ['id', 'name', 'firewall_policy_id', 'summary', 'enabled'];
export const firewallRuleListRows = (sb: Sandbox): Row[] => Object.keys(sb.cloud.firewallRules ?? {}).map((k) => firewallRuleRow(sb, k));
export const findFirewallRule = (sb: Sandbox, nameOrId: string): string => find(sb, 'firewall_rule', sb.cloud.firewallRules, nameOrId)[0];

export function firewallPolicyRow(sb: Sandbox, key: string): Row {
  const policy = sb.cloud.firewallPolicies![key]!;
  return [
    ['audited', false],
    ['description', ''],
    ['firewall_rules', policy.rules.map((r) => idOf(sb, 'firewall_rule', r, sb.cloud.firewallRules?.[r]))],
    ['id', idOf(sb, 'firewall_policy', key, policy)],
    ['name', key],
    ['shared', false],
  ];
}
export const FIREWALL_POLICY_LIST = ['id', 'name', 'firewall_rules'];
export const firewallPolicyListRows = (sb: Sandbox): Row[] =>
  Object.keys(sb.cloud.firewallPolicies ?? {}).map((k) => firewallPolicyRow(sb, k));
export const findFirewallPolicy = (sb: Sandbox, nameOrId: string): string =>
  find(sb, 'firewall_policy', sb.cloud.firewallPolicies, nameOrId)[0];

export function firewallRow(sb: Sandbox, key: string): Row {
  const firewall = sb.cloud.firewalls[key]!;
  const policy = firewall.policy;
  return [
    ['admin_state_up', true],
    ['description', ''],
    ['firewall_policy_id', policy === undefined ? null : idOf(sb, 'firewall_policy', policy, sb.cloud.firewallPolicies?.[policy])],
    ['id', idOf(sb, 'firewall', key, firewall)],
    ['name', key],
    ['router_ids', [sb.cloud.routers[firewall.router]?.id ?? firewall.router]],
    ['status', 'ACTIVE'],
  ];
}
export const FIREWALL_LIST = ['id', 'name', 'firewall_policy_id'];
export const firewallListRows = (sb: Sandbox): Row[] => Object.keys(sb.cloud.firewalls).map((k) => firewallRow(sb, k));
export const findFirewall = (sb: Sandbox, nameOrId: string): string => find(sb, 'firewall', sb.cloud.firewalls, nameOrId)[0];
