import { describe, expect, it } from 'vitest';
import { shortName, splitKey, terminalKey, terminalTabs } from './terminal-tabs';

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

describe('namespace tab names', () => {
  it("shorten Neutron's UUID names and leave others whole", () => {
    expect(shortName('qdhcp-6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f')).toBe('qdhcp-6f1c2d3e…');
    expect(shortName('qrouter-6F1C2D3E-4B5A-4C7D-8E9F-0A1B2C3D4E5F')).toBe('qrouter-6F1C2D3E…');
    expect(shortName('vm1')).toBe('vm1');
    expect(shortName('qdhcp-net1')).toBe('qdhcp-net1');
  });
});
