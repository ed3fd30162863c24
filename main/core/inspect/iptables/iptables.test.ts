import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../parse-error';
import { counter, formatListing, formatRule, formatSave } from './format';
import { parseIptables } from './parse';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const read = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');
const withoutComments = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
/** The book's listings are wrapped and spaced by an older iptables: compare them without whitespace. */
const squeeze = (text: string) => text.replace(/\s+/g, '');
const trimLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');

describe('iptables-save -c from a real node', () => {
  const text = read('ovs/iptables-save.txt');
  const state = parseIptables(text);

  it('reads every table, chain policy, counter and rule', () => {
    expect(state.tables.map((t) => `${t.name}:${t.chains.length}`)).toEqual(['raw:2', 'filter:4', 'nat:4']);
    const filter = state.tables.find((t) => t.name === 'filter')!;
    expect(filter.chains.map((c) => `${c.name}/${c.policy ?? '-'}/${c.rules.length}`)).toEqual([
      'INPUT/ACCEPT/4',
      'FORWARD/ACCEPT/2',
      'OUTPUT/ACCEPT/0',
      'neutron-openvswi-sg-chain/-/5',
    ]);
  });

  it('splits rules into generic options, matches with options, and the target', () => {
    const filter = state.tables.find((t) => t.name === 'filter')!;
    const forward = filter.chains.find((c) => c.name === 'FORWARD')!.rules[0]!;
    expect(forward).toMatchObject({
      packets: 0,
      bytes: 0,
      generic: [],
      matches: [
        {
          module: 'physdev',
          options: [
            { name: '--physdev-out', values: ['tap583c7038-d3'], negated: false },
            { name: '--physdev-is-bridged', values: [], negated: false },
          ],
        },
        {
          module: 'comment',
          options: [{ name: '--comment', values: ['Direct traffic from the VM interface to the security group chain.'], negated: false }],
        },
      ],
      target: { name: 'neutron-openvswi-sg-chain', goto: false, options: [] },
    });
    const invalid = filter.chains.find((c) => c.name === 'neutron-openvswi-sg-chain')!.rules[2]!;
    expect(invalid.generic).toEqual([{ name: '-s', values: ['10.0.0.0/24'], negated: true }]);
    const nat = state.tables.find((t) => t.name === 'nat')!;
    const dnat = nat.chains.find((c) => c.name === 'PREROUTING')!.rules[0]!;
    expect(dnat.target).toEqual({
      name: 'DNAT',
      goto: false,
      options: [{ name: '--to-destination', values: ['10.0.0.2'], negated: false }],
    });
    const raw = state.tables.find((t) => t.name === 'raw')!;
    expect(raw.chains[0]!.rules[0]!.target).toMatchObject({ name: 'CT', options: [{ name: '--zone', values: ['1'] }] });
  });

  it('prints back exactly what it read (iptables-save form)', () => {
    expect(formatSave(state)).toBe(withoutComments(text).replace(/\n+$/, '\n'));
  });

  it("prints the -vnL --line-numbers listing exactly as the node's iptables does", () => {
    const filter = state.tables.find((t) => t.name === 'filter')!;
    const nat = state.tables.find((t) => t.name === 'nat')!;
    expect(trimLines(formatListing(filter, undefined, { style: 'nft' }))).toBe(trimLines(read('ovs/iptables-filter.listing.txt')));
    expect(trimLines(formatListing(nat, undefined, { style: 'nft' }))).toBe(trimLines(read('ovs/iptables-nat.listing.txt')));
  });

  it('reads `iptables -S` too', () => {
    const fromS = parseIptables(read('ovs/iptables-S.txt'));
    const fromSave = state.tables.find((t) => t.name === 'filter')!;
    expect(fromS.tables[0]!.chains.map((c) => c.rules.map(formatRule))).toEqual(fromSave.chains.map((c) => c.rules.map(formatRule)));
  });
});

describe("the book's iptables dumps", () => {
  // The listings of the book's compute node, chain by chain. Two carry misprints of the book's
  // own (a "0.0.0/0", a stray "*"), corrected here before comparing; the second listing of the
  // o-chain was taken later, with other counters.
  const BOOK_LISTINGS: [string, string, [RegExp, string]?][] = [
    ['INPUT', '002-L1614'],
    ['neutron-openvswi-INPUT', '002-L1641'],
    ['neutron-openvswi-o583c7038-d', '002-L1653'],
    ['neutron-openvswi-s583c7038-d', '002-L1676'],
    ['OUTPUT', '002-L1691', [/0\.0\.0\/0(?=\s+0\.0\.0\.0\/0\n2)/, '0.0.0.0/0']],
    ['neutron-filter-top', '002-L1704'],
    ['neutron-openvswi-OUTPUT', '002-L1715'],
    ['neutron-openvswi-local', '002-L1724'],
    ['FORWARD', '002-L1739', [/(neutron-openvswi-FORWARD\s+all\s+--\s+\*\s+\*\s+)\*/, '$1']],
    ['neutron-openvswi-FORWARD', '002-L1754'],
    ['neutron-openvswi-sg-chain', '002-L1769'],
    ['neutron-openvswi-i583c7038-d', '002-L1786'],
  ];

  it.each(BOOK_LISTINGS)('prints chain %s as the book lists it (%s)', (chain, fixture, misprint) => {
    const filter = parseIptables(read('book/sg-583c7038.save.txt')).tables[0]!;
    let book = read(`seed/${fixture}.iptables.txt`).split('\n').slice(1).join('\n'); // without the "#iptables …" prompt
    if (misprint) book = book.replace(misprint[0], misprint[1]);
    expect(squeeze(formatListing(filter, chain))).toBe(squeeze(book));
  });

  it('prints the later listing of the o-chain, with its later counters (002-L1808)', () => {
    const filter = parseIptables(read('book/sg-583c7038.save.txt')).tables[0]!;
    const chain = filter.chains.find((c) => c.name === 'neutron-openvswi-o583c7038-d')!;
    const later: [number, number][] = [
      [3886, 1197000],
      [4274, 1533000],
      [0, 0],
      [0, 0],
      [3963, 1507000],
      [311, 25752],
      [0, 0],
    ];
    chain.rules.forEach((rule, i) => Object.assign(rule, { packets: later[i]![0], bytes: later[i]![1] }));
    const book = read('seed/002-L1808.iptables.txt').split('\n').slice(1).join('\n');
    expect(squeeze(formatListing(filter, chain.name))).toBe(squeeze(book));
  });

  it("reads the router's NAT rules (`iptables -t nat -S`, the table named by the pasted prompt)", () => {
    const state = parseIptables(read('seed/002-L0556.iptables.txt'));
    expect(state.tables.map((t) => t.name)).toEqual(['nat']);
    const chains = state.tables[0]!.chains;
    expect(chains.map((c) => c.name)).toEqual([
      'PREROUTING',
      'POSTROUTING',
      'OUTPUT',
      'neutron-l3-agent-OUTPUT',
      'neutron-l3-agent-POSTROUTING',
      'neutron-l3-agent-PREROUTING',
      'neutron-l3-agent-float-snat',
      'neutron-l3-agent-snat',
      'neutron-postrouting-bottom',
    ]);
    const postrouting = chains.find((c) => c.name === 'neutron-l3-agent-POSTROUTING')!.rules[0]!;
    expect(postrouting.generic).toEqual([
      { name: '-i', values: ['qg-d48b49e0-aa'], negated: true },
      { name: '-o', values: ['qg-d48b49e0-aa'], negated: true },
    ]);
    expect(postrouting.matches).toEqual([{ module: 'conntrack', options: [{ name: '--ctstate', values: ['DNAT'], negated: true }] }]);
    const redirect = chains.find((c) => c.name === 'neutron-l3-agent-PREROUTING')!.rules[0]!;
    expect(formatRule(redirect)).toBe(
      '-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697',
    );
  });

  it("joins the book's wrapped `iptables -S` lines, inside a word or before an option", () => {
    const state = parseIptables(read('seed/002-L1843.iptables.txt'));
    const rules = state.tables[0]!.chains.flatMap((c) => c.rules);
    expect(rules.map(formatRule)).toEqual([
      '-A neutron-openvswi-FORWARD -m physdev --physdev-out tap583c7038-d3 --physdev-is-bridged -j neutron-openvswi-sg-chain',
      '-A neutron-openvswi-FORWARD -m physdev --physdev-in tap583c7038-d3 --physdev-is-bridged -j neutron-openvswi-sg-chain',
      '-A neutron-openvswi-INPUT -m physdev --physdev-in tap583c7038-d3 --physdev-is-bridged -j neutron-openvswi-o583c7038-d',
      '-A neutron-openvswi-sg-chain -m physdev --physdev-out tap583c7038-d3 --physdev-is-bridged -j neutron-openvswi-i583c7038-d',
      '-A neutron-openvswi-sg-chain -m physdev --physdev-in tap583c7038-d3 --physdev-is-bridged -j neutron-openvswi-o583c7038-d',
    ]);
  });

  it('prints the FWaaS chains in the router namespace as the book lists them (-nvL, no line numbers)', () => {
    const filter = parseIptables(read('book/fwaas-d8ed9898.save.txt')).tables[0]!;
    const listing = ['neutron-vpn-agen-iv4d8ed9898', 'neutron-vpn-agen-ov4d8ed9898']
      .map((chain) => formatListing(filter, chain, { lineNumbers: false }))
      .join('');
    const book = read('seed/002-L2070.iptables.txt').split('\n').slice(2).join('\n'); // without the wrapped prompt
    expect(squeeze(listing)).toBe(squeeze(book));
  });

  it.each(['002-L0583', '002-L0591', '002-L1568', '002-L1578', '002-L1539'])('reads %s', (name) => {
    const state = parseIptables(read(`seed/${name}.iptables.txt`));
    expect(state.tables.flatMap((t) => t.chains.flatMap((c) => c.rules)).length).toBeGreaterThan(0);
  });
});

describe('options of every kind', () => {
  it('multiport, set, mark, state, mac and target options, with negations in both spellings', () => {
    const [rule] = parseIptables(
      '-A X -p tcp -m multiport --dports 80,443 -m set ! --match-set NIPv4abc src -m mark --mark 0x1/0xffff -m conntrack --ctstate ! INVALID -j MARK --set-xmark 0x2/0xffffffff\n',
    ).tables[0]!.chains[0]!.rules;
    expect(rule!.matches).toEqual([
      { module: 'multiport', options: [{ name: '--dports', values: ['80,443'], negated: false }] },
      { module: 'set', options: [{ name: '--match-set', values: ['NIPv4abc', 'src'], negated: true }] },
      { module: 'mark', options: [{ name: '--mark', values: ['0x1/0xffff'], negated: false }] },
      { module: 'conntrack', options: [{ name: '--ctstate', values: ['INVALID'], negated: true }] },
    ]);
    expect(rule!.target).toEqual({
      name: 'MARK',
      goto: false,
      options: [{ name: '--set-xmark', values: ['0x2/0xffffffff'], negated: false }],
    });
  });

  it('counts like iptables: exact up to 99999, then K, M, G', () => {
    expect([0, 99999, 100000, 1536000, 9999499, 9999500, 56000000].map((n) => counter(n).trim())).toEqual([
      '0',
      '99999',
      '100K',
      '1536K',
      '9999K',
      '10M',
      '56M',
    ]);
  });
});

describe('input it cannot read: a clear error with line and column', () => {
  const error = (text: string) => {
    try {
      parseIptables(text, 'rules.txt');
    } catch (e) {
      return e as ParseError;
    }
    throw new Error('expected a ParseError');
  };

  it.each([
    ['*filter\n-A INPUT -m comment --comment "unclosed -j ACCEPT\n', 'rules.txt:2:31: cannot read iptables rules: a quote is never closed'],
    ['*filter\n-A INPUT -s\n', 'rules.txt:2:10: cannot read iptables rules: -s needs a value'],
    ['*filter\n-A INPUT -j ACCEPT !\n', 'rules.txt:2:20: cannot read iptables rules: a "!" negates nothing'],
    [
      '*filter\n-A INPUT --dport 22 -j ACCEPT\n',
      'rules.txt:2:10: cannot read iptables rules: "--dport" belongs to no match module (a missing -m?)',
    ],
    [
      'hello\n',
      'rules.txt:1:1: cannot read iptables rules: "hello" is not an iptables-save line (expected *table, :chain, -P, -N, -A or COMMIT)',
    ],
    ['*filter\n:INPUT\n', 'rules.txt:2:1: cannot read iptables rules: ":INPUT" is not a chain declaration (:CHAIN POLICY [packets:bytes])'],
    ['*filter\n-A INPUT tcp\n', 'rules.txt:2:10: cannot read iptables rules: "tcp" is not an option (a value without its option?)'],
  ])('%j', (text, message) => {
    const e = error(text);
    expect(e).toBeInstanceOf(ParseError);
    expect(e.message).toBe(message);
  });
});
