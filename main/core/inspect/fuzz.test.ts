import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFlowDump } from './flows/parse';
import { parseIpAddr, parseIpRoute } from './iproute/parse';
import { formatSave, quoteWord } from './iptables/format';
import { parseIptables } from './iptables/parse';
import { parseOvsdbDump } from './ovsdb/parse';
import { ParseError } from './parse-error';
import { readFrames } from './snapshot/frames';
import { parseTrace } from './trace/parse';

/**
 * Every parser, fed random text and mutations of real input: it returns, or throws a ParseError
 * that names a line and column — never another error, never a hang.
 */

const FIXTURES = join(import.meta.dirname, 'fixtures');
/** Runs per property; FUZZ_RUNS=100000 for a long hunt. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const TIMEOUT = 5000 + RUNS * 5;
const samples = (dir: string, suffix: string) =>
  readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith(suffix))
    .map((f) => readFileSync(join(FIXTURES, dir, f), 'utf8'));

const parsers: [string, (text: string) => unknown, string[]][] = [
  ['flows', (t) => parseFlowDump(t), [...samples('seed', '.flows.txt'), ...samples('ovs', '.flows.txt')]],
  [
    'iptables',
    (t) => parseIptables(t),
    [...samples('ovs', 'iptables-save.txt'), ...samples('seed', '.iptables.txt').filter((t) => !/Chain /.test(t))],
  ],
  ['ovsdb', (t) => parseOvsdbDump(t), samples('ovs', 'ovsdb-dump.json')],
  ['ip addr', (t) => parseIpAddr(t), samples('ovs', 'ip-addr.json')],
  ['ip route', (t) => parseIpRoute(t), samples('ovs', 'ip-route.json')],
  ['trace', (t) => parseTrace(t), samples('ovs', 'trace-gre.txt')],
  ['snapshot frames', (t) => readFrames(Buffer.from(t)), [readFileSync(join(FIXTURES, 'ovs', 'snapshot-compute1.frames'), 'utf8')]],
];

/** Mutations a copy, a truncation or a typo makes. */
const mutation = (sample: string) =>
  fc.oneof(
    fc.integer({ min: 0, max: sample.length }).map((n) => sample.slice(0, n)),
    fc
      .tuple(fc.integer({ min: 0, max: sample.length }), fc.string({ maxLength: 8 }))
      .map(([at, text]) => sample.slice(0, at) + text + sample.slice(at)),
    fc
      .tuple(fc.integer({ min: 0, max: sample.length }), fc.integer({ min: 1, max: 20 }))
      .map(([at, n]) => sample.slice(0, at) + sample.slice(at + n)),
    fc
      .tuple(
        fc.integer({ min: 0, max: sample.length }),
        fc.constantFrom('(', ')', '[', ']', '"', ',', '=', '\n', '!', '{', '}', '@@ 0 9 x\n'),
      )
      .map(([at, c]) => sample.slice(0, at) + c + sample.slice(at)),
  );

function expectReadOrParseError(parse: (text: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (error) {
    if (!(error instanceof ParseError))
      throw new Error(`not a ParseError for ${JSON.stringify(text.slice(0, 200))}: ${String(error)}`, { cause: error });
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.column).toBeGreaterThanOrEqual(1);
    expect(error.code).toBe('input');
  }
}

describe.each(parsers)('%s parser', (_name, parse, inputs) => {
  it('reads every sample', () => {
    expect(inputs.length).toBeGreaterThan(0);
  });

  it(
    'survives random text',
    () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 400 }), (text) => expectReadOrParseError(parse, text)),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'survives mutated real input',
    () => {
      const arbitrary = fc.constantFrom(...inputs).chain(mutation);
      fc.assert(
        fc.property(arbitrary, (text) => expectReadOrParseError(parse, text)),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe('iptables round trip', () => {
  const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
  const rule = fc.record({
    chain: fc.constantFrom('INPUT', 'FORWARD', 'neutron-openvswi-sg-chain'),
    source: fc.option(fc.tuple(fc.boolean(), fc.constantFrom('10.0.0.0/24', '192.168.0.2/32'))),
    iface: fc.option(word),
    comment: fc.option(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/[\n\r]/.test(s) && s.trim() === s)),
    dport: fc.option(fc.integer({ min: 1, max: 65535 })),
    target: fc.constantFrom('ACCEPT', 'DROP', 'RETURN', 'neutron-openvswi-sg-fallback'),
    packets: fc.nat(),
    bytes: fc.nat(),
  });

  it('printing what was read gives what was written', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 12 }), (rules) => {
        const lines = [
          '*filter',
          ':INPUT ACCEPT [0:0]',
          ':FORWARD ACCEPT [0:0]',
          ':OUTPUT ACCEPT [0:0]',
          ':neutron-openvswi-sg-chain - [0:0]',
        ];
        for (const r of rules) {
          const parts = [`[${r.packets}:${r.bytes}] -A ${r.chain}`];
          if (r.source) parts.push(`${r.source[0] ? '! ' : ''}-s ${r.source[1]}`);
          if (r.iface) parts.push(`-i ${r.iface}`);
          if (r.dport !== null) parts.push(`-p tcp -m tcp --dport ${r.dport}`);
          if (r.comment) parts.push(`-m comment --comment ${quoteWord(r.comment)}`);
          parts.push(`-j ${r.target}`);
          lines.push(parts.join(' '));
        }
        lines.push('COMMIT');
        // iptables-save lists rules chain by chain; so does the printer.
        const text = `${lines.join('\n')}\n`;
        const once = formatSave(parseIptables(text));
        expect(formatSave(parseIptables(once))).toBe(once);
      }),
      { numRuns: RUNS },
    );
  });
});
