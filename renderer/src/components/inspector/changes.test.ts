import { describe, expect, it } from 'vitest';
import type { IptablesRule, SnapshotDiff } from '../../../../main/api/view';
import { translate } from '../../i18n';
import { changeLines } from './changes';
import { flow } from './fixtures.test-helpers';

const rule: IptablesRule = {
  table: 'filter',
  chain: 'INPUT',
  packets: 4,
  bytes: 336,
  generic: [{ name: '-p', values: ['icmp'], negated: false }],
  matches: [],
  target: { name: 'ACCEPT', goto: false, options: [] },
  line: 1,
};

const empty: SnapshotDiff = {
  node: 'compute1',
  seconds: 3,
  bridges: { added: [], removed: [] },
  ports: [],
  flows: [],
  namespaces: { added: [], removed: [] },
  interfaces: [],
  rules: [],
};

describe('what changed, as lines', () => {
  it('is empty for an empty diff', () => {
    expect(changeLines(empty)).toEqual([]);
  });

  it('names every kind of change with where it happened', () => {
    const learned = flow(20, 1, 'dl_vlan=1,dl_dst=fa:16:3e:32:0d:db', ['output:gre-1'], { packets: 1 });
    const lines = changeLines({
      ...empty,
      bridges: { added: ['br-tun'], removed: [] },
      ports: [{ bridge: 'br-tun', added: ['gre-1'], removed: ['vxlan-1'] }],
      flows: [
        {
          bridge: 'br-tun',
          added: [learned],
          removed: [],
          changed: [{ before: flow(21, 1, 'dl_vlan=1', ['drop']), after: flow(21, 1, 'dl_vlan=1', ['strip_vlan', 'output:gre-1']) }],
          counters: [{ item: learned, packets: 2, bytes: 196 }],
        },
      ],
      namespaces: { added: ['vm1'], removed: [] },
      interfaces: [{ namespace: '', added: ['tap1'], removed: [] }],
      rules: [{ namespace: 'vm1', table: 'filter', added: [], removed: [rule], counters: [{ item: rule, packets: 1, bytes: 84 }] }],
    });
    expect(lines).toEqual([
      { kind: 'added', subject: 'bridge', place: 'br-tun', text: 'br-tun' },
      { kind: 'added', subject: 'port', place: 'br-tun', text: 'gre-1' },
      { kind: 'removed', subject: 'port', place: 'br-tun', text: 'vxlan-1' },
      {
        kind: 'added',
        subject: 'flow',
        place: 'br-tun',
        text: 'table=20, priority=1,dl_vlan=1,dl_dst=fa:16:3e:32:0d:db actions=output:gre-1',
      },
      {
        kind: 'changed',
        subject: 'flow',
        place: 'br-tun',
        text: 'table=21, priority=1,dl_vlan=1 actions=strip_vlan,output:gre-1',
        detail: 'was actions=drop',
      },
      {
        kind: 'grew',
        subject: 'flow',
        place: 'br-tun',
        text: 'table=20, priority=1,dl_vlan=1,dl_dst=fa:16:3e:32:0d:db actions=output:gre-1',
        detail: '+2 packets, +196 bytes',
      },
      { kind: 'added', subject: 'namespace', place: 'vm1', text: 'vm1' },
      { kind: 'added', subject: 'interface', place: '(node)', text: 'tap1' },
      { kind: 'removed', subject: 'rule', place: 'vm1 filter', text: '-A INPUT -p icmp -j ACCEPT' },
      { kind: 'grew', subject: 'rule', place: 'vm1 filter', text: '-A INPUT -p icmp -j ACCEPT', detail: '+1 packet, +84 bytes' },
    ]);
  });

  it('words places and details in the language it is given, and keeps subjects as names', () => {
    const lines = changeLines(
      {
        ...empty,
        flows: [
          {
            bridge: 'br-int',
            added: [],
            removed: [],
            changed: [{ before: flow(0, 1, '', ['drop']), after: flow(0, 1, '', ['NORMAL']) }],
            counters: [],
          },
        ],
        rules: [{ namespace: '', table: 'nat', added: [], removed: [], counters: [{ item: rule, packets: 3, bytes: 180 }] }],
      },
      (key, params) => translate('zh', key, params),
    );
    expect(lines).toEqual([
      { kind: 'changed', subject: 'flow', place: 'br-int', text: 'table=0, priority=1 actions=NORMAL', detail: '原为 actions=drop' },
      { kind: 'grew', subject: 'rule', place: '（节点） nat', text: '-A INPUT -p icmp -j ACCEPT', detail: '+3 个报文，+180 字节' },
    ]);
  });
});
