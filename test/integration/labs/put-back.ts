import type Docker from 'dockerode';
import { execArgv } from '../../../main/core/docker/exec';
import type { Command } from './wrong-states';

/**
 * Most wrong states edit what solve cannot undo — a flow modified or added, an iptables rule
 * replaced, an easyOVS record rewritten — and without this the next objective's test found
 * the lab damaged and paid a reset and a solve (10–25 s each under load). Before a wrong state
 * runs, what its commands touch is saved; after its test, it is put back exactly: flow tables
 * as `ovs-save` restores them (dump without statistics, then replace), iptables with
 * iptables-save and -restore in the same namespace, files by their bytes. What this cannot
 * save (links, addresses, routes, ports) is left to solve, or a reset, as before.
 */

type NodeOf = (node: string) => Promise<Docker.Container>;

interface Saved {
  node: string;
  /** Puts the saved state back; the argv and its input. */
  restore: { argv: string[]; stdin: string };
}

const EASYOVS_RECORD = '/var/lib/neutron-lab/easyovs.jsonl';

/** What a command changes that can be saved: the argv that reads it and the argv that writes it back. */
function saveable(argv: string[]): { read: string[]; write: string[] } | undefined {
  if (argv[0] === 'ovs-ofctl') {
    // `ovs-ofctl [options] VERB BRIDGE [ARG]`: the bridge follows the verb.
    const verb = argv.findIndex((a, i) => i > 0 && !a.startsWith('-'));
    const bridge = argv[verb + 1];
    if (bridge === undefined) return undefined;
    // OpenFlow 1.3 both ways: with 1.0, replace-flows finds no flow format for table ids and NXM matches.
    return {
      read: ['ovs-ofctl', '-O', 'OpenFlow13', 'dump-flows', '--no-names', '--no-stats', bridge],
      write: ['ovs-ofctl', '-O', 'OpenFlow13', 'replace-flows', bridge, '-'],
    };
  }
  const iptables = argv.indexOf('iptables');
  if (iptables >= 0) {
    // The same namespace as the command (`ip netns exec NS iptables …`), every table.
    const prefix = argv.slice(0, iptables);
    return { read: [...prefix, 'iptables-save'], write: [...prefix, 'iptables-restore'] };
  }
  if (argv[0] === 'nl-easyovs-log' || (argv[0] === 'rm' && argv.includes(EASYOVS_RECORD))) {
    return { read: ['cat', EASYOVS_RECORD], write: ['dd', `of=${EASYOVS_RECORD}`, 'status=none'] };
  }
  return undefined;
}

/** Saves what the commands will change, once per thing; returns a function that puts it back. */
export async function saveWhatChanges(nodeOf: NodeOf, commands: Command[]): Promise<() => Promise<void>> {
  const saved: Saved[] = [];
  const seen = new Set<string>();
  for (const [node, ...argv] of commands) {
    const how = saveable(argv);
    if (!how) continue;
    const key = `${node} ${how.read.join(' ')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const read = await execArgv(await nodeOf(node), how.read);
    // A record not written yet is an empty one.
    if (read.exitCode !== 0 && how.read[0] !== 'cat') throw new Error(`${how.read.join(' ')} on ${node}: ${read.stderr}`);
    const text = how.read[0] === 'ovs-ofctl' ? flowsToRestore(read.stdout) : read.exitCode === 0 ? read.stdout : '';
    saved.push({ node, restore: { argv: how.write, stdin: text } });
  }
  return async () => {
    for (const { node, restore } of saved.reverse()) {
      const result = await execArgv(await nodeOf(node), restore.argv, { stdin: restore.stdin });
      if (result.exitCode !== 0) throw new Error(`${restore.argv.join(' ')} on ${node}: ${result.stderr}`);
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
