import { describe, expect, it } from 'vitest';
import { splitKey, terminalKey, terminalTabs } from './terminal-tabs';

describe('terminal tabs', () => {
  it('lists each node, then its namespaces, sorted', () => {
    const tabs = terminalTabs(['network', 'compute1'], { compute1: ['', 'vm1'], network: ['qdhcp-1', ''] }, []);
    expect(tabs.map((t) => t.key)).toEqual(['network', 'network/qdhcp-1', 'compute1', 'compute1/vm1']);
    expect(tabs[3]).toEqual({ key: 'compute1/vm1', node: 'compute1', namespace: 'vm1' });
  });

  it('keeps an open terminal whose namespace is gone', () => {
    const tabs = terminalTabs(['compute1'], { compute1: [''] }, ['compute1/vm1']);
    expect(tabs.map((t) => t.key)).toEqual(['compute1', 'compute1/vm1']);
  });

  it('round-trips keys', () => {
    expect(splitKey(terminalKey('compute1', 'vm1'))).toEqual(['compute1', 'vm1']);
    expect(splitKey(terminalKey('compute1'))).toEqual(['compute1', '']);
  });
});
