import { z } from 'zod';
import { inNamespace } from '../../docker/exec';
import { parseFlowDump } from '../../inspect/flows/parse';
import { formatRule } from '../../inspect/iptables/format';
import { matchingRules } from '../../inspect/iptables/match';
import { parseIptables } from '../../inspect/iptables/parse';
import { compileSelector } from '../flow-match';
import { flowSelector, namespace } from './fields';
import { probeKind, type Outcome, type ProbeContext, type Where } from './kind';
import { describeTraffic, TrafficSchema } from './traffic';
import { probePlace, firstLine } from './text';

/** An iptables rule whose counter a counter check watches. */
const IptablesRuleSelector = z
  .object({
    namespace: namespace.optional(),
    table: z.enum(['filter', 'nat', 'mangle', 'raw']).default('filter'),
    chain: z.string().min(1),
    rule: z.string().optional().describe('Words the rule must contain, as in an iptables check (default: every rule of the chain).'),
  })
  .strict();

/** Where a counter is: flows of a bridge, or an iptables rule, on a node. */
const counterPlace = {
  ...flowSelector,
  bridge: flowSelector.bridge.optional().describe('Watch flows of this bridge (or give iptables).'),
  iptables: IptablesRuleSelector.optional().describe('Watch an iptables rule instead of flows.'),
};

export const CounterCheck = z
  .object({
    kind: z.literal('counter'),
    ...counterPlace,
    traffic: TrafficSchema.describe('What the check sends while it watches the counter.'),
    grows: z.number().int().min(1).default(1).describe('By at least this many packets.'),
    unmoved: z
      .array(z.object(counterPlace).strict())
      .optional()
      .describe(
        "Counters elsewhere that must not move meanwhile: a path that avoids them (the network node's tunnel flows stay flat while the computes route between themselves).",
      ),
  })
  .strict();

/** A counter that must stay flat needs the lab to itself: the others' traffic would move it. */
export const counterCheck = probeKind({
  kind: 'counter',
  schema: CounterCheck,
  order: (check) => ((check.unmoved?.length ?? 0) > 0 ? 'alone' : 'together'),
  probe: (check, ctx) => counter(check, ctx),
});

type CounterPlace = Omit<z.infer<typeof CounterCheck>, 'kind' | 'traffic' | 'grows' | 'unmoved'>;

async function counter(check: z.infer<typeof CounterCheck>, ctx: ProbeContext): Promise<Outcome> {
  const watched = [check, ...(check.unmoved ?? [])];
  const [main, ...flat] = watched.map((place) => watch(place, ctx)) as [Watched, ...Watched[]];
  const expected = `the counter of ${main.what} grows by ${check.grows}+${flat.length ? `, and ${flat.map((w) => w.what).join(', ')} stay${flat.length === 1 ? 's' : ''} flat,` : ''} while ${describeTraffic(check.traffic, ctx)}`;
  const readAll = async (): Promise<number[] | string> => {
    const counts = await Promise.all([main, ...flat].map((w) => w.read()));
    return counts.find((n): n is string => typeof n === 'string') ?? (counts as number[]);
  };
  const before = await readAll();
  if (typeof before === 'string') return { passed: false, expected, found: before };
  const sent = await ctx.probe(check.traffic);
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

/** A counter: what it is, for people, and how to read it (a number, or why it cannot be read). */
interface Watched {
  what: string;
  read(): Promise<number | string>;
}

/** The bridge comes as $1, never inside the script. */
const PURGE_THEN_DUMP = 'ovs-appctl revalidator/purge >/dev/null && exec ovs-ofctl --names dump-flows "$1"';

function flowCounter(check: Parameters<typeof compileSelector>[0] & { node: string }, bridge: string, ctx: ProbeContext): Watched {
  const selector = compileSelector(check);
  return {
    what: `${selector.describe()} on ${bridge} (${check.node})`,
    async read() {
      // Datapath flows carry the packets: purging them first hands their statistics to the
      // OpenFlow flows now (earlier probes' packets are not this one's), in the same exec as
      // the dump. --names: ports by name, so the check's in_port=patch-int needs no port map.
      const dump = await ctx.run(check.node, ['sh', '-c', PURGE_THEN_DUMP, 'nl-counter', bridge]);
      if (dump.exitCode !== 0) return `cannot read ${bridge}: ${firstLine(dump.stderr)}`;
      const hits = selector.select(parseFlowDump(dump.stdout, bridge).flows, new Map());
      if (hits.length === 0) return `no flow ${selector.describe()} on ${bridge}`;
      return hits.reduce((sum, f) => sum + (f.packets ?? 0), 0);
    },
  };
}

function iptablesCounter(node: string, rule: NonNullable<z.infer<typeof CounterCheck>['iptables']>, ctx: ProbeContext): Watched {
  const where: Where = { node, namespace: rule.namespace ?? '' };
  const what = `${rule.rule ? `"${rule.rule}" in ` : ''}${rule.table}/${rule.chain} (${probePlace(where)})`;
  return {
    what,
    async read() {
      const save = await ctx.run(node, inNamespace(['iptables-save', '-c', '-t', rule.table], where.namespace));
      if (save.exitCode !== 0) return `cannot read iptables: ${firstLine(save.stderr)}`;
      const chain = parseIptables(save.stdout, 'iptables-save').tables[0]?.chains.find((c) => c.name === rule.chain);
      if (!chain) return `no chain ${rule.chain} in table ${rule.table}`;
      const hits = matchingRules(chain, rule.rule);
      if (hits.length === 0)
        return `no rule "${rule.rule}" in ${rule.chain}: ${chain.rules.map(formatRule).slice(0, 6).join(' | ') || 'the chain is empty'}`;
      return hits.reduce((sum, r) => sum + (r.packets ?? 0), 0);
    },
  };
}
