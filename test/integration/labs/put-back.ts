import type Docker from 'dockerode';
import { execArgv } from '../../../main/core/docker/exec';
import type { Command } from './wrong-states';

/**
 * Most wrong states edit what solve cannot undo — a flow modified or added, an iptables rule
 * replaced, an easyOVS record rewritten — and without this the next objective's test found
 * the lab damaged and paid a reset and a solve (10–25 s each under load). Before a wrong state
 * runs, what its commands touch is saved; after its test, it is put back exactly: flow tables
 * as `ovs-save` restores them (dump without statistics, then replace), iptables with
 * iptables-save and -restore in the same namespace, files by their bytes, an OVSDB column
 * (a port's tag, an interface's option) by its value, a bridge's fail mode (with its flows,
 * which OVS clears when the mode changes), a port deleted (with its OpenFlow number), a link's master and up/down state, a
 * device's addresses (and its permanent neighbours and the routes through it), a neighbour entry and the routes to one
 * destination as `ip` reports them.
 * What this cannot save (policy rules, processes killed) is left to solve, or a
 * reset, as before.
 */

/** A device's permanent neighbours as `ip -j neigh show dev DEV nud permanent` gave them, put back (a DVR router's static ARP). */
function permanentNeighbours(prefix: string[], dev: string, shown: string | undefined): Restore[] {
  const permanent = JSON.parse(shown || '[]') as { dst: string; lladdr?: string }[];
  return permanent
    .filter((n) => n.lladdr)
    .map((n) => ({ argv: [...prefix, 'neigh', 'replace', n.dst, 'lladdr', n.lladdr!, 'dev', dev, 'nud', 'permanent'], stdin: '' }));
}

type NodeOf = (node: string) => Promise<Docker.Container>;

/** A command that puts something back; `mayFail`: it clears what may not be there. */
interface Restore {
  argv: string[];
  stdin: string;
  mayFail?: boolean;
}

interface Saved {
  node: string;
  /** Puts the saved state back: commands run in order. */
  restore: Restore[];
}

/** How to save what a command changes: what reads it, and from what was read, what writes it back. */
interface Saving {
  read: string[];
  /** Standard input for the read (`ip -batch -`'s commands). */
  readInput?: string;
  /** Whether a failing read means "nothing there yet" (an easyOVS record, an option not set). */
  mayBeAbsent?: boolean;
  restore(read: { ok: boolean; stdout: string }): Restore[];
}

const EASYOVS_RECORD = '/var/lib/neutron-lab/easyovs.jsonl';

/** A bridge's flow table, as `ovs-save` keeps it. OpenFlow 1.3 both ways: with 1.0, replace-flows finds no flow format for table ids and NXM matches. */
function flowsOf(bridge: string): Saving {
  return {
    read: ['ovs-ofctl', '-O', 'OpenFlow13', 'dump-flows', '--no-names', '--no-stats', bridge],
    restore: ({ stdout }) => [{ argv: ['ovs-ofctl', '-O', 'OpenFlow13', 'replace-flows', bridge, '-'], stdin: flowsToRestore(stdout) }],
  };
}

/** What a command changes that can be saved (in the order to save it; put back in reverse), or nothing. */
function saveable(argv: string[]): Saving[] {
  if (argv[0] === 'ovs-ofctl') {
    // `ovs-ofctl [options] VERB BRIDGE [ARG]`: the bridge follows the verb.
    const verb = argv.findIndex((a, i) => i > 0 && !a.startsWith('-'));
    const bridge = argv[verb + 1];
    return bridge === undefined ? [] : [flowsOf(bridge)];
  }
  const iptables = argv.indexOf('iptables');
  if (iptables >= 0) {
    // The same namespace as the command (`ip netns exec NS iptables …`), every table.
    const prefix = argv.slice(0, iptables);
    return [{ read: [...prefix, 'iptables-save'], restore: ({ stdout }) => [{ argv: [...prefix, 'iptables-restore'], stdin: stdout }] }];
  }
  if (argv[0] === 'nl-easyovs-log' || (argv[0] === 'rm' && argv.includes(EASYOVS_RECORD))) {
    return [
      {
        read: ['cat', EASYOVS_RECORD],
        mayBeAbsent: true,
        restore: ({ ok, stdout }) => [{ argv: ['dd', `of=${EASYOVS_RECORD}`, 'status=none'], stdin: ok ? stdout : '' }],
      },
    ];
  }
  // `ovs-vsctl set TABLE RECORD COLUMN[:KEY]=VALUE` or `ovs-vsctl remove TABLE RECORD COLUMN VALUE`: one
  // column; a bridge's also its flows, which OVS clears when the fail mode changes (put back after the column).
  if (argv[0] === 'ovs-vsctl' && (argv[1] === 'set' || argv[1] === 'remove') && argv.length >= 5) {
    const [, verb, table, record, field] = argv as [string, string, string, string, string];
    const column = verb === 'set' ? field.split('=')[0]! : field;
    const [name, key] = column.split(':');
    const flows = table.toLowerCase() === 'bridge' ? [flowsOf(record)] : [];
    return [
      ...flows,
      {
      read: ['ovs-vsctl', 'get', table, record, column],
      mayBeAbsent: key !== undefined,
      restore: ({ ok, stdout }) => [
        {
          argv: ok
            ? ['ovs-vsctl', 'set', table, record, `${column}=${stdout.trim()}`]
            : ['ovs-vsctl', 'remove', table, record, name!, key!],
          stdin: '',
        },
      ],
    },
    ];
  }
  // `ovs-vsctl del-port BRIDGE PORT`: the port, back with its OpenFlow port number (the flows that
  // match on it name the number) and its interface's type and options.
  if (argv[0] === 'ovs-vsctl' && argv[1] === 'del-port' && argv[2] && argv[3]) {
    const [bridge, port] = [argv[2], argv[3]];
    return [
      {
        read: ['ovs-vsctl', 'get', 'interface', port, 'ofport', 'type', 'options'],
        restore: ({ stdout }) => {
          const [ofport, type, options] = stdout.trim().split('\n');
          return [
            {
              argv: ['ovs-vsctl', '--may-exist', 'add-port', bridge, port, '--', 'set', 'interface', port, `ofport_request=${ofport}`, `type=${type}`, `options=${options}`],
              stdin: '',
            },
          ];
        },
      },
    ];
  }
  // `ovs-vsctl del-fail-mode BRIDGE` or `set-fail-mode BRIDGE MODE`: the mode, and the flows OVS clears with it.
  if (argv[0] === 'ovs-vsctl' && (argv[1] === 'del-fail-mode' || argv[1] === 'set-fail-mode') && argv[2]) {
    const bridge = argv[2];
    return [
      flowsOf(bridge),
      {
        read: ['ovs-vsctl', 'get-fail-mode', bridge],
        restore: ({ stdout }) => [
          { argv: stdout.trim() ? ['ovs-vsctl', 'set-fail-mode', bridge, stdout.trim()] : ['ovs-vsctl', 'del-fail-mode', bridge], stdin: '' },
        ],
      },
    ];
  }
  // `ip [-n NS] link set DEV nomaster | master M | up | down | address MAC`: the link's MAC,
  // master and state, and its permanent neighbour entries (a DVR router's static ARP), which
  // the kernel flushes when the MAC changes, and again when it is put back.
  const link = argv.indexOf('link');
  if (argv[0] === 'ip' && argv[link + 1] === 'set' && argv[link + 2] && link >= 1) {
    const prefix = argv.slice(0, link);
    const dev = argv[link + 2]!;
    return [{
      // One JSON line per command.
      read: [...prefix, '-j', '-batch', '-'],
      readInput: `link show dev ${dev}\nneigh show dev ${dev} nud permanent\n`,
      restore: ({ stdout }) => {
        const [links, neighbours] = stdout.trim().split('\n');
        const [shown] = JSON.parse(links ?? '[]') as { master?: string; flags?: string[]; address?: string }[];
        return [
          ...(shown?.address ? [{ argv: [...prefix, 'link', 'set', dev, 'address', shown.address], stdin: '' }] : []),
          { argv: [...prefix, 'link', 'set', dev, ...(shown?.master ? ['master', shown.master] : ['nomaster'])], stdin: '' },
          { argv: [...prefix, 'link', 'set', dev, shown?.flags?.includes('UP') ? 'up' : 'down'], stdin: '' },
          ...permanentNeighbours(prefix, dev, neighbours),
        ];
      },
    }];
  }
  // `ip [-n NS] addr flush|add|del … dev DEV`: the device's IPv4 addresses, its permanent
  // neighbours and the routes through it (a VM's default route), which go with its last address.
  const addr = argv.indexOf('addr');
  const addrDev = argv[argv.indexOf('dev') + 1];
  if (argv[0] === 'ip' && addr >= 1 && argv.includes('dev') && addrDev) {
    const prefix = argv.slice(0, addr);
    return [{
      // One JSON line per command.
      read: [...prefix, '-4', '-j', '-batch', '-'],
      readInput: `addr show dev ${addrDev}\nroute show dev ${addrDev}\nneigh show dev ${addrDev} nud permanent\n`,
      restore: ({ stdout }) => {
        const [addrs, routes, neighbours] = stdout.trim().split('\n');
        const [shown] = JSON.parse(addrs ?? '[]') as { addr_info?: { local: string; prefixlen: number }[] }[];
        const via = (JSON.parse(routes || '[]') as { dst: string; gateway?: string; protocol?: string; metric?: number }[]).filter(
          (r) => r.protocol !== 'kernel',
        );
        return [
          { argv: [...prefix, '-4', 'addr', 'flush', 'dev', addrDev], stdin: '' },
          ...(shown?.addr_info ?? []).map((a) => ({ argv: [...prefix, 'addr', 'add', `${a.local}/${a.prefixlen}`, 'dev', addrDev], stdin: '' })),
          ...via.map((r) => ({
            argv: [
              ...prefix,
              'route',
              'replace',
              r.dst,
              ...(r.gateway ? ['via', r.gateway] : []),
              'dev',
              addrDev,
              ...(r.metric === undefined ? [] : ['metric', String(r.metric)]),
            ],
            stdin: '',
          })),
          ...permanentNeighbours(prefix, addrDev, neighbours),
        ];
      },
    }];
  }
  // `ip [-n NS] neigh replace ADDRESS … dev DEV`: that one entry, as it was or absent.
  const neigh = argv.indexOf('neigh');
  const neighDev = argv[argv.indexOf('dev') + 1];
  const address = argv[neigh + 2];
  if (argv[0] === 'ip' && neigh >= 1 && argv[neigh + 1] === 'replace' && address && argv.includes('dev') && neighDev) {
    const prefix = argv.slice(0, neigh);
    return [{
      read: [...prefix, '-j', 'neigh', 'show', address, 'dev', neighDev],
      restore: ({ stdout }) => {
        const [entry] = JSON.parse(stdout || '[]') as { lladdr?: string; state?: string[] }[];
        if (!entry?.lladdr) return [{ argv: [...prefix, 'neigh', 'del', address, 'dev', neighDev], stdin: '' }];
        const state = entry.state?.includes('PERMANENT') ? 'permanent' : 'reachable';
        return [{ argv: [...prefix, 'neigh', 'replace', address, 'lladdr', entry.lladdr, 'dev', neighDev, 'nud', state], stdin: '' }];
      },
    }];
  }
  // `ip [-n NS] route replace|del DESTINATION … [table T]`: the routes to that destination in that table.
  const route = argv.indexOf('route');
  const destination = argv[route + 2];
  if (argv[0] === 'ip' && route >= 1 && ['replace', 'del', 'add'].includes(argv[route + 1] ?? '') && destination) {
    const prefix = argv.slice(0, route);
    const table = (argv.includes('table') && argv[argv.indexOf('table') + 1]) || 'main';
    return [{
      read: [...prefix, '-j', 'route', 'show', destination, 'table', table],
      restore: ({ stdout }) => {
        const routes = JSON.parse(stdout || '[]') as { gateway?: string; dev?: string; scope?: string; prefsrc?: string; metric?: number }[];
        // Whatever the wrong state left for it goes; then what was there comes back.
        const cleared = { argv: [...prefix, 'route', 'del', destination, 'table', table], stdin: '', mayFail: true };
        return [
          cleared,
          ...routes.map((r) => ({
            argv: [
              ...[...prefix, 'route', 'add', destination],
              ...(r.gateway ? ['via', r.gateway] : []),
              ...(r.dev ? ['dev', r.dev] : []),
              ...(r.scope && r.scope !== 'global' ? ['scope', r.scope] : []),
              ...(r.prefsrc ? ['src', r.prefsrc] : []),
              ...(r.metric !== undefined ? ['metric', String(r.metric)] : []),
              ...['table', table],
            ],
            stdin: '',
          })),
        ];
      },
    }];
  }
  return [];
}

/** Saves what the commands will change, once per thing; returns a function that puts it back. */
export async function saveWhatChanges(nodeOf: NodeOf, commands: Command[]): Promise<() => Promise<void>> {
  const saved: Saved[] = [];
  const seen = new Set<string>();
  for (const [node, ...argv] of commands) {
    for (const how of saveable(argv)) {
    const key = `${node} ${how.read.join(' ')} ${how.readInput ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const read = await execArgv(await nodeOf(node), how.read, how.readInput === undefined ? {} : { stdin: how.readInput });
    if (read.exitCode !== 0 && !how.mayBeAbsent) throw new Error(`${how.read.join(' ')} on ${node}: ${read.stderr}`);
    saved.push({ node, restore: how.restore({ ok: read.exitCode === 0, stdout: read.stdout }) });
    }
  }
  return async () => {
    for (const { node, restore } of saved.reverse()) {
      for (const { argv, stdin, mayFail } of restore) {
        const result = await execArgv(await nodeOf(node), argv, { stdin });
        if (result.exitCode !== 0 && !mayFail) throw new Error(`${argv.join(' ')} on ${node}: ${result.stderr}`);
      }
    }
  };
}

/** dump-flows' lines as add-flows reads them (as ovs-save does: no reply header, no ages). */
export function flowsToRestore(dump: string): string {
  return dump
    .split('\n')
    .filter((line) => line.includes('actions='))
    .map((line) => line.replace(/\b(idle|hard)_age=[^,]*,\s*/g, '').trim())
    .join('\n')
    .concat('\n');
}
