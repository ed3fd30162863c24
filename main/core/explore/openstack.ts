import type { NetworkType } from '../cloud/schema';
import { choice, deleteEach, number, one, onTwo, refuseDisabled, required, type Command, type Parsed } from './command';
import { FORMATS, formatList, formatOne, UsageError, type Format } from './format';
import { ApiError, badRequest, conflict, copyOf, type Sandbox } from './neutron';
import {
  createNetwork,
  createSubnet,
  deleteNetwork,
  deleteSubnet,
  findNetwork,
  findSubnet,
  NETWORK_LIST,
  networkListRows,
  networkRow,
  keepLocalVlans,
  setNetwork,
  SUBNET_LIST,
  subnetListRows,
  subnetRow,
} from './networks';
import { PORT_LIST, portListRows, portRow } from './ports';
import {
  addInterface,
  createFloatingIp,
  createRouter,
  deleteFloatingIp,
  deleteRouter,
  findFloatingIp,
  findRouter,
  FLOATING_IP_LIST,
  keepDvr,
  associateFloatingIp,
  disassociateFloatingIp,
  floatingIpListRows,
  floatingIpRow,
  removeInterface,
  ROUTER_LIST,
  routerListRows,
  routerRow,
  setGateway,
  unsetGateway,
} from './routers';
import {
  createGroup,
  createRule,
  deleteGroup,
  deleteRule,
  findGroup,
  GROUP_LIST,
  groupListRows,
  groupRow,
  RULE_LIST,
  ruleListRows,
  ruleRow,
} from './security-groups';
import { createServer, deleteServer, findServer, SERVER_LIST, serverListRows, serverRow } from './servers';
import type { Lab } from '../lab/schema';
import type { Cloud } from '../cloud/schema';

/**
 * The `openstack` command of the sandbox: python-openstackclient's syntax (`openstack network
 * create --provider-network-type vxlan net1 -f json -c id`), its output and its exit codes — 0,
 * 1 for an error the server gave (nothing changed), 2 for a command line it cannot read.
 */

export interface CallResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The cloud after the call, when it changed it. */
  cloud?: Cloud;
}

/** A server's port has one address here: --fixed-ip-address, when given, must be it. */
function checkFixedAddress(sb: Sandbox, args: Parsed, floatingIp: string): void {
  const fixed = one(args, '--fixed-ip-address');
  const vm = sb.cloud.floatingIps[findFloatingIp(sb, floatingIp)]!.vm;
  const address = vm === undefined ? undefined : sb.cloud.vms[vm]?.address;
  if (fixed !== undefined && fixed !== address) throw badRequest(`Port of server ${vm} has no fixed IP address ${fixed}.`);
}

const NETWORK_TYPES: readonly NetworkType[] = ['flat', 'vlan', 'gre', 'vxlan', 'local'];

const COMMANDS: Record<string, Command> = {
  'network create': {
    valued: ['--provider-network-type', '--provider-segment', '--provider-physical-network'],
    flags: ['--external', '--internal', '--share', '--no-share', '--enable', '--disable'],
    positionals: ['<name>'],
    changes: true,
    run: (sb, args) => {
      refuseDisabled(args, 'network');
      const name = createNetwork(sb, {
        name: args.positionals[0]!,
        type: choice(args, '--provider-network-type', NETWORK_TYPES),
        segment: number(args, '--provider-segment'),
        physnet: one(args, '--provider-physical-network'),
        external: args.flags.has('--external'),
        shared: args.flags.has('--share'),
      });
      return { one: networkRow(sb, name) };
    },
  },
  'network set': {
    valued: ['--name'],
    flags: ['--share', '--no-share', '--external', '--internal'],
    positionals: ['<network>'],
    changes: true,
    run: (sb, args) => {
      if (one(args, '--name') !== undefined) throw new UsageError("this sandbox keeps a network's name: it is the network's key");
      setNetwork(sb, args.positionals[0]!, {
        shared: args.flags.has('--share') ? true : args.flags.has('--no-share') ? false : undefined,
        external: args.flags.has('--external') ? true : args.flags.has('--internal') ? false : undefined,
      });
      return { none: true };
    },
  },
  'network list': {
    valued: [],
    flags: ['--external', '--internal'],
    positionals: [],
    run: (sb) => ({ list: networkListRows(sb), columns: NETWORK_LIST }),
  },
  'network show': {
    valued: [],
    flags: [],
    positionals: ['<network>'],
    run: (sb, args) => ({ one: networkRow(sb, findNetwork(sb, args.positionals[0]!)[0]) }),
  },
  'network delete': { valued: [], flags: [], positionals: ['<network>', '...'], changes: true, run: deleteEach('network', deleteNetwork) },
  'subnet create': {
    valued: ['--network', '--subnet-range', '--gateway', '--dns-nameserver', '--allocation-pool', '--ip-version'],
    flags: ['--dhcp', '--no-dhcp'],
    positionals: ['<name>'],
    changes: true,
    run: (sb, args) => {
      const network = required(args, '--network');
      const cidr = required(args, '--subnet-range');
      const gateway = one(args, '--gateway');
      if (gateway === 'none')
        throw new ApiError(
          'BadRequestException',
          'Invalid input for operation: a subnet without a gateway is not modelled by this sandbox.',
        );
      const at = createSubnet(sb, {
        name: args.positionals[0]!,
        network,
        cidr,
        ...(gateway && gateway !== 'auto' ? { gateway } : {}),
        pools: (args.options.get('--allocation-pool') ?? []).map((text) => {
          const fields = new Map(text.split(',').map((f) => f.split('=') as [string, string]));
          const [start, end] = [fields.get('start'), fields.get('end')];
          if (!start || !end)
            throw new UsageError(`argument --allocation-pool: expected start=<ip-address>,end=<ip-address>, not '${text}'`);
          return { start, end };
        }),
        dhcp: !args.flags.has('--no-dhcp'),
        dnsNameservers: args.options.get('--dns-nameserver') ?? [],
      });
      return { one: subnetRow(sb, at) };
    },
  },
  'subnet list': { valued: ['--network'], flags: [], positionals: [], run: (sb) => ({ list: subnetListRows(sb), columns: SUBNET_LIST }) },
  'subnet show': {
    valued: [],
    flags: [],
    positionals: ['<subnet>'],
    run: (sb, args) => ({ one: subnetRow(sb, findSubnet(sb, args.positionals[0]!)) }),
  },
  'subnet delete': { valued: [], flags: [], positionals: ['<subnet>', '...'], changes: true, run: deleteEach('subnet', deleteSubnet) },
  'port list': {
    valued: ['--network', '--server'],
    flags: [],
    positionals: [],
    run: (sb) => ({ list: portListRows(sb), columns: PORT_LIST }),
  },
  'port show': { valued: [], flags: [], positionals: ['<port>'], run: (sb, args) => ({ one: portRow(sb, args.positionals[0]!) }) },
  'server create': {
    valued: ['--image', '--flavor', '--network', '--nic', '--availability-zone', '--security-group', '--key-name'],
    flags: ['--wait'],
    positionals: ['<server-name>'],
    changes: true,
    run: (sb, args) => {
      const nic = one(args, '--nic');
      const nicFields = new Map(
        (nic ?? '')
          .split(',')
          .filter(Boolean)
          .map((f) => f.split('=') as [string, string]),
      );
      const network = one(args, '--network') ?? nicFields.get('net-id');
      if (network === undefined) throw new UsageError('the following arguments are required: --network (or --nic net-id=…)');
      const name = createServer(sb, {
        name: args.positionals[0]!,
        image: required(args, '--image'),
        flavor: required(args, '--flavor'),
        network,
        zone: one(args, '--availability-zone'),
        address: nicFields.get('v4-fixed-ip'),
        securityGroups: args.options.get('--security-group') ?? (sb.cloud.securityGroups.default ? ['default'] : []),
      });
      return { one: serverRow(sb, name) };
    },
  },
  'router create': {
    valued: [],
    flags: ['--distributed', '--centralized', '--enable', '--disable', '--no-ha'],
    positionals: ['<name>'],
    changes: true,
    run: (sb, args) => {
      refuseDisabled(args, 'router');
      return { one: routerRow(sb, createRouter(sb, args.positionals[0]!, args.flags.has('--distributed'))) };
    },
  },
  'router list': { valued: [], flags: [], positionals: [], run: (sb) => ({ list: routerListRows(sb), columns: ROUTER_LIST }) },
  'router show': {
    valued: [],
    flags: [],
    positionals: ['<router>'],
    run: (sb, args) => ({ one: routerRow(sb, findRouter(sb, args.positionals[0]!)[0]) }),
  },
  'router delete': { valued: [], flags: [], positionals: ['<router>', '...'], changes: true, run: deleteEach('router', deleteRouter) },
  'router set': {
    valued: ['--external-gateway', '--fixed-ip'],
    flags: ['--enable-snat'],
    positionals: ['<router>'],
    changes: true,
    run: (sb, args) => {
      const network = one(args, '--external-gateway');
      if (network === undefined) throw new UsageError('this sandbox sets only --external-gateway NETWORK on a router');
      const fixed = new Map(
        (one(args, '--fixed-ip') ?? '')
          .split(',')
          .filter(Boolean)
          .map((f) => f.split('=') as [string, string]),
      );
      setGateway(sb, args.positionals[0]!, network, fixed.get('ip-address'));
      return { none: true };
    },
  },
  'router unset': {
    valued: [],
    flags: ['--external-gateway'],
    positionals: ['<router>'],
    changes: true,
    run: (sb, args) => {
      if (!args.flags.has('--external-gateway')) throw new UsageError('this sandbox unsets only --external-gateway on a router');
      unsetGateway(sb, args.positionals[0]!);
      return { none: true };
    },
  },
  'router add subnet': onTwo(['<router>', '<subnet>'], addInterface),
  'router remove subnet': onTwo(['<router>', '<subnet>'], removeInterface),
  'floating ip create': {
    valued: ['--port', '--floating-ip-address'],
    flags: [],
    positionals: ['<network>'],
    changes: true,
    run: (sb, args) => ({
      one: floatingIpRow(sb, createFloatingIp(sb, args.positionals[0]!, one(args, '--port'), one(args, '--floating-ip-address'))),
    }),
  },
  'floating ip list': {
    valued: [],
    flags: [],
    positionals: [],
    run: (sb) => ({ list: floatingIpListRows(sb), columns: FLOATING_IP_LIST }),
  },
  'floating ip show': {
    valued: [],
    flags: [],
    positionals: ['<floating-ip>'],
    run: (sb, args) => ({ one: floatingIpRow(sb, sb.cloud.floatingIps[findFloatingIp(sb, args.positionals[0]!)]!.address) }),
  },
  'floating ip set': {
    valued: ['--port', '--fixed-ip-address'],
    flags: [],
    positionals: ['<floating-ip>'],
    changes: true,
    run: (sb, args) => {
      const port = required(args, '--port');
      associateFloatingIp(sb, args.positionals[0]!, port);
      checkFixedAddress(sb, args, args.positionals[0]!);
      return { none: true };
    },
  },
  'floating ip unset': {
    valued: [],
    flags: ['--port'],
    positionals: ['<floating-ip>'],
    changes: true,
    run: (sb, args) => {
      if (!args.flags.has('--port')) throw new UsageError('this sandbox unsets only --port');
      disassociateFloatingIp(sb, args.positionals[0]!);
      return { none: true };
    },
  },
  'server add floating ip': {
    valued: ['--fixed-ip-address'],
    flags: [],
    positionals: ['<server>', '<ip-address>'],
    changes: true,
    run: (sb, args) => {
      const [server] = findServer(sb, args.positionals[0]!);
      associateFloatingIp(sb, args.positionals[1]!, server);
      checkFixedAddress(sb, args, args.positionals[1]!);
      return { none: true };
    },
  },
  'server remove floating ip': {
    valued: [],
    flags: [],
    positionals: ['<server>', '<ip-address>'],
    changes: true,
    run: (sb, args) => {
      const [server] = findServer(sb, args.positionals[0]!);
      const fip = sb.cloud.floatingIps[findFloatingIp(sb, args.positionals[1]!)]!;
      if (fip.vm !== server) throw conflict(`Floating IP ${fip.address} is not associated with server ${server}.`);
      disassociateFloatingIp(sb, fip.address);
      return { none: true };
    },
  },
  'floating ip delete': {
    valued: [],
    flags: [],
    positionals: ['<floating-ip>', '...'],
    changes: true,
    run: deleteEach('floating IP', deleteFloatingIp),
  },
  'security group create': {
    valued: ['--description'],
    flags: [],
    positionals: ['<name>'],
    changes: true,
    run: (sb, args) => ({ one: groupRow(sb, createGroup(sb, args.positionals[0]!)) }),
  },
  'security group list': { valued: [], flags: [], positionals: [], run: (sb) => ({ list: groupListRows(sb), columns: GROUP_LIST }) },
  'security group show': {
    valued: [],
    flags: [],
    positionals: ['<group>'],
    run: (sb, args) => ({ one: groupRow(sb, findGroup(sb, args.positionals[0]!)) }),
  },
  'security group delete': {
    valued: [],
    flags: [],
    positionals: ['<group>', '...'],
    changes: true,
    run: deleteEach('security group', deleteGroup),
  },
  'security group rule create': {
    valued: ['--protocol', '--dst-port', '--remote-ip', '--remote-group', '--ethertype'],
    flags: ['--ingress', '--egress'],
    positionals: ['<group>'],
    changes: true,
    run: (sb, args) => {
      const protocol = choice(args, '--protocol', ['tcp', 'udp', 'icmp', 'any'] as const);
      const made = createRule(sb, {
        group: args.positionals[0]!,
        direction: args.flags.has('--egress') ? 'egress' : 'ingress',
        protocol: protocol === 'any' ? undefined : protocol,
        port: one(args, '--dst-port'),
        remoteIp: one(args, '--remote-ip'),
        remoteGroup: one(args, '--remote-group'),
      });
      return { one: ruleRow(sb, made.group, made.rule) };
    },
  },
  'security group rule list': {
    valued: [],
    flags: [],
    positionals: ['[<group>]'],
    run: (sb, args) => ({
      list: ruleListRows(sb, args.positionals[0] === undefined ? undefined : findGroup(sb, args.positionals[0])),
      columns: RULE_LIST,
    }),
  },
  'security group rule delete': {
    valued: [],
    flags: [],
    positionals: ['<rule>', '...'],
    changes: true,
    run: deleteEach('security group rule', deleteRule),
  },
  'server list': { valued: [], flags: ['--long'], positionals: [], run: (sb) => ({ list: serverListRows(sb), columns: SERVER_LIST }) },
  'server show': {
    valued: [],
    flags: [],
    positionals: ['<server>'],
    run: (sb, args) => ({ one: serverRow(sb, findServer(sb, args.positionals[0]!)[0]) }),
  },
  'server delete': {
    valued: [],
    flags: ['--wait'],
    positionals: ['<server>', '...'],
    changes: true,
    run: deleteEach('server', deleteServer),
  },
};

/** The commands the sandbox knows, for help and the app's completion. */
export const OPENSTACK_COMMANDS = Object.keys(COMMANDS);

function parse(command: Command, words: readonly string[]): Parsed {
  const options = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  const output: { format: Format; columns: string[] } = { format: 'table', columns: [] };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const [key, inline] =
      word.startsWith('--') && word.includes('=')
        ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
        : [word, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = words[++i];
      if (next === undefined) throw new UsageError(`argument ${key}: expected one argument`);
      return next;
    };
    if (key === '-f' || key === '--format') {
      const format = value();
      if (!FORMATS.includes(format as Format)) {
        throw new UsageError(`argument -f/--format: invalid choice: '${format}' (choose from ${FORMATS.map((f) => `'${f}'`).join(', ')})`);
      }
      output.format = format as Format;
    } else if (key === '-c' || key === '--column') output.columns.push(value());
    else if (command.valued.includes(key)) options.set(key, [...(options.get(key) ?? []), value()]);
    else if (command.flags.includes(key) && inline === undefined) flags.add(key);
    else if (word.startsWith('-') && word !== '-') throw new UsageError(`unrecognized arguments: ${word}`);
    else positionals.push(word);
  }
  // `[<x>]` may be left out; `...` takes any number more.
  const named = command.positionals.filter((p) => p !== '...');
  const wanted = named.filter((p) => !p.startsWith('['));
  const many = command.positionals.includes('...');
  if (positionals.length < wanted.length)
    throw new UsageError(`the following arguments are required: ${wanted.slice(positionals.length).join(', ')}`);
  if (!many && positionals.length > named.length)
    throw new UsageError(`unrecognized arguments: ${positionals.slice(named.length).join(' ')}`);
  return { options, flags, positionals, output };
}

function usage(name: string, command: Command): string {
  const options = [...command.valued.map((o) => `[${o} <${o.slice(2)}>]`), ...command.flags.map((f) => `[${f}]`)];
  return `usage: ${name} [-h] [-f {${FORMATS.join(',')}}] [-c COLUMN] ${[...options, ...command.positionals].join(' ')}`;
}

/**
 * Runs one `openstack …` command line against a lab's cloud. Never throws for what a user
 * typed: the answer is an exit code and output, as the real client's.
 */
export function openstack(lab: Lab, argv: readonly string[]): CallResult {
  const words = [...argv];
  const known = OPENSTACK_COMMANDS.find((name) => {
    const parts = name.split(' ');
    return parts.every((part, i) => words[i] === part);
  });
  if (!known) {
    const asked = words
      .filter((w) => !w.startsWith('-'))
      .slice(0, 2)
      .join(' ');
    return {
      exitCode: 2,
      stdout: '',
      stderr: `openstack: '${asked}' is not an openstack command. See 'openstack --help'.\nThis sandbox knows: ${OPENSTACK_COMMANDS.join(', ')}.\n`,
    };
  }
  return runCommand(lab, `openstack ${known}`, COMMANDS[known]!, words.slice(known.split(' ').length));
}

/**
 * Runs one command (`name`: how its client names it, for usage and errors) on a copy of the
 * lab's cloud: the copy is the answer's cloud only when the whole call succeeded.
 */
export function runCommand(
  lab: Lab,
  name: string,
  command: Command,
  words: readonly string[],
  /** What the legacy client prints before the answer ("Created a new pool:"). */
  says?: (args: Parsed) => string,
): CallResult {
  const sb = copyOf(lab);
  try {
    const args = parse(command, words);
    const answer = command.run(sb, args);
    if (command.changes) {
      // DVR's ports first: an SNAT port puts its network on the network node's br-int.
      keepDvr(sb);
      keepLocalVlans(sb);
    }
    const stdout =
      'one' in answer ? formatOne(answer.one, args.output) : 'list' in answer ? formatList(answer.columns, answer.list, args.output) : '';
    return {
      exitCode: 0,
      stdout: says ? `${says(args)}\n${stdout}` : stdout,
      stderr: '',
      ...(command.changes ? { cloud: sb.cloud } : {}),
    };
  } catch (error) {
    if (error instanceof UsageError)
      return { exitCode: 2, stdout: '', stderr: `${usage(name, command)}\n${name}: error: ${error.message}\n` };
    if (error instanceof ApiError) {
      // A not-found is the client's own message; what the server refused comes with its exception.
      const text = error.kind === 'NotFoundException' ? error.message : `${error.kind}: ${error.message}`;
      return { exitCode: 1, stdout: '', stderr: `${text}\n` };
    }
    throw error;
  }
}
