import { number, one, onTwo, refuseDisabled, required, requiredChoice, type Command, type Parsed } from './command';
import { UsageError, type Row } from './format';
import {
  createFirewall,
  createFirewallPolicy,
  createFirewallRule,
  deleteFirewall,
  deleteFirewallPolicy,
  deleteFirewallRule,
  findFirewall,
  findFirewallPolicy,
  findFirewallRule,
  FIREWALL_LIST,
  FIREWALL_POLICY_LIST,
  FIREWALL_RULE_LIST,
  firewallListRows,
  firewallPolicyListRows,
  firewallPolicyRow,
  firewallRow,
  firewallRuleListRows,
  firewallRuleRow,
  insertRule,
  removeRule,
} from './fwaas';
import {
  associateMonitor,
  createMember,
  createMonitor,
  createPool,
  createVip,
  deleteMember,
  deleteMonitor,
  deletePool,
  deleteVip,
  disassociateMonitor,
  findMonitor,
  findPool,
  findVip,
  MEMBER_LIST,
  memberListRows,
  memberRow,
  METHODS,
  MONITOR_LIST,
  MONITOR_TYPES,
  monitorListRows,
  monitorRow,
  POOL_LIST,
  poolListRows,
  poolRow,
  PROTOCOLS,
  VIP_LIST,
  vipListRows,
  vipRow,
} from './lbaas';
import type { Sandbox } from './neutron';

/**
 * The book's LBaaS v1 and FWaaS v1 verbs, which only the legacy `neutron` client has (the
 * `openstack` client came later, with LBaaS v2 and FWaaS v2): each a command of the sandbox's
 * server, with the v1 client's options, fields and words around the answer.
 */

export interface ServiceVerb {
  command: Command;
  /** What the old client prints before the answer (create, delete, associate). */
  says?: (args: Parsed) => string;
}

const list = (columns: readonly string[], rows: (sb: Sandbox) => Row[]): Command => ({
  valued: [],
  flags: [],
  positionals: [],
  run: (sb) => ({ list: rows(sb), columns }),
});
const show = (
  row: (sb: Sandbox, name: string) => ReturnType<typeof poolRow>,
  find: (sb: Sandbox, nameOrId: string) => string,
): Command => ({
  valued: [],
  flags: [],
  positionals: ['<id>'],
  run: (sb, args) => ({ one: row(sb, find(sb, args.positionals[0]!)) }),
});
/** `neutron X-delete ID`: one at a time, "Deleted X: ID". */
const remove = (what: string, del: (sb: Sandbox, nameOrId: string) => void): ServiceVerb => ({
  command: {
    valued: [],
    flags: [],
    positionals: ['<id>'],
    changes: true,
    run: (sb, args) => {
      del(sb, args.positionals[0]!);
      return { none: true };
    },
  },
  says: (args) => `Deleted ${what}: ${args.positionals[0]}`,
});
/** A v1 verb on two named things (`lb-healthmonitor-associate MONITOR POOL`), with its words. */
const between = (
  names: [string, string],
  act: (sb: Sandbox, first: string, second: string) => void,
  says: (first: string) => string,
): ServiceVerb => ({ command: onTwo(names, act), says: (args) => says(args.positionals[0]!) });
const created = (what: string) => () => `Created a new ${what}:`;
const requiredNumber = (args: Parsed, name: string): number => {
  const value = number(args, name);
  if (value === undefined) throw new UsageError(`the following arguments are required: ${name}`);
  return value;
};

export const SERVICE_VERBS: Record<string, ServiceVerb> = {
  // LBaaS v1.
  'lb-pool-create': {
    command: {
      valued: ['--name', '--lb-method', '--protocol', '--subnet-id', '--description', '--provider'],
      flags: ['--admin-state-down'],
      positionals: [],
      changes: true,
      run: (sb, args) => {
        refuseDisabled(args, 'pool');
        const name = createPool(sb, {
          name: required(args, '--name'),
          method: requiredChoice(args, '--lb-method', METHODS),
          protocol: requiredChoice(args, '--protocol', PROTOCOLS),
          subnet: required(args, '--subnet-id'),
        });
        return { one: poolRow(sb, name) };
      },
    },
    says: created('pool'),
  },
  'lb-pool-list': { command: list(POOL_LIST, poolListRows) },
  'lb-pool-show': { command: show(poolRow, (sb, id) => findPool(sb, id)[0]) },
  'lb-pool-delete': remove('pool', deletePool),
  'lb-vip-create': {
    command: {
      valued: ['--name', '--protocol-port', '--protocol', '--subnet-id', '--address', '--connection-limit', '--description'],
      flags: ['--admin-state-down'],
      positionals: ['<pool>'],
      changes: true,
      run: (sb, args) => {
        refuseDisabled(args, 'vip');
        const pool = createVip(sb, {
          name: required(args, '--name'),
          pool: args.positionals[0]!,
          subnet: required(args, '--subnet-id'),
          protocol: requiredChoice(args, '--protocol', PROTOCOLS),
          port: requiredNumber(args, '--protocol-port'),
          address: one(args, '--address'),
        });
        return { one: vipRow(sb, pool) };
      },
    },
    says: created('vip'),
  },
  'lb-vip-list': { command: list(VIP_LIST, vipListRows) },
  'lb-vip-show': { command: show(vipRow, findVip) },
  'lb-vip-delete': remove('vip', deleteVip),
  'lb-member-create': {
    command: {
      valued: ['--address', '--protocol-port', '--weight'],
      flags: ['--admin-state-down'],
      positionals: ['<pool>'],
      changes: true,
      run: (sb, args) => {
        refuseDisabled(args, 'member');
        const id = createMember(sb, {
          pool: args.positionals[0]!,
          address: required(args, '--address'),
          port: requiredNumber(args, '--protocol-port'),
          weight: number(args, '--weight') ?? 1,
        });
        return { one: memberRow(sb, id) };
      },
    },
    says: created('member'),
  },
  'lb-member-list': { command: list(MEMBER_LIST, memberListRows) },
  // A member has only its id, and memberRow finds it by that.
  'lb-member-show': { command: show(memberRow, (_, id) => id) },
  'lb-member-delete': remove('member', deleteMember),
  'lb-healthmonitor-create': {
    command: {
      valued: ['--delay', '--type', '--max-retries', '--timeout', '--url-path', '--http-method', '--expected-codes'],
      flags: ['--admin-state-down'],
      positionals: [],
      changes: true,
      run: (sb, args) => {
        refuseDisabled(args, 'health monitor');
        const type = requiredChoice(args, '--type', MONITOR_TYPES);
        const path = one(args, '--url-path');
        const name = createMonitor(sb, {
          type,
          delay: requiredNumber(args, '--delay'),
          timeout: requiredNumber(args, '--timeout'),
          retries: requiredNumber(args, '--max-retries'),
          ...(path === undefined ? {} : { path }),
        });
        return { one: monitorRow(sb, name) };
      },
    },
    says: created('health_monitor'),
  },
  'lb-healthmonitor-list': { command: list(MONITOR_LIST, monitorListRows) },
  'lb-healthmonitor-show': { command: show(monitorRow, (sb, id) => findMonitor(sb, id)[0]) },
  'lb-healthmonitor-delete': remove('health_monitor', deleteMonitor),
  'lb-healthmonitor-associate': between(['<health-monitor-id>', '<pool>'], associateMonitor, (id) => `Associated health monitor ${id}`),
  'lb-healthmonitor-disassociate': between(
    ['<health-monitor-id>', '<pool>'],
    disassociateMonitor,
    (id) => `Disassociated health monitor ${id}`,
  ),

  // FWaaS v1.
  'firewall-rule-create': {
    command: {
      valued: [
        '--name',
        '--protocol',
        '--action',
        '--source-ip-address',
        '--destination-ip-address',
        '--source-port',
        '--destination-port',
        '--description',
        '--ip-version',
      ],
      flags: ['--shared', '--enabled'],
      positionals: [],
      changes: true,
      run: (sb, args) => {
        const key = createFirewallRule(sb, {
          name: one(args, '--name'),
          protocol: requiredChoice(args, '--protocol', ['tcp', 'udp', 'icmp', 'any'] as const),
          action: requiredChoice(args, '--action', ['allow', 'deny'] as const),
          source: one(args, '--source-ip-address'),
          destination: one(args, '--destination-ip-address'),
          sourcePort: one(args, '--source-port'),
          destinationPort: one(args, '--destination-port'),
        });
        return { one: firewallRuleRow(sb, key) };
      },
    },
    says: created('firewall_rule'),
  },
  'firewall-rule-list': { command: list(FIREWALL_RULE_LIST, firewallRuleListRows) },
  'firewall-rule-show': { command: show(firewallRuleRow, findFirewallRule) },
  'firewall-rule-delete': remove('firewall_rule', deleteFirewallRule),
  'firewall-policy-create': {
    command: {
      valued: ['--firewall-rules', '--description'],
      flags: ['--shared', '--audited'],
      positionals: ['<name>'],
      changes: true,
      run: (sb, args) => {
        const rules = (one(args, '--firewall-rules') ?? '').split(/\s+/).filter(Boolean);
        return { one: firewallPolicyRow(sb, createFirewallPolicy(sb, args.positionals[0]!, rules)) };
      },
    },
    says: created('firewall_policy'),
  },
  'firewall-policy-list': { command: list(FIREWALL_POLICY_LIST, firewallPolicyListRows) },
  'firewall-policy-show': { command: show(firewallPolicyRow, findFirewallPolicy) },
  'firewall-policy-delete': remove('firewall_policy', deleteFirewallPolicy),
  'firewall-policy-insert-rule': {
    command: {
      valued: ['--insert-before', '--insert-after'],
      flags: [],
      positionals: ['<policy>', '<rule>'],
      changes: true,
      run: (sb, args) => {
        const [before, after] = [one(args, '--insert-before'), one(args, '--insert-after')];
        if (before !== undefined && after !== undefined) throw new UsageError('give --insert-before or --insert-after, not both');
        insertRule(sb, args.positionals[0]!, args.positionals[1]!, {
          ...(before === undefined ? {} : { before }),
          ...(after === undefined ? {} : { after }),
        });
        return { none: true };
      },
    },
    says: (args) => `Inserted firewall rule in firewall policy ${args.positionals[0]}`,
  },
  'firewall-policy-remove-rule': between(
    ['<policy>', '<rule>'],
    removeRule,
    (policy) => `Removed firewall rule from firewall policy ${policy}`,
  ),
  'firewall-create': {
    command: {
      valued: ['--name', '--router', '--description'],
      flags: ['--admin-state-down'],
      positionals: ['<policy>'],
      changes: true,
      run: (sb, args) => {
        refuseDisabled(args, 'firewall');
        const routers = args.options.get('--router') ?? [];
        if (routers.length > 1) throw new UsageError("this sandbox's firewall guards one router: give --router once");
        const key = createFirewall(sb, { name: one(args, '--name'), policy: args.positionals[0]!, router: routers[0] });
        return { one: firewallRow(sb, key) };
      },
    },
    says: created('firewall'),
  },
  'firewall-list': { command: list(FIREWALL_LIST, firewallListRows) },
  'firewall-show': { command: show(firewallRow, findFirewall) },
  'firewall-delete': remove('firewall', deleteFirewall),
};
