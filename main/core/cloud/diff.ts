import { AppError } from '../errors';
import type { CloudPlan, PlanPart, Step } from './plan';

/**
 * What the agents do when the cloud changes under them (explore mode): not a rebuild, but the
 * difference between the plan the node was built from and the plan of the new cloud. Parts that
 * went are undone, parts that came are built, parts that changed are built again (every step is
 * idempotent) after what of them went is undone — a flow table loses exactly the flows that
 * went and gains exactly the flows that came, so no other flow's counters start again.
 *
 * The undo of a part is read from its own steps: what created a namespace, a device, a bridge
 * port, a flow, a chain, a rule or a file removes it again. A step the new plan still has (a chain
 * other ports still jump through) is kept; what lives in a namespace that goes, goes with it.
 */

export interface NodeChange {
  node: string;
  added: string[];
  removed: string[];
  changed: string[];
  /** The undo of what went, then the build of what came and changed: one nl-apply run. */
  steps: Step[];
}

export function planChanges(before: CloudPlan, after: CloudPlan): NodeChange[] {
  const nodes = [...new Set([...before.parts, ...after.parts].map((p) => p.ref.node))];
  return nodes
    .map((node) =>
      nodeChange(
        node,
        before.parts.filter((p) => p.ref.node === node),
        after.parts.filter((p) => p.ref.node === node),
      ),
    )
    .filter((change) => change.steps.length > 0 || change.removed.length > 0 || change.added.length > 0);
}

/** Each step once, where it first comes. */
function firstOccurrences(steps: readonly Step[]): Step[] {
  const seen = new Set<string>();
  return steps.filter((s) => !seen.has(stepId(s)) && Boolean(seen.add(stepId(s))));
}

const stepId = (step: Step): string => JSON.stringify([step.argv, step.input]);
const sameSteps = (a: PlanPart, b: PlanPart): boolean =>
  JSON.stringify(a.steps.map((s) => [s.argv, s.unless, s.input])) === JSON.stringify(b.steps.map((s) => [s.argv, s.unless, s.input]));

function nodeChange(node: string, before: PlanPart[], after: PlanPart[]): NodeChange {
  const old = new Map(before.map((p) => [p.key, p]));
  const next = new Map(after.map((p) => [p.key, p]));
  const removed = before.filter((p) => !next.has(p.key));
  const changed = after.filter((p) => old.has(p.key) && !sameSteps(old.get(p.key)!, p));
  const added = after.filter((p) => !old.has(p.key));

  const kept = new Set(after.flatMap((p) => p.steps.map(stepId)));
  // A step several parts share (a chain every port's rules jump through) is undone once, where
  // it first came: after the undo of everything that came after it, whichever part that was.
  const goneSteps = firstOccurrences(
    before.filter((p) => !next.has(p.key) || changed.some((c) => c.key === p.key)).flatMap((p) => p.steps),
  ).filter((s) => !kept.has(stepId(s)));
  const context: UndoContext = {
    goneNamespaces: new Set(goneSteps.flatMap((s) => (isNamespaceAdd(s.argv) ? [s.argv[3]!] : []))),
    restoredAfter: restoredLines(after),
    createdAfter: new Set(after.flatMap((p) => p.steps).flatMap(created)),
  };
  const flowsBefore = flowsByBridge(before);
  const flowsAfter = flowsByBridge(after);

  const undo: Step[] = [];
  for (const [bridge, flows] of flowsBefore) {
    const staying = flowsAfter.get(bridge) ?? new Set<string>();
    const gone = [...flows].filter((flow) => !staying.has(flow));
    if (gone.length > 0) undo.push(deleteFlows(bridge, gone));
  }
  for (const step of [...goneSteps].reverse()) undo.push(...undoStep(step, context));

  // In the new plan's order: a changed part (a router's nat table, restored whole) before the
  // added part that needs it (a floating IP's rules in that table), never after it.
  const rebuilt = new Set([...added, ...changed]);
  const build = after
    .filter((p) => rebuilt.has(p))
    .flatMap((p) =>
      p.steps.flatMap((step): Step[] => {
        const bridge = flowBridge(step.argv);
        if (!old.has(p.key) || bridge === undefined) return [step];
        // A changed part adds only the flows it did not have (re-adding one resets its counters),
        // and does not empty its bridge first.
        if (isWholeBridgeDelete(step.argv)) return [];
        const had = flowsBefore.get(bridge) ?? new Set<string>();
        const fresh = flowLines(step).filter((flow) => !had.has(flow));
        return fresh.length === 0 ? [] : [{ argv: ['ovs-ofctl', 'add-flows', bridge, '-'], input: `${fresh.join('\n')}\n` }];
      }),
    );
  return {
    node,
    added: added.map((p) => p.key),
    removed: removed.map((p) => p.key),
    changed: changed.map((p) => p.key),
    steps: [...mergeIptablesRemovals(undo), ...build],
  };
}

// Flows: `ovs-ofctl add-flows BRIDGE -` (the flows on standard input) and `ovs-ofctl add-flow BRIDGE FLOW`.

function flowBridge(argv: readonly string[]): string | undefined {
  if (argv[0] !== 'ovs-ofctl') return undefined;
  const at = argv.findIndex((a, i) => i > 0 && !a.startsWith('-'));
  return ['add-flows', 'add-flow', 'del-flows'].includes(argv[at] ?? '') ? argv[at + 1] : undefined;
}

const isWholeBridgeDelete = (argv: readonly string[]): boolean => argv[0] === 'ovs-ofctl' && argv.at(-2) === 'del-flows';

function flowLines(step: Step): string[] {
  const at = step.argv.findIndex((a) => a === 'add-flows' || a === 'add-flow');
  if (at < 0) return [];
  if (step.argv[at] === 'add-flow') return [step.argv[at + 2]!];
  return (step.input ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

function flowsByBridge(parts: readonly PlanPart[]): Map<string, Set<string>> {
  const flows = new Map<string, Set<string>>();
  for (const step of parts.flatMap((p) => p.steps)) {
    const bridge = flowBridge(step.argv);
    if (bridge === undefined) continue;
    const set = flows.get(bridge) ?? new Set<string>();
    for (const flow of flowLines(step)) set.add(flow);
    flows.set(bridge, set);
  }
  return flows;
}

/** A flow as `del-flows --strict` names it: its table, priority and match, without what it does. */
export function flowMatch(flow: string): string {
  const actions = flow.search(/(^|,)\s*actions\s*=/);
  const head = actions < 0 ? flow : flow.slice(0, actions);
  return head
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field && !/^(cookie|idle_timeout|hard_timeout|importance|send_flow_rem|check_overlap)\b/.test(field))
    .join(',');
}

const deleteFlows = (bridge: string, flows: readonly string[]): Step => ({
  argv: ['ovs-ofctl', '--strict', 'del-flows', bridge, '-'],
  input: `${flows.map(flowMatch).join('\n')}\n`,
});

/**
 * Removes iptables rules and chains in one namespace's table: `-A CHAIN SPEC` lines are rules
 * to delete, `-X CHAIN` lines chains to empty and remove. What is already gone (a learner removed
 * it) is left out, against one `iptables-save`; then one restore deletes the rules and empties
 * the chains, a second removes the chains (iptables-nft finds a chain busy while a rule deleted
 * in the same transaction still names it).
 */
const IPTABLES_UNDO = `saved=$'\\n'"$(iptables-save -t "$1")"$'\\n' || exit 1
rules= chains=
while IFS= read -r line; do
  case $line in
    "-A "*) [[ $saved == *$'\\n'"$line"$'\\n'* ]] && rules+="-D \${line#-A }"$'\\n' ;;
    "-X "*) [[ $saved == *$'\\n':"\${line#-X } "* ]] && rules+="-F \${line#-X }"$'\\n' && chains+="-X \${line#-X }"$'\\n' ;;
  esac
done
printf '*%s\\n%sCOMMIT\\n' "$1" "$rules" | iptables-restore -w --noflush || exit
printf '*%s\\n%sCOMMIT\\n' "$1" "$chains" | iptables-restore -w --noflush`;

function removeIptables(where: (command: string[]) => string[], table: string, lines: readonly string[]): Step[] {
  return lines.length === 0
    ? []
    : [{ argv: where(['bash', '-c', IPTABLES_UNDO, 'nl-iptables-undo', table]), input: `${lines.join('\n')}\n` }];
}

/**
 * Consecutive removals in one namespace's table become one (a port's undo is some thirty rules
 * and chains, each of which would otherwise cost an iptables-save and two restores).
 */
function mergeIptablesRemovals(steps: readonly Step[]): Step[] {
  const out: Step[] = [];
  for (const step of steps) {
    const last = out.at(-1);
    if (last && step.argv.includes('nl-iptables-undo') && JSON.stringify(last.argv) === JSON.stringify(step.argv)) {
      out[out.length - 1] = { argv: last.argv, input: `${last.input}${step.input}` };
    } else out.push(step);
  }
  return out;
}

// Everything else, one step at a time.

/** Skip a removal when what it removes is not there (a learner removed it first). */
const absent = (probe: string[]): string[] => ['sh', '-c', '! "$@" >/dev/null 2>&1', 'nl-absent', ...probe];

const isNamespaceAdd = (argv: readonly string[]): boolean => argv[0] === 'ip' && argv[1] === 'netns' && argv[2] === 'add';

/** The namespace a step runs in or on (`ip netns exec NS …`, `ip -n NS …`, `nl-sysctl NS …`). */
function namespaceOf(argv: readonly string[]): string | undefined {
  if (argv[0] === 'ip' && argv[1] === 'netns' && argv[2] === 'exec') return argv[3];
  if (argv[0] === 'ip' && argv[1] === '-n') return argv[2];
  if (argv[0] === 'nl-sysctl') return argv[1];
  return undefined;
}

/** Commands whose effect goes with the device, namespace or process it was on: nothing to undo. */
const GOES_WITH_ITS_OBJECT = new Set(['ethtool', 'nl-sysctl', 'nl-underlay', 'ovs-appctl', 'pkill']);

interface UndoContext {
  /** Namespaces that go: what was done inside them goes with them. */
  goneNamespaces: ReadonlySet<string>;
  /** What the new plan's `iptables-restore --noflush` inputs still hold (restoreKey): chains declared, rules. */
  restoredAfter: ReadonlySet<string>;
  /** Bridges, bridge ports and namespaces the new plan creates (created): another part's step made them too, and they stay. */
  createdAfter: ReadonlySet<string>;
}

const NO_CONTEXT: UndoContext = { goneNamespaces: new Set(), restoredAfter: new Set(), createdAfter: new Set() };

/** What a step creates that a removal could take away while another part still wants it: `bridge X`, `port BRIDGE/X`, `netns X`. */
function created(step: Step): string[] {
  if (isNamespaceAdd(step.argv)) return [`netns ${step.argv[3]}`];
  if (step.argv[0] !== 'ovs-vsctl') return [];
  return vsctlCommands(step.argv).flatMap((words) =>
    words[0] === 'add-br' ? [`bridge ${words[1]}`] : words[0] === 'add-port' ? [`port ${words[1]}/${words[2]}`] : [],
  );
}

/** An ovs-vsctl transaction's commands, without --may-exist. */
function vsctlCommands(argv: readonly string[]): string[][] {
  const commands: string[][] = [[]];
  for (const word of argv.slice(1)) {
    if (word === '--') commands.push([]);
    else if (word !== '--may-exist') commands.at(-1)!.push(word);
  }
  return commands;
}

/** Which restore a line is of (namespace, table), and the line: chains as `:CHAIN`, rules as `-A CHAIN …`. */
const restoreKey = (ns: string | undefined, table: string, line: string): string => JSON.stringify([ns ?? '', table, line]);

function restoredLines(parts: readonly PlanPart[]): Set<string> {
  const lines = new Set<string>();
  for (const step of parts.flatMap((p) => p.steps)) {
    const ns = namespaceOf(step.argv);
    const inner = ns !== undefined && step.argv[1] === 'netns' ? step.argv.slice(4) : step.argv;
    if (inner[0] !== 'iptables-restore' || !inner.includes('--noflush')) continue;
    let table = '';
    for (const line of (step.input ?? '').split('\n').map((l) => l.trim())) {
      if (line.startsWith('*')) table = line.slice(1);
      else if (line.startsWith(':')) lines.add(restoreKey(ns, table, `:${line.slice(1).split(/\s+/)[0]}`));
      else if (line.startsWith('-A ')) lines.add(restoreKey(ns, table, line));
    }
  }
  return lines;
}

export function undoStep(step: Step, context: UndoContext = NO_CONTEXT): Step[] {
  const { goneNamespaces } = context;
  const argv = step.argv;
  // A step guarded by pgrep started a service (process-guard): the same match stops it. First,
  // even in a namespace that goes: a namespace with a process in it lives on after `ip netns
  // del` (and `ip netns pids` cannot see dnsmasq, which runs as another user).
  if (step.unless?.[0] === 'pgrep') {
    const match = step.unless.slice(1);
    return [{ argv: ['pkill', ...match], unless: absent(['pgrep', ...match]) }];
  }
  const ns = namespaceOf(argv);
  if (ns !== undefined && goneNamespaces.has(ns)) return [];
  if (isNamespaceAdd(argv)) {
    if (context.createdAfter.has(`netns ${argv[3]}`)) return [];
    return [{ argv: ['ip', 'netns', 'del', argv[3]!], unless: absent(['test', '-e', `/run/netns/${argv[3]}`]) }];
  }
  const inner = ns !== undefined && argv[1] === 'netns' ? argv.slice(4) : argv;
  const where = (command: string[]): string[] =>
    ns !== undefined && argv[1] === 'netns' ? ['ip', 'netns', 'exec', ns, ...command] : command;
  switch (inner[0]) {
    case 'ovs-vsctl':
      return undoVsctl(inner, context.createdAfter);
    case 'ovs-ofctl':
      // Flows are undone by the difference of the flow tables (planChanges).
      return [];
    case 'ip':
      return undoIp(inner, ns, where);
    case 'iptables':
      return undoIptables(inner, where);
    case 'iptables-restore':
      // Without --noflush it replaced whole tables: the next restore replaces them again, or they go with their namespace.
      return inner.includes('--noflush')
        ? undoRestore(step.input ?? '', where, (table, line) => context.restoredAfter.has(restoreKey(ns, table, line)))
        : [];
    case 'tee':
      return [{ argv: ['rm', '-f', inner[1]!] }];
    case 'mkdir':
      return [{ argv: ['rm', '-rf', inner.at(-1)!] }];
    default:
      if (GOES_WITH_ITS_OBJECT.has(inner[0]!)) return [];
      throw new AppError('internal', `No undo is known for \`${argv.join(' ')}\`.`);
  }
}

function undoVsctl(argv: readonly string[], stays: ReadonlySet<string>): Step[] {
  const undo: Step[] = [];
  for (const words of vsctlCommands(argv)) {
    if (words[0] === 'add-port' && !stays.has(`port ${words[1]}/${words[2]}`)) {
      undo.push({ argv: ['ovs-vsctl', '--if-exists', 'del-port', words[1]!, words[2]!] });
    }
    if (words[0] === 'add-br' && !stays.has(`bridge ${words[1]}`)) undo.push({ argv: ['ovs-vsctl', '--if-exists', 'del-br', words[1]!] });
  }
  return undo.reverse();
}

function undoIp(argv: readonly string[], ns: string | undefined, where: (command: string[]) => string[]): Step[] {
  const words = argv[1] === '-n' ? argv.slice(3) : argv.slice(1);
  if (words[0] === 'link' && words[1] === 'add') {
    const device = words[2]!;
    const probe = ns === undefined ? ['ip', 'link', 'show', 'dev', device] : ['ip', '-n', ns, 'link', 'show', 'dev', device];
    return [{ argv: ns === undefined ? ['ip', 'link', 'del', device] : ['ip', '-n', ns, 'link', 'del', device], unless: absent(probe) }];
  }
  if (words[0] === 'rule' && words[1] === 'add') {
    const rule = words.slice(2);
    return [
      {
        argv: where(['ip', 'rule', 'del', ...rule]),
        unless: absent(where(['sh', '-c', 'ip rule show | grep -q "$1"', 'nl-rule', rule.join(' ')])),
      },
    ];
  }
  // Addresses, routes, neighbours and link settings go with their device.
  return [];
}

function undoIptables(argv: readonly string[], where: (command: string[]) => string[]): Step[] {
  const at = argv.findIndex((a) => ['-N', '-A', '-I'].includes(a));
  if (at < 0) throw new AppError('internal', `No undo is known for \`${argv.join(' ')}\`.`);
  const table = tableOf(argv.slice(0, at));
  const chain = argv[at + 1]!;
  if (argv[at] === '-N') return removeIptables(where, table, [`-X ${chain}`]);
  const spec = argv.slice(at + (argv[at] === '-I' && /^\d+$/.test(argv[at + 2] ?? '') ? 3 : 2));
  return removeIptables(where, table, [`-A ${chain} ${spec.join(' ')}`]);
}

const tableOf = (options: readonly string[]): string => (options.includes('-t') ? options[options.indexOf('-t') + 1]! : 'filter');

/**
 * The undo of an `iptables-restore --noflush` input: its own chains removed (their rules with
 * them), its rules in other chains deleted — what the new plan's restores still hold stays.
 */
function undoRestore(input: string, where: (command: string[]) => string[], stays: (table: string, line: string) => boolean): Step[] {
  const lines = new Map<string, string[]>();
  let table = '';
  const own = new Set<string>();
  for (const line of input.split('\n').map((l) => l.trim())) {
    if (line.startsWith('*')) table = line.slice(1);
    else if (line.startsWith(':')) {
      // A chain another restore still declares stays (that restore fills it again).
      const chain = line.slice(1).split(/\s+/)[0]!;
      if (/^(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING)$/.test(chain) || stays(table, `:${chain}`)) continue;
      own.add(`${table} ${chain}`);
      lines.set(table, [...(lines.get(table) ?? []), `-X ${chain}`]);
    } else if (line.startsWith('-A ')) {
      const chain = line.split(/\s+/)[1]!;
      if (own.has(`${table} ${chain}`) || stays(table, line) || stays(table, `:${chain}`)) continue;
      lines.set(table, [...(lines.get(table) ?? []), line]);
    }
  }
  return [...lines].flatMap(([name, removals]) => removeIptables(where, name, removals));
}
