import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../parse-error';
import { parseFlowDump } from './parse';
import type { Action, Flow } from './types';

const SEED = join(import.meta.dirname, '..', 'fixtures', 'seed');
const seed = (name: string) => readFileSync(join(SEED, name), 'utf8');

/** `table/priority match → actions`, for compact expectations. */
const brief = (flow: Flow) =>
  `${flow.table}/${flow.priority} ${flow.match.map((m) => (m.value === undefined ? m.name : `${m.name}=${m.value}${m.mask ? `/${m.mask}` : ''}`)).join(',')} → ${flow.actions.map((a) => a.type).join(',')}`;

describe('every flow dump printed in the book', () => {
  const files = readdirSync(SEED).filter((f) => f.endsWith('.flows.txt'));

  it('has fixtures (35 dumps)', () => {
    expect(files).toHaveLength(35);
  });

  for (const file of files) {
    if (file === '002-L0974.flows.txt') continue; // the one with a misprinted parenthesis, below
    it(`reads ${file}`, () => {
      const dump = parseFlowDump(seed(file), file);
      expect(dump.flows.length).toBeGreaterThan(0);
      for (const flow of dump.flows) {
        expect(flow.actions.length).toBeGreaterThan(0);
        expect(typeof flow.table).toBe('number');
      }
    });
  }

  it('reads the GRE compute node br-tun dump (Icehouse tables 0,1,2,3,10,20,21) exactly', () => {
    const { flows } = parseFlowDump(seed('002-L0277.flows.txt'));
    expect(flows.map(brief)).toEqual([
      '0/1 in_port=1 → resubmit',
      '0/1 in_port=2 → resubmit',
      '0/0  → drop',
      '1/0 dl_dst=00:00:00:00:00:00/01:00:00:00:00:00 → resubmit',
      '1/0 dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 → resubmit',
      '2/1 tun_id=0x1 → mod_vlan_vid,resubmit',
      '2/0  → drop',
      '3/0  → drop',
      '10/1  → learn,output',
      '20/1 vlan_tci=0x0001/0x0fff,dl_dst=fa:16:3e:32:0d:db → load,load,output',
      '20/0  → resubmit',
      '21/1 dl_vlan=1 → strip_vlan,set_tunnel,output',
      '21/0  → drop',
    ]);
    const [first] = flows;
    expect(first).toMatchObject({ cookie: '0x0', duration: 10970.064, packets: 189, bytes: 16232, idleAge: 16, line: 3 });
    expect(flows[8]?.actions[0]).toEqual({
      type: 'learn',
      text: 'learn(table=20, hard_timeout=300, priority=1, NXM_OF_VLAN_TCI[0..11], NXM_OF_ETH_DST[] = NXM_OF_ETH_SRC[], load:0->NXM_OF_VLAN_TCI[], load:NXM_NX_TUN_ID[] -> NXM_NX_TUN_ID[], output:NXM_OF_IN_PORT[])',
      specs: [
        { kind: 'param', name: 'table', value: '20', text: 'table=20' },
        { kind: 'param', name: 'hard_timeout', value: '300', text: 'hard_timeout=300' },
        { kind: 'param', name: 'priority', value: '1', text: 'priority=1' },
        { kind: 'match', field: { field: 'NXM_OF_VLAN_TCI', start: 0, end: 11 }, text: 'NXM_OF_VLAN_TCI[0..11]' },
        {
          kind: 'match',
          field: { field: 'NXM_OF_ETH_DST' },
          source: { field: 'NXM_OF_ETH_SRC' },
          text: 'NXM_OF_ETH_DST[] = NXM_OF_ETH_SRC[]',
        },
        { kind: 'load', value: '0', field: { field: 'NXM_OF_VLAN_TCI' }, text: 'load:0->NXM_OF_VLAN_TCI[]' },
        {
          kind: 'load',
          value: { field: 'NXM_NX_TUN_ID' },
          field: { field: 'NXM_NX_TUN_ID' },
          text: 'load:NXM_NX_TUN_ID[] -> NXM_NX_TUN_ID[]',
        },
        { kind: 'output', port: { field: 'NXM_OF_IN_PORT' }, text: 'output:NXM_OF_IN_PORT[]' },
      ],
    });
    expect(flows[9]).toMatchObject({ hardTimeout: 300, hardAge: 16 });
    expect(flows[11]?.actions).toEqual([
      { type: 'strip_vlan', text: 'strip_vlan' },
      { type: 'set_tunnel', id: '0x1', text: 'set_tunnel:0x1' },
      { type: 'output', port: '2', text: 'output:2' },
    ]);
  });

  it('joins flows the book wrapped mid-word, and says what it had to repair', () => {
    const { flows } = parseFlowDump(seed('002-L1339.flows.txt'));
    expect(flows.map(brief)).toEqual(['20/1 vlan_tci=0x0001/0xffff,dl_dst=fa:16:3e:52:7a:f2 → load,load,output', '20/0  → resubmit']);
    expect(flows[0]).toMatchObject({ bytes: 101338, hardTimeout: 300 });
    expect(flows[0]?.actions[0]).toMatchObject({ type: 'load', value: '0', field: { field: 'NXM_OF_VLAN_TCI' } });
    expect(flows[0]?.repairs).toEqual(['a "-" repeated across line 3 and 4', 'n_bytes "s=101338" read as 101338', 'd1_dst read as dl_dst']);
    // A break that stood for a space: "dl_vlan=1" / "actions=…".
    expect(parseFlowDump(seed('002-L0710.flows.txt')).flows.map(brief)).toEqual([
      '0/4 in_port=4,dl_vlan=1 → mod_vlan_vid,normal',
      '0/4 in_port=4,dl_vlan=2 → mod_vlan_vid,normal',
      '0/2 in_port=4 → drop',
      '0/1  → normal',
    ]);
  });

  it('points at the misprinted parenthesis of the VXLAN br-tun dump, and reads the rest tolerantly', () => {
    const text = seed('002-L0974.flows.txt');
    expect(() => parseFlowDump(text, 'L0974')).toThrow('L0974:26:34: cannot read a flow: ")" closes nothing');
    const dump = parseFlowDump(text, 'L0974', { tolerant: true });
    expect(dump.flows).toHaveLength(12);
    expect(dump.errors?.map((e) => [e.line, e.column])).toEqual([[26, 34]]);
  });

  it("keeps the book's other misprinted learn action verbatim instead of dropping it", () => {
    const { flows } = parseFlowDump(seed('002-L0387.flows.txt'));
    const learn = flows.find((f) => f.table === 10);
    expect(learn?.actions.map((a) => a.type)).toEqual(['unknown', 'load', 'load', 'output', 'output']);
    expect(learn?.actions[0]).toMatchObject({ type: 'unknown', name: 'learn' });
  });
});

describe('the forms ovs-ofctl prints', () => {
  it('OpenFlow 1.3, with reset_counts before the match', () => {
    const dump = parseFlowDump(
      'OFPST_FLOW reply (OF1.3) (xid=0x2):\n cookie=0x0, duration=0.240s, table=21, n_packets=0, n_bytes=0, reset_counts priority=1,dl_vlan=1 actions=pop_vlan,set_field:0x1->tun_id,output:2\n',
    );
    expect(dump.protocol).toBe('OF1.3');
    expect(dump.flows[0]).toMatchObject({ table: 21, priority: 1, flags: ['reset_counts'], match: [{ name: 'dl_vlan', value: '1' }] });
    expect(dump.flows[0]?.actions).toEqual([
      { type: 'pop_vlan', text: 'pop_vlan' },
      { type: 'set_field', value: '0x1', field: { field: 'tun_id' }, text: 'set_field:0x1->tun_id' },
      { type: 'output', port: '2', text: 'output:2' },
    ]);
  });

  it('--no-stats, where the default table and priority are left out', () => {
    const { flows } = parseFlowDump(
      ' priority=1,in_port=1 actions=resubmit(,1)\n table=21, priority=1,dl_vlan=1 actions=strip_vlan\n in_port=3 actions=drop\n',
    );
    expect(flows.map(brief)).toEqual(['0/1 in_port=1 → resubmit', '21/1 dl_vlan=1 → strip_vlan', '0/32768 in_port=3 → drop']);
  });

  it('--names, with quoted port names in match and actions', () => {
    const { flows } = parseFlowDump(
      ' cookie=0x0, duration=0.38s, table=0, n_packets=0, n_bytes=0, priority=1,in_port="patch-int" actions=output:"gre-1",resubmit("patch-int",2)',
    );
    expect(flows[0]?.match).toEqual([{ name: 'in_port', value: 'patch-int' }]);
    expect(flows[0]?.actions).toMatchObject([
      { type: 'output', port: 'gre-1' },
      { type: 'resubmit', port: 'patch-int', table: 2 },
    ]);
  });

  it('every kind of action, nested ones included, and unknown ones verbatim', () => {
    const { flows } = parseFlowDump(
      ' priority=1 actions=mod_vlan_vid:101,set_tunnel64:0x3e9,load:0x5->NXM_NX_REG0[0..3],move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:fa:16:3f:00:00:01,ct(commit,zone=1,nat(src=10.0.0.1)),controller(reason=no_match),goto_table:10,push_vlan:0x8100,enqueue:1:2,note:00.01,clone(output:3,NORMAL),fancy_new_action(x=1),output(port=5,max_len=128),LOCAL,IN_PORT,FLOOD,exit',
    );
    const actions = flows[0]?.actions ?? [];
    const typed = (type: Action['type']) => actions.find((a) => a.type === type);
    expect(actions.map((a) => a.type)).toEqual([
      'mod_vlan_vid',
      'set_tunnel',
      'load',
      'move',
      'modify',
      'ct',
      'controller',
      'goto_table',
      'push_vlan',
      'enqueue',
      'note',
      'clone',
      'unknown',
      'output',
      'local',
      'in_port',
      'flood',
      'exit',
    ]);
    expect(typed('load')).toMatchObject({ value: '0x5', field: { field: 'NXM_NX_REG0', start: 0, end: 3 } });
    expect(typed('ct')).toMatchObject({ args: ['commit', 'zone=1', 'nat(src=10.0.0.1)'] });
    expect(typed('clone')).toMatchObject({ actions: [{ type: 'output', port: '3' }, { type: 'normal' }] });
    expect(typed('unknown')).toEqual({ type: 'unknown', name: 'fancy_new_action', argument: '(x=1)', text: 'fancy_new_action(x=1)' });
    expect(actions[13]).toMatchObject({ type: 'output', port: '5' });
  });

  it('masks, prefixes and protocol shorthands in matches', () => {
    const { flows } = parseFlowDump(
      ' priority=1,tcp,nw_dst=10.0.0.0/24,tp_dst=22,vlan_tci=0x1000/0x1000,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=drop',
    );
    expect(flows[0]?.match).toEqual([
      { name: 'tcp' },
      { name: 'nw_dst', value: '10.0.0.0', mask: '24' },
      { name: 'tp_dst', value: '22' },
      { name: 'vlan_tci', value: '0x1000', mask: '0x1000' },
      { name: 'dl_dst', value: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' },
    ]);
  });
});

describe('input it cannot read: a clear error, never a crash', () => {
  const error = (text: string) => {
    try {
      parseFlowDump(text, 'dump.txt');
    } catch (e) {
      return e as ParseError;
    }
    throw new Error('expected a ParseError');
  };

  it('a truncated flow', () => {
    const e = error('NXST_FLOW reply (xid=0x4):\n cookie=0x0, duration=1.0s, table=0, n_pack');
    expect(e).toBeInstanceOf(ParseError);
    expect(e.message).toMatch(/^dump\.txt:2:\d+: cannot read a flow: no "actions="/);
    expect(e.exitCode).toBe(2);
  });

  it('unbalanced parentheses, at the parenthesis', () => {
    expect(error(' priority=1 actions=learn(table=20,output:1').message).toBe('dump.txt:1:26: cannot read a flow: "(" is never closed');
    expect(error(' priority=1 actions=output:1)').message).toBe('dump.txt:1:29: cannot read a flow: ")" closes nothing');
  });

  it('garbage before any flow, empty actions, bad numbers', () => {
    expect(error('hello world').message).toBe('dump.txt:1:12: cannot read a flow: no "actions=" (the flow "hello world" looks truncated)');
    expect(error(' priority=1 actions=').message).toMatch(/the actions are empty/);
    expect(error(' cookie=0x0, duration=1s, table=0, priority=x1 actions=drop').message).toMatch(/:1:\d+: .*"x1" is not a valid priority/);
  });

  it('an empty dump is no flows, not an error', () => {
    expect(parseFlowDump('NXST_FLOW reply (xid=0x4):\n').flows).toEqual([]);
    expect(parseFlowDump('').flows).toEqual([]);
  });
});
