import { describe, expect, it } from 'vitest';
import { translate } from '../../i18n';
import { microflowOf } from './microflow';
import { flow } from './fixtures.test-helpers';

describe('a trace microflow from a flow', () => {
  it('keeps exact fields and shorthands, and drops masks (the value still matches)', () => {
    const traced = microflowOf(
      flow(0, 1, 'in_port=qvo2a7d9c41-3b,arp,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,nw_dst=10.0.0.0/24', ['NORMAL']),
    );
    expect(traced.flow).toBe('in_port=qvo2a7d9c41-3b,arp,dl_dst=01:00:00:00:00:00,nw_dst=10.0.0.0');
    expect(traced.notes).toEqual([]);
  });

  it('leaves conntrack state out and says so, and warns when the flow is past table 0 or has no in_port', () => {
    const traced = microflowOf(flow(21, 1, 'ct_state=+trk+est,dl_vlan=1', ['NORMAL']));
    expect(traced.flow).toBe('dl_vlan=1');
    expect(traced.notes).toHaveLength(3);
    expect(traced.notes.join(' ')).toMatch(/ct_state.*table 21.*in_port/);
  });

  it('words its notes in the language it is given', () => {
    const traced = microflowOf(flow(21, 1, 'dl_vlan=1', ['NORMAL']), (key, params) => translate('zh', key, params));
    expect(traced.notes).toEqual([
      '跟踪从表 0 开始；这条流表在表 21，只有前面的表把报文送到这里，报文才会到达。',
      '这条流表匹配任意 in_port；要从某个端口开始跟踪，请加上一个（in_port=端口名）。',
    ]);
  });
});
