import { stableUuid } from '../cloud/names';
import type { SecurityGroupRule } from '../cloud/schema';
import { parseCidr } from '../net/ipv4';
import type { Row } from './format';
import { ApiError, badRequest, checkName, conflict, newId, type Sandbox } from './neutron';

/**
 * Security groups and their rules, as the server keeps them: a new group lets everything out;
 * a rule is refused when the group has it already; a group in use by a port is not deleted.
 * Every change reaches the ports' iptables chains on their computes (the firewall driver).
 */

/** A group's id: its own, else the one the model derives (a lab's groups may leave it out). */
export const groupId = (sb: Sandbox, name: string): string =>
  sb.cloud.securityGroups[name]?.id ?? stableUuid(sb.lab.id, 'security-group', name);

export function findGroup(sb: Sandbox, nameOrId: string): string {
  const found = Object.keys(sb.cloud.securityGroups).find((name) => name === nameOrId || groupId(sb, name) === nameOrId);
  if (!found) throw new ApiError('NotFoundException', `No SecurityGroup found for ${nameOrId}`);
  return found;
}

export function createGroup(sb: Sandbox, name: string): string {
  checkName('security group', name);
  if (sb.cloud.securityGroups[name])
    throw conflict(`A security group named ${name} exists already: in this sandbox a group's name is its key.`);
  sb.cloud.securityGroups[name] = { id: newId(), rules: [{ direction: 'egress' }] };
  return name;
}

export function deleteGroup(sb: Sandbox, nameOrId: string): void {
  const name = findGroup(sb, nameOrId);
  if (name === 'default') throw conflict('Insufficient rights for removing default security group.');
  if (Object.values(sb.cloud.vms).some((vm) => vm.securityGroups?.includes(name)))
    throw conflict(`Security Group ${groupId(sb, name)} in use.`);
  if (Object.values(sb.cloud.securityGroups).some((g) => g.rules.some((r) => r.remote === name))) {
    throw conflict(`Security Group ${groupId(sb, name)} in use: another group's rule names it as its remote group.`);
  }
  delete sb.cloud.securityGroups[name];
}

/** A rule's id: from its group and what it says (rules are unique in their group, and have no id in a lab file). */
export const ruleId = (sb: Sandbox, group: string, rule: SecurityGroupRule): string =>
  stableUuid(sb.lab.id, 'rule', group, JSON.stringify(rule));

export interface RuleAsk {
  group: string;
  direction: 'ingress' | 'egress';
  protocol?: 'tcp' | 'udp' | 'icmp' | undefined;
  port?: string | undefined;
  remoteIp?: string | undefined;
  remoteGroup?: string | undefined;
}

export function createRule(sb: Sandbox, ask: RuleAsk): { group: string; rule: SecurityGroupRule } {
  const group = findGroup(sb, ask.group);
  if (ask.remoteIp && ask.remoteGroup) throw badRequest('Only remote_ip_prefix or remote_group_id may be provided.');
  if (ask.remoteIp && !parseCidr(ask.remoteIp)) throw badRequest(`'${ask.remoteIp}' is not a valid IP prefix.`);
  const remoteGroup = ask.remoteGroup === undefined ? undefined : findGroup(sb, ask.remoteGroup);
  if (ask.port !== undefined) {
    if (!ask.protocol || ask.protocol === 'icmp') throw badRequest('Must also specify protocol tcp or udp when a port range is given.');
    const [min, max = min] = ask.port.split(':').map(Number);
    if (!Number.isInteger(min) || !Number.isInteger(max) || min! < 1 || max! > 65535 || min! > max!) {
      throw badRequest(`For TCP/UDP protocols, port_range_min must be <= port_range_max (got ${ask.port}).`);
    }
  }
  const rule: SecurityGroupRule = {
    direction: ask.direction,
    ...(ask.protocol ? { protocol: ask.protocol } : {}),
    ...(ask.port !== undefined ? { port: /^\d+$/.test(ask.port) ? Number(ask.port) : ask.port } : {}),
    ...(ask.remoteIp ? { remote: ask.remoteIp } : remoteGroup ? { remote: remoteGroup } : {}),
  };
  const rules = sb.cloud.securityGroups[group]!.rules;
  if (rules.some((r) => JSON.stringify(r) === JSON.stringify(rule)))
    throw conflict(`Security group rule already exists. Rule id is ${ruleId(sb, group, rule)}.`);
  rules.push(rule);
  return { group, rule };
}

export function deleteRule(sb: Sandbox, id: string): void {
  for (const [name, group] of Object.entries(sb.cloud.securityGroups)) {
    const index = group.rules.findIndex((r) => ruleId(sb, name, r) === id);
    if (index >= 0) {
      group.rules.splice(index, 1);
      return;
    }
  }
  throw new ApiError('NotFoundException', `No SecurityGroupRule found for ${id}`);
}

export function ruleRow(sb: Sandbox, group: string, rule: SecurityGroupRule): Row {
  const [min, max = min] = rule.port === undefined ? [null, null] : String(rule.port).split(':').map(Number);
  const byGroup = rule.remote !== undefined && !rule.remote.includes('/');
  return [
    ['direction', rule.direction],
    ['ethertype', 'IPv4'],
    ['id', ruleId(sb, group, rule)],
    ['port_range_max', max ?? null],
    ['port_range_min', min ?? null],
    ['protocol', rule.protocol ?? null],
    ['remote_group_id', byGroup ? groupId(sb, rule.remote!) : null],
    ['remote_ip_prefix', byGroup ? null : (rule.remote ?? null)],
    ['security_group_id', groupId(sb, group)],
  ];
}

export function groupRow(sb: Sandbox, name: string): Row {
  const group = sb.cloud.securityGroups[name]!;
  return [
    ['description', name === 'default' ? 'Default security group' : ''],
    ['id', groupId(sb, name)],
    ['name', name],
    ['rules', group.rules.map((r) => ruleSummary(sb, r))],
  ];
}

const ruleSummary = (sb: Sandbox, r: SecurityGroupRule): string =>
  [
    `direction='${r.direction}'`,
    "ethertype='IPv4'",
    ...(r.protocol ? [`protocol='${r.protocol}'`] : []),
    ...(r.port !== undefined ? [`port_range='${r.port}'`] : []),
    ...(r.remote === undefined
      ? []
      : r.remote.includes('/')
        ? [`remote_ip_prefix='${r.remote}'`]
        : [`remote_group_id='${groupId(sb, r.remote)}'`]),
  ].join(', ');

export const GROUP_LIST = ['ID', 'Name', 'Description'];
export const groupListRows = (sb: Sandbox): Row[] =>
  Object.keys(sb.cloud.securityGroups).map((name) => [
    ['ID', groupId(sb, name)],
    ['Name', name],
    ['Description', name === 'default' ? 'Default security group' : ''],
  ]);

export const RULE_LIST = ['ID', 'IP Protocol', 'IP Range', 'Port Range', 'Remote Security Group', 'Security Group'];
export const ruleListRows = (sb: Sandbox, only?: string): Row[] =>
  Object.entries(sb.cloud.securityGroups)
    .filter(([name]) => only === undefined || name === only)
    .flatMap(([name, g]) =>
      g.rules.map((r): Row => {
        const byGroup = r.remote !== undefined && !r.remote.includes('/');
        return [
          ['ID', ruleId(sb, name, r)],
          ['IP Protocol', r.protocol ?? null],
          ['IP Range', byGroup ? null : (r.remote ?? (r.direction === 'egress' ? null : '0.0.0.0/0'))],
          ['Port Range', r.port === undefined ? '' : String(r.port)],
          ['Remote Security Group', byGroup ? groupId(sb, r.remote!) : null],
          ['Security Group', groupId(sb, name)],
        ];
      }),
    );
