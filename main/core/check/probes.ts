import { randomBytes } from 'node:crypto';
import { webServer } from '../cloud/agents/ports';
import { inNamespace, type ExecResult } from '../docker/exec';
import { parseFlowDump } from '../inspect/flows/parse';
import { formatRule } from '../inspect/iptables/format';
import { matchingRules } from '../inspect/iptables/match';
import { parseIptables } from '../inspect/iptables/parse';
import { parseTrace } from '../inspect/trace/parse';
import { compileSelector } from './flow-match';
import { measure } from './measure';
import type { Check, Traffic } from './schema';
import type { Outcome, Where } from './state';

/**
 * The kinds that act: probes sent from inside a namespace, counters watched while traffic
 * flows, packet traces, and `command`. Every command is an argv run inside a lab node.
 */

export type Runner = (node: string, argv: string[], options?: { onStderr?: (chunk: Buffer) => void; stdin?: string }) => Promise<ExecResult>;

export type ProbeCheck = Extract<Check, { kind: 'ping' | 'tcp' | 'http' | 'dhcp' | 'trace' | 'command' | 'counter' | 'capture' | 'outage' | 'measure' }>;

export interface ProbeContext {
  run: Runner;
  /** A place's node and namespace ({ vm } → the VM's node and namespace). */
  where(place: { vm?: string | undefined; node?: string | undefined; namespace?: string | undefined }): Where;
  /** A VM's address, or the text itself when it is an address. */
  address(target: string): string;
  /** The VM's node and namespace, its address (the one it should lease, if dhcp) and its web server's port. */
  vm(name: string): { node: string; namespace: string; address: string; dhcp: boolean; http: number | undefined };
}

const placeName = (where: Where) => (where.namespace ? `${where.namespace} on ${where.node}` : where.node);
const firstLine = (text: string) => text.trim().split('\n').find(Boolean) ?? '';

/** A tunnel's first packet can be lost while OVS resolves the remote's ARP: a probe that must succeed gets retries. */
const RETRIES = 3;

export async function runProbe(check: ProbeCheck, ctx: ProbeContext): Promise<Outcome> {
  switch (check.kind) {
    case 'ping':
      return ping(check, ctx);
    case 'tcp':
      return tcp(check, ctx);
    case 'http':
      return http(check, ctx);
    case 'command':
      return command(check, ctx);
    case 'dhcp':
      return dhcp(check, ctx);
    case 'trace':
      return trace(check, ctx);
    case 'counter':
      return counter(check, ctx);
    case 'capture':
      return capture(check, ctx);
    case 'outage':
      return outage(check, ctx);
    case 'measure':
      return measure(check, ctx);
  }
}

async function ping(check: Extract<Check, { kind: 'ping' }>, ctx: ProbeContext): Promise<Outcome> {
  if (check.source === undefined || !('vm' in check.from)) return pingFrom(check, ctx, []);
  // A VM forging its source: the address goes on its eth0 (as /32, no route) for the probe only.
  const where = ctx.where(check.from);
  await ctx.run(where.node, inNamespace(['ip', 'addr', 'add', `${check.source}/32`, 'dev', 'eth0'], where.namespace));
  try {
    return await pingFrom(check, ctx, ['-I', check.source]);
  } finally {
    await ctx.run(where.node, inNamespace(['ip', 'addr', 'del', `${check.source}/32`, 'dev', 'eth0'], where.namespace));
  }
}

async function pingFrom(check: Extract<Check, { kind: 'ping' }>, ctx: ProbeContext, options: string[]): Promise<Outcome> {
  const where = ctx.where(check.from);
  const to = ctx.address(check.to);
  const expected = `${placeName(where)} ${check.expect === 'reply' ? 'gets a reply from' : 'gets no reply from'} ${to}${check.source ? ` when it sends from ${check.source}` : ''}`;
  if (check.expect === 'reply') {
    let last = '';
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const result = await ctx.run(where.node, inNamespace(['ping', '-n', '-c', '1', '-W', '1', ...options, to], where.namespace));
      if (result.exitCode === 0) return { passed: true, expected, found: firstLine(result.stdout.split('\n')[1] ?? result.stdout) };
      last = firstLine(result.stderr) || pingSummary(result.stdout);
    }
    return { passed: false, expected, found: `no reply after ${RETRIES} tries${last ? ` (${last})` : ''}` };
  }
  // Two probes: one lost first packet must not count as isolation. -W waits for the last.
  const result = await ctx.run(where.node, inNamespace(['ping', '-n', '-c', '2', '-i', '0.2', '-W', '0.6', ...options, to], where.namespace));
  const replied = result.exitCode === 0;
  return { passed: !replied, expected, found: replied ? `a reply: ${firstLine(result.stdout.split('\n')[1] ?? '')}` : pingSummary(result.stdout) || firstLine(result.stderr) };
}

function pingSummary(stdout: string): string {
  return stdout.split('\n').find((l) => l.includes('packets transmitted'))?.trim() ?? '';
}

async function tcp(check: Extract<Check, { kind: 'tcp' }>, ctx: ProbeContext): Promise<Outcome> {
  const where = ctx.where(check.from);
  const to = ctx.address(check.to);
  const expected = `TCP ${to}:${check.port} from ${placeName(where)} is ${check.expect === 'open' ? 'open' : check.expect === 'refused' ? 'refused' : 'blocked (refused or silent)'}`;
  let state = 'silent';
  // Expecting no connection, 0.7 s of silence is enough on a lab's links (nc -w counts whole seconds).
  const nc = ['nc', '-z', '-v', '-n', '-w', '1', to, String(check.port)];
  const argv = check.expect === 'blocked' ? ['timeout', '0.7', ...nc] : nc;
  for (let attempt = 0; attempt < (check.expect === 'open' ? RETRIES : 1); attempt++) {
    const result = await ctx.run(where.node, inNamespace(argv, where.namespace));
    const text = `${result.stdout}\n${result.stderr}`;
    state = result.exitCode === 0 ? 'open' : /refused/i.test(text) ? 'refused' : 'silent';
    if (state === 'open') break;
  }
  const passed = check.expect === 'open' ? state === 'open' : check.expect === 'refused' ? state === 'refused' : state !== 'open';
  return { passed, expected, found: state === 'open' ? 'the connection was accepted' : state === 'refused' ? 'the connection was refused' : `no answer within ${check.expect === 'blocked' ? '0.7' : '1'} s` };
}

async function http(check: Extract<Check, { kind: 'http' }>, ctx: ProbeContext): Promise<Outcome> {
  const where = ctx.where(check.from);
  const wants = [check.body && `${check.requests > 1 ? 'every' : 'a'} body matching /${check.body}/`, check.spread && `answers matching each of ${check.spread.map((p) => `/${p}/`).join(', ')}`].filter(Boolean);
  const expected = `GET ${check.url} from ${placeName(where)}${check.requests > 1 ? ` (${check.requests} times)` : ''} answers ${check.status}${wants.length ? ` with ${wants.join(' and ')}` : ''}`;
  const get = async (): Promise<{ ok: boolean; seen: string }> => {
    const result = await ctx.run(where.node, inNamespace(['curl', '-s', '-S', '--connect-timeout', '1', '--max-time', '2', '-o', '-', '-w', '\n%{http_code}', check.url], where.namespace));
    const lines = result.stdout.split('\n');
    const status = Number(lines.pop());
    const body = lines.join('\n');
    const ok = result.exitCode === 0 && status === check.status && (!check.body || new RegExp(check.body, 'm').test(body));
    return { ok, seen: result.exitCode === 0 ? `${status}: ${firstLine(body).slice(0, 60)}` : firstLine(result.stderr) || `curl exited ${result.exitCode}` };
  };
  // Ask `requests` times; with a spread, a balancer may still be bringing a member back, so
  // keep asking (up to 3 s) until each pattern has answered. The first failure ends it.
  const answers: { ok: boolean; seen: string }[] = [];
  const failed = () => answers.some((a) => !a.ok);
  const unseen = () => (check.spread ?? []).filter((p) => !answers.some((a) => new RegExp(p, 'm').test(a.seen)));
  const deadline = Date.now() + 3000;
  while (!failed() && (answers.length < check.requests || (unseen().length > 0 && Date.now() < deadline))) answers.push(await get());
  const missing = failed() ? [] : unseen();
  const found = answers.length === 1 ? (answers[0]?.seen ?? '') : `${answers.length} answers: ${summarize(answers.map((a) => a.seen))}`;
  return { passed: !failed() && missing.length === 0, expected, found: missing.length > 0 ? `${found}; never ${missing.map((p) => `/${p}/`).join(', ')}` : found };
}

/** "200: vm1 ×3, 200: vm2 ×2": repeated answers counted. */
function summarize(seen: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const s of seen) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => (n > 1 ? `${s} ×${n}` : s)).join(', ');
}

/**
 * Stops a VM's web server, asks the check until it passes (for up to 4 s: a health monitor needs
 * a few intervals to notice), and starts the server again, whatever happened.
 */
async function outage(check: Extract<Check, { kind: 'outage' }>, ctx: ProbeContext): Promise<Outcome> {
  const vm = ctx.vm(check.vm);
  if (vm.http === undefined) return { passed: false, expected: `${check.vm}'s web server stops`, found: `${check.vm} runs no web server` };
  const server = webServer(check.vm, vm.http);
  await ctx.run(vm.node, ['pkill', '-f', '--', server.pattern]);
  let outcomes: Outcome[];
  try {
    const deadline = Date.now() + 4000;
    do {
      outcomes = [];
      for (const inner of check.checks) outcomes.push(await runProbe(inner, ctx));
    } while (outcomes.some((o) => !o.passed) && Date.now() < deadline);
  } finally {
    await ctx.run(vm.node, inNamespace(server.argv, vm.namespace));
  }
  const failed = outcomes.find((o) => !o.passed);
  return {
    passed: failed === undefined,
    expected: `with ${check.vm}'s web server stopped, ${outcomes.map((o) => o.expected).join('; and ')}`,
    found: failed ? failed.found : outcomes.map((o) => o.found).join('; '),
  };
}

async function command(check: Extract<Check, { kind: 'command' }>, ctx: ProbeContext): Promise<Outcome> {
  const where: Where = { node: check.node, namespace: check.namespace ?? '' };
  const result = await ctx.run(check.node, inNamespace(check.argv, where.namespace), check.input === undefined ? {} : { stdin: check.input });
  const given = check.input === undefined ? '' : ` given ${JSON.stringify(check.input)}`;
  const expected = `\`${check.argv.join(' ')}\`${given} in ${placeName(where)} exits ${check.exitCode}${check.output ? ` printing /${check.output}/` : ''}`;
  const passed = result.exitCode === check.exitCode && (!check.output || new RegExp(check.output, 'm').test(result.stdout));
  return { passed, expected, found: `exit ${result.exitCode}: ${firstLine(result.stdout) || firstLine(result.stderr) || '(no output)'}` };
}

async function dhcp(check: Extract<Check, { kind: 'dhcp' }>, ctx: ProbeContext): Promise<Outcome> {
  const vm = ctx.vm(check.vm);
  const want = check.expect ?? vm.address;
  const expected = `a DHCP lease of ${want} for ${check.vm}`;
  // Ask once. A VM that takes its address by DHCP applies the lease, as it would on renewing;
  // for any other VM the probe only looks (-sf /bin/true). Files of its own per probe, so two
  // probes of one VM in a round never stop each other's client.
  const files = `/tmp/nl-probe-${check.vm}-${randomBytes(4).toString('hex')}`;
  const script = vm.dhcp ? '/usr/local/bin/nl-dhclient-script' : '/bin/true';
  const result = await ctx.run(vm.node, inNamespace(['timeout', '6', 'dhclient', '-1', '-v', '-sf', script,
    '-lf', `${files}.leases`, '-pf', `${files}.pid`, 'eth0'], vm.namespace));
  const bound = /bound to (\d+\.\d+\.\d+\.\d+)/.exec(`${result.stdout}\n${result.stderr}`)?.[1];
  // Stop the client it left running (dhclient -x would wait a second for it).
  await ctx.run(vm.node, ['pkill', '-F', `${files}.pid`]);
  await ctx.run(vm.node, ['rm', '-f', `${files}.leases`, `${files}.pid`]);
  return { passed: bound === want, expected, found: bound ? `leased ${bound}` : 'no lease (no DHCPOFFER within 6 s)' };
}

async function trace(check: Extract<Check, { kind: 'trace' }>, ctx: ProbeContext): Promise<Outcome> {
  const wants = [check.output && `leaves by ${check.output}`, check.tunnelId !== undefined && `with tunnel id 0x${check.tunnelId.toString(16)}`, check.drop && 'is dropped'].filter(Boolean);
  const expected = `a packet ${check.flow} on ${check.bridge} ${wants.join(' ')} (${check.node})`;
  let result = await ctx.run(check.node, ['ovs-appctl', 'ofproto/trace', check.bridge, check.flow]);
  // A userspace tunnel that does not know its peer's MAC yet encapsulates nothing; the trace
  // itself sent the ARP request, so the answer is a moment away: trace once more.
  if (result.exitCode === 0 && result.stdout.includes('neighbor cache miss')) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    result = await ctx.run(check.node, ['ovs-appctl', 'ofproto/trace', check.bridge, check.flow]);
  }
  if (result.exitCode !== 0) return { passed: false, expected, found: `ofproto/trace failed: ${firstLine(result.stderr || result.stdout)}` };
  const walk = parseTrace(result.stdout, `${check.bridge} trace`);
  // Outputs as port names: the trace prints each bridge's port numbers.
  const ports = await portNumbers(ctx, check.node, walk.bridges);
  const outputs = walk.steps.flatMap((step) => {
    const map = ports.get(step.bridge) ?? new Map<number, string>();
    return step.actions.flatMap((a) => {
      const m = /^output:(\d+|"?[\w.-]+"?)$/.exec(a.trim());
      if (!m) return [];
      const port = (m[1] as string).replaceAll('"', '');
      return [/^\d+$/.test(port) ? (map.get(Number(port)) ?? port) : port];
    });
  });
  const ids = walk.tunnels.map((t) => t.tunnelId).filter((id): id is string => id !== undefined);
  const passed =
    (!check.output || outputs.includes(check.output)) &&
    (check.tunnelId === undefined || ids.some((id) => Number(id) === check.tunnelId)) &&
    (check.drop === undefined || walk.dropped === check.drop);
  const found = walk.dropped ? 'dropped' : `out by ${outputs.join(', ') || 'no port'}${ids.length ? `, tunnel id ${ids.join(', ')}` : ''}`;
  return { passed, expected, found: `${found} (datapath: ${walk.datapathActions.slice(0, 100)})` };
}

type CounterPlace = Omit<Extract<Check, { kind: 'counter' }>, 'kind' | 'traffic' | 'grows' | 'unmoved'>;

async function counter(check: Extract<Check, { kind: 'counter' }>, ctx: ProbeContext): Promise<Outcome> {
  const watched = [check, ...(check.unmoved ?? [])];
  const [main, ...flat] = watched.map((place) => watch(place, ctx)) as [Watched, ...Watched[]];
  const expected = `the counter of ${main.what} grows by ${check.grows}+${flat.length ? `, and ${flat.map((w) => w.what).join(', ')} stay${flat.length === 1 ? 's' : ''} flat,` : ''} while ${describeTraffic(check.traffic, ctx)}`;
  // Datapath flows carry the packets; purging them (once per node) hands their statistics to the
  // OpenFlow flows now, before the traffic too: earlier probes' packets are not this one's.
  const flowNodes = [...new Set(watched.filter((p) => !p.iptables).map((p) => p.node))];
  const readAll = async (): Promise<number[] | string> => {
    await Promise.all(flowNodes.map((node) => ctx.run(node, ['ovs-appctl', 'revalidator/purge'])));
    const counts = await Promise.all([main, ...flat].map((w) => w.read()));
    return counts.find((n): n is string => typeof n === 'string') ?? (counts as number[]);
  };
  const before = await readAll();
  if (typeof before === 'string') return { passed: false, expected, found: before };
  const sent = await runProbe(check.traffic, ctx);
  const after = await readAll();
  if (typeof after === 'string') return { passed: false, expected, found: after };
  const [grew = 0, ...moved] = after.map((n, i) => n - (before[i] as number));
  const elsewhere = flat.length ? `; ${flat.map((w, i) => `${w.what}: +${moved[i]}`).join(', ')}` : '';
  // The traffic must also do what it says (a reply, a refusal…): counted packets whose answers die elsewhere prove little.
  return {
    passed: grew >= check.grows && moved.every((d) => d === 0) && sent.passed,
    expected,
    found: `packets ${before[0]} → ${after[0]} (+${grew})${elsewhere}; the traffic: ${sent.passed ? '' : 'NOT as expected: '}${sent.found}`,
  };
}

function watch(place: CounterPlace, ctx: ProbeContext): Watched {
  return place.iptables ? iptablesCounter(place.node, place.iptables, ctx) : flowCounter(place, place.bridge ?? '', ctx);
}

/** A counter: what it is, for people, and how to read it (a number, or why it cannot be read); flows are read as last purged. */
interface Watched {
  what: string;
  read(): Promise<number | string>;
}

function flowCounter(check: Parameters<typeof compileSelector>[0] & { node: string }, bridge: string, ctx: ProbeContext): Watched {
  const selector = compileSelector(check);
  return {
    what: `${selector.describe()} on ${bridge} (${check.node})`,
    async read() {
      // --names: ports by name, so the check's in_port=patch-int needs no port map.
      const dump = await ctx.run(check.node, ['ovs-ofctl', '--names', 'dump-flows', bridge]);
      if (dump.exitCode !== 0) return `cannot read ${bridge}: ${firstLine(dump.stderr)}`;
      const hits = selector.select(parseFlowDump(dump.stdout, bridge).flows, new Map());
      if (hits.length === 0) return `no flow ${selector.describe()} on ${bridge}`;
      return hits.reduce((sum, f) => sum + (f.packets ?? 0), 0);
    },
  };
}

function iptablesCounter(node: string, rule: NonNullable<Extract<Check, { kind: 'counter' }>['iptables']>, ctx: ProbeContext): Watched {
  const where: Where = { node, namespace: rule.namespace ?? '' };
  const what = `${rule.rule ? `"${rule.rule}" in ` : ''}${rule.table}/${rule.chain} (${placeName(where)})`;
  return {
    what,
    async read() {
      const save = await ctx.run(node, inNamespace(['iptables-save', '-c', '-t', rule.table], where.namespace));
      if (save.exitCode !== 0) return `cannot read iptables: ${firstLine(save.stderr)}`;
      const chain = parseIptables(save.stdout, 'iptables-save').tables[0]?.chains.find((c) => c.name === rule.chain);
      if (!chain) return `no chain ${rule.chain} in table ${rule.table}`;
      const hits = matchingRules(chain, rule.rule);
      if (hits.length === 0) return `no rule "${rule.rule}" in ${rule.chain}: ${chain.rules.map(formatRule).slice(0, 6).join(' | ') || 'the chain is empty'}`;
      return hits.reduce((sum, r) => sum + (r.packets ?? 0), 0);
    },
  };
}

/**
 * Watches an interface while the check sends traffic: tcpdump starts first, and the traffic goes
 * only once it reports that it listens, so nothing is missed by starting late.
 */
async function capture(check: Extract<Check, { kind: 'capture' }>, ctx: ProbeContext): Promise<Outcome> {
  const where: Where = { node: check.node, namespace: check.namespace ?? '' };
  const expected = `tcpdump on ${check.interface} (${placeName(where)}) sees "${check.filter}"${check.output ? ` matching /${check.output}/` : ''} while ${describeTraffic(check.traffic, ctx)}`;
  let listening: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  let stderr = '';
  const argv = inNamespace(['timeout', '4', 'tcpdump', '-l', '-c', '1', '-nn', '-e', '-i', check.interface, ...check.filter.split(/\s+/)], where.namespace);
  const watching = ctx.run(check.node, argv, {
    onStderr: (chunk) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) listening();
    },
  });
  // Either tcpdump listens, or it ends (a bad interface or filter) before it could.
  await Promise.race([ready, watching.then(() => undefined, () => undefined)]);
  const sent = await runProbe(check.traffic, ctx);
  const result = await watching;
  // One packet, on one line or more (tcpdump prints a tunnel's inner frame on a line of its own).
  const lines = result.stdout.split('\n').filter((l) => l.trim() !== '');
  const pattern = check.output === undefined ? undefined : new RegExp(check.output);
  const line = (pattern && lines.find((l) => pattern.test(l))) || lines.join(' | ');
  const passed = result.exitCode === 0 && lines.length > 0 && (!pattern || lines.some((l) => pattern.test(l)));
  const found = line ? `captured: ${line.trim().slice(0, 200)}` : result.exitCode === 124 ? `nothing within 4 s (the traffic: ${sent.found})` : `tcpdump failed: ${firstLine(stderr.replace(/.*listening on.*\n?/, '')) || `exit ${result.exitCode}`}`;
  return { passed, expected, found };
}

/** Bridge → OpenFlow port number → port name, for the bridges a trace walked through. */
async function portNumbers(ctx: ProbeContext, node: string, bridges: readonly string[]): Promise<Map<string, Map<number, string>>> {
  const entries = await Promise.all(
    bridges.map(async (bridge) => {
      const result = await ctx.run(node, ['ovs-ofctl', 'dump-ports-desc', bridge]);
      const ports = new Map<number, string>();
      for (const m of result.stdout.matchAll(/^\s*(\d+)\(([^)]+)\):/gm)) ports.set(Number(m[1]), m[2] as string);
      return [bridge, ports] as const;
    }),
  );
  return new Map(entries);
}

function describeTraffic(traffic: Traffic, ctx: ProbeContext): string {
  switch (traffic.kind) {
    case 'ping':
      return `${placeName(ctx.where(traffic.from))} pings ${ctx.address(traffic.to)}${traffic.source ? ` from ${traffic.source}` : ''}`;
    case 'tcp':
      return `${placeName(ctx.where(traffic.from))} connects to ${ctx.address(traffic.to)}:${traffic.port}`;
    case 'http':
      return `${placeName(ctx.where(traffic.from))} fetches ${traffic.url}`;
    case 'command':
      return `\`${traffic.argv.join(' ')}\` runs`;
  }
}
