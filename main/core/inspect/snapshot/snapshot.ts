import type Docker from 'dockerode';
import { execArgvBytes } from '../../docker/exec';
import { AppError, toAppError } from '../../errors';
import { parseFlowDump } from '../flows/parse';
import { parseIpAddr, parseIpNeigh, parseIpRoute, parseIpRule } from '../iproute/parse';
import { parseIptables } from '../iptables/parse';
import { parseOvsdbDump } from '../ovsdb/parse';
import { ParseError } from '../parse-error';
import { readFrames, type Frame } from './frames';
import { EASYOVS_ACTIONS, type EasyOvsRecord, type NamespaceState, type NodeSnapshot, type ServiceProcess } from './types';

/**
 * Everything the app reads from one node at one moment: the OVS database, every bridge's flows,
 * and per network namespace (the node's own first) its interfaces, routes, rules, neighbours and
 * iptables; the dnsmasq and haproxy processes with the files they read. Collected by one exec of
 * the image's nl-snapshot and parsed here.
 */

export async function collectSnapshot(container: Docker.Container, node: string, scope: 'all' | 'ovs' = 'all'): Promise<NodeSnapshot> {
  // `ovs`: the OVS database, flows and easyOVS record only (no namespaces, iptables or services), a quarter of the time.
  const result = await execArgvBytes(container, scope === 'ovs' ? ['nl-snapshot', 'ovs'] : ['nl-snapshot']);
  if (result.exitCode !== 0) {
    throw new AppError(
      'failed',
      `Reading node ${node} failed: ${result.stderr.toString().trim() || `nl-snapshot exited ${result.exitCode}`}`,
    );
  }
  return assembleSnapshot(readFrames(result.stdout, `${node}:nl-snapshot`), node);
}

/** Builds a snapshot from nl-snapshot's sections; pure, for tests and for replaying captures. */
export function assembleSnapshot(frames: readonly Frame[], node: string): NodeSnapshot {
  const snapshot: NodeSnapshot = {
    node,
    takenAt: 0,
    ovs: { uuid: '', managers: [], externalIds: {}, otherConfig: {}, bridges: [] },
    flows: {},
    namespaces: [],
    processes: [],
    easyovs: [],
    problems: [],
  };
  const namespace = (name: string): NamespaceState => {
    let state = snapshot.namespaces.find((n) => n.name === name);
    if (!state) {
      state = { name, interfaces: [], routes: [], rules: [], neighbours: [], iptables: { tables: [] } };
      // The node's own namespace first, the others in the order listed.
      if (name === '') snapshot.namespaces.unshift(state);
      else snapshot.namespaces.push(state);
    }
    return state;
  };
  const processes = new Map<number, ServiceProcess>();
  const netdevOf = new Map<ServiceProcess, string[]>();
  const source = (frame: Frame) => `${node}:${frame.name}`;

  for (const frame of frames) {
    if (frame.status !== 0) {
      snapshot.problems.push({ section: frame.name, message: frame.text.trim() || `exit ${frame.status}` });
      continue;
    }
    try {
      const [kind, ...rest] = frame.name.split('/');
      if (frame.name === 'time') snapshot.takenAt = Number(frame.text.trim());
      else if (frame.name === 'ovsdb') snapshot.ovs = parseOvsdbDump(frame.text, source(frame));
      else if (kind === 'flows') snapshot.flows[rest.join('/')] = parseFlowDump(frame.text, source(frame)).flows;
      else if (kind === 'root' || kind === 'ns') {
        const aspect = rest.pop() as string;
        const state = namespace(kind === 'root' ? '' : rest.join('/'));
        if (aspect === 'addr') state.interfaces = parseIpAddr(frame.text, source(frame));
        else if (aspect === 'routing') {
          const [routes, rules, neighbours] = routingLines(frame, source(frame));
          state.routes = parseIpRoute(routes, source(frame));
          state.rules = parseIpRule(rules, source(frame));
          state.neighbours = parseIpNeigh(neighbours, source(frame));
        } else if (aspect === 'iptables') state.iptables = parseIptables(frame.text, source(frame));
      } else if (frame.name === 'easyovs') {
        snapshot.easyovs = parseEasyOvsRecords(frame.text);
      } else if (frame.name === 'processes') {
        for (const line of frame.text.split('\n')) {
          const match = /^\s*(\d+)\s+(\S+)(.*)$/.exec(line);
          if (!match) continue;
          const pid = Number(match[1]);
          const args = `${match[2]}${match[3]}`;
          processes.set(pid, { pid, command: commandName(args), args, namespace: '', files: [] });
        }
      } else if (kind === 'proc') {
        const process = processes.get(Number(rest[0]));
        if (process) netdevOf.set(process, interfaceNames(frame.text));
      } else if (kind === 'file') {
        const path = frame.name.slice('file/'.length);
        for (const process of processes.values()) if (process.args.includes(path)) process.files.push({ path, content: frame.text });
      }
    } catch (error) {
      snapshot.problems.push({ section: frame.name, message: toAppError(error).message });
    }
  }
  // A process is in the namespace whose interfaces are the ones it sees.
  for (const [process, names] of netdevOf) {
    const same = (state: NamespaceState) =>
      state.interfaces.length === names.length && state.interfaces.every((i) => names.includes(i.name));
    process.namespace = snapshot.namespaces.find(same)?.name ?? '?';
  }
  snapshot.processes = [...processes.values()];
  return snapshot;
}

/** nl-easyovs-log's lines: one JSON record each, written by the lab engine. */
function parseEasyOvsRecords(text: string): EasyOvsRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const record = JSON.parse(line) as EasyOvsRecord;
      if (!EASYOVS_ACTIONS.includes(record.action)) throw new AppError('input', `line ${i + 1} of the easyOVS record has no known action`);
      return record;
    });
}

/** Interface names in /proc/PID/net/dev ("  ns-88b1609c: 1234 …", after two header lines). */
function interfaceNames(text: string): string[] {
  return text
    .split('\n')
    .slice(2)
    .map((line) => /^\s*([^:\s]+):/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

/** A `routing` section: one `ip -j -batch` of route, rule and neigh, one JSON line each. */
function routingLines(frame: Frame, source: string): [string, string, string] {
  const lines = frame.text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length !== 3) throw new ParseError('routes, rules and neighbours', 1, 1, `${lines.length} JSON lines, not 3`, source);
  return lines as [string, string, string];
}

/** The program a command line runs: its first word, or for a script the script's (`python3 -IS /usr/local/bin/neutron-metadata-agent …`). */
export function commandName(args: string): string {
  const words = args.split(/\s+/);
  const first = words[0] ?? '';
  const program = /(^|\/)python3?(\.\d+)?$/.test(first) ? (words.slice(1).find((w) => !w.startsWith('-')) ?? first) : first;
  return program.split('/').pop() as string;
}
