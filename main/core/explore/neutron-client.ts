import type { Lab } from '../lab/schema';
import { openstack, runCommand, type CallResult } from './openstack';
import { SERVICE_VERBS } from './service-verbs';

/**
 * The legacy `neutron` client's verbs the book uses (`neutron net-create`, `subnet-create`,
 * `router-interface-add`, `port-list`…), each the same call as its `openstack` form, with the
 * old client's words around the answer ("Created a new network:", "Added interface … to
 * router …"). Options the old client spelled differently are translated; the rest pass through.
 */

interface Verb {
  /** The openstack command words, and how the verb's own words become its options and arguments. */
  to(args: string[]): string[];
  /** What the old client prints before the answer (create, delete, update). */
  says?: (args: string[]) => string;
}

/** `--provider:network_type vlan` → `--provider-network-type vlan`, and the other renamed options. */
const RENAMED: Record<string, string> = {
  '--provider:network_type': '--provider-network-type',
  '--provider:segmentation_id': '--provider-segment',
  '--provider:physical_network': '--provider-physical-network',
  '--disable-dhcp': '--no-dhcp',
  '--shared': '--share',
  '--admin-state-down': '--disable',
  '--port-id': '--port',
  '--port-range-min': '--dst-port',
  '--remote-ip-prefix': '--remote-ip',
  '--remote-group-id': '--remote-group',
};

function renamed(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [word, inline] =
      args[i]!.includes('=') && args[i]!.startsWith('--') ? (args[i]!.split(/=(.*)/s) as [string, string]) : [args[i]!, undefined];
    // `--router:external True` and `--router:external=True` are a flag in the new client.
    if (word === '--router:external') {
      out.push('--external');
      if (inline === undefined && /^(true|false)$/i.test(args[i + 1] ?? '')) i++;
      continue;
    }
    if (word === '--direction') {
      out.push(`--${inline ?? args[++i]}`);
      continue;
    }
    if (word === '--port-range-max') {
      // Folded into --dst-port MIN:MAX below.
      const max = inline ?? args[++i];
      const at = out.indexOf('--dst-port');
      if (at >= 0 && out[at + 1] !== max) out[at + 1] = `${out[at + 1]}:${max}`;
      continue;
    }
    const name = RENAMED[word] ?? word;
    out.push(inline === undefined ? name : `${name}=${inline}`);
  }
  return out;
}

/** Options that take a value, once renamed: what is left over are the verb's positionals. */
const VALUED = new Set([
  '--name',
  '--provider-network-type',
  '--provider-segment',
  '--provider-physical-network',
  '--gateway',
  '--allocation-pool',
  '--dns-nameserver',
  '--ip-version',
  '--port',
  '--floating-ip-address',
  '--protocol',
  '--dst-port',
  '--remote-ip',
  '--remote-group',
  '--ethertype',
  '--description',
]);

/** The verb's words split: its options (each with its value) and its positionals. */
function split(args: string[]): { options: string[]; positionals: string[]; name: string | undefined } {
  const options: string[] = [];
  const kept: string[] = [];
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (!word.startsWith('-')) kept.push(word);
    else if (word === '--name') name = args[++i];
    else if (word.startsWith('--name=')) name = word.slice('--name='.length);
    else if (VALUED.has(word) && args[i + 1] !== undefined) options.push(word, args[++i]!);
    else options.push(word);
  }
  return { options, positionals: kept, name };
}
const positionals = (args: string[]): string[] => split(args).positionals;

const VERBS: Record<string, Verb> = {
  'net-create': { to: (a) => ['network', 'create', ...a], says: () => 'Created a new network:' },
  'net-list': { to: (a) => ['network', 'list', ...a] },
  'net-show': { to: (a) => ['network', 'show', ...a] },
  'net-delete': { to: (a) => ['network', 'delete', ...a], says: (a) => `Deleted network: ${positionals(a).join(', ')}` },
  'subnet-create': {
    // neutron subnet-create [--name N] NETWORK CIDR
    to: (a) => {
      const {
        options,
        positionals: [network, cidr],
        name,
      } = split(a);
      return [
        'subnet',
        'create',
        ...(network ? ['--network', network] : []),
        ...(cidr ? ['--subnet-range', cidr] : []),
        ...options,
        name ?? `${network}-subnet`,
      ];
    },
    says: () => 'Created a new subnet:',
  },
  'subnet-list': { to: (a) => ['subnet', 'list', ...a] },
  'subnet-show': { to: (a) => ['subnet', 'show', ...a] },
  'subnet-delete': { to: (a) => ['subnet', 'delete', ...a], says: (a) => `Deleted subnet: ${positionals(a).join(', ')}` },
  'port-list': { to: (a) => ['port', 'list', ...a] },
  'port-show': { to: (a) => ['port', 'show', ...a] },
  'router-create': { to: (a) => ['router', 'create', ...a], says: () => 'Created a new router:' },
  'router-list': { to: (a) => ['router', 'list', ...a] },
  'router-show': { to: (a) => ['router', 'show', ...a] },
  'router-delete': { to: (a) => ['router', 'delete', ...a], says: (a) => `Deleted router: ${positionals(a).join(', ')}` },
  'router-gateway-set': {
    to: (a) => {
      const [router, network] = positionals(a);
      return ['router', 'set', '--external-gateway', network ?? '', router ?? ''];
    },
    says: (a) => `Set gateway for router ${positionals(a)[0]}`,
  },
  'router-gateway-clear': {
    to: (a) => ['router', 'unset', '--external-gateway', ...a],
    says: (a) => `Removed gateway from router ${positionals(a)[0]}`,
  },
  'router-interface-add': {
    to: (a) => ['router', 'add', 'subnet', ...positionals(a).map((p) => p.replace(/^subnet=/, ''))],
    says: (a) => `Added interface to router ${positionals(a)[0]}.`,
  },
  'router-interface-delete': {
    to: (a) => ['router', 'remove', 'subnet', ...positionals(a).map((p) => p.replace(/^subnet=/, ''))],
    says: (a) => `Removed interface from router ${positionals(a)[0]}.`,
  },
  'floatingip-create': { to: (a) => ['floating', 'ip', 'create', ...a], says: () => 'Created a new floatingip:' },
  'floatingip-list': { to: (a) => ['floating', 'ip', 'list', ...a] },
  'floatingip-show': { to: (a) => ['floating', 'ip', 'show', ...a] },
  'floatingip-associate': {
    // neutron floatingip-associate FLOATINGIP_ID PORT
    to: (a) => {
      const [fip, port] = positionals(a);
      return ['floating', 'ip', 'set', ...(port ? ['--port', port] : []), ...(fip ? [fip] : [])];
    },
    says: (a) => `Associated floating IP ${positionals(a)[0]}`,
  },
  'floatingip-disassociate': {
    to: (a) => ['floating', 'ip', 'unset', '--port', ...positionals(a)],
    says: (a) => `Disassociated floating IP ${positionals(a)[0]}`,
  },
  'floatingip-delete': { to: (a) => ['floating', 'ip', 'delete', ...a], says: (a) => `Deleted floatingip: ${positionals(a).join(', ')}` },
  'security-group-create': { to: (a) => ['security', 'group', 'create', ...a], says: () => 'Created a new security_group:' },
  'security-group-list': { to: (a) => ['security', 'group', 'list', ...a] },
  'security-group-show': { to: (a) => ['security', 'group', 'show', ...a] },
  'security-group-delete': {
    to: (a) => ['security', 'group', 'delete', ...a],
    says: (a) => `Deleted security_group: ${positionals(a).join(', ')}`,
  },
  'security-group-rule-create': {
    to: (a) => ['security', 'group', 'rule', 'create', ...a],
    says: () => 'Created a new security_group_rule:',
  },
  'security-group-rule-list': { to: (a) => ['security', 'group', 'rule', 'list', ...a] },
  'security-group-rule-delete': {
    to: (a) => ['security', 'group', 'rule', 'delete', ...a],
    says: (a) => `Deleted security_group_rule: ${positionals(a).join(', ')}`,
  },
};

export const NEUTRON_VERBS = [...Object.keys(VERBS), ...Object.keys(SERVICE_VERBS)];

/** Runs one `neutron VERB …` command line (argv without the word neutron) against a lab's cloud. */
export function neutronClient(lab: Lab, argv: readonly string[]): CallResult {
  const [verb, ...rest] = argv;
  const service = verb === undefined ? undefined : SERVICE_VERBS[verb];
  if (service) return runCommand(lab, `neutron ${verb}`, service.command, rest, service.says);
  const known = verb === undefined ? undefined : VERBS[verb];
  if (!known) {
    return {
      exitCode: 2,
      stdout: '',
      stderr: `Unknown command ['${verb ?? ''}']\nThis sandbox knows: ${NEUTRON_VERBS.join(', ')}.\n`,
    };
  }
  const args = renamed(rest);
  const result = openstack(lab, known.to(args));
  if (result.exitCode !== 0 || !known.says) return result;
  return { ...result, stdout: `${known.says(args)}\n${result.stdout}` };
}
