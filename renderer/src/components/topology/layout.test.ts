import { describe, expect, it } from 'vitest';
import { buildTopology } from './graph';
import { contains, fitText, layoutTopology, linkPath, NODE_GAP, type Rect } from './layout';
import { compute1, network } from './fixtures.test-helpers';

const layout = layoutTopology(
  buildTopology([
    { node: 'network', snapshot: network() },
    { node: 'compute1', snapshot: compute1() },
  ]),
);

describe('the topology layout', () => {
  it('puts the nodes in a row, apart, all at the same top', () => {
    const [a, b] = layout.nodes;
    expect(a!.node.name).toBe('network');
    expect(b!.x).toBe(a!.x + a!.w + NODE_GAP);
    expect(a!.y).toBe(b!.y);
    expect(layout.width).toBeGreaterThanOrEqual(b!.x + b!.w);
    expect(layout.height).toBeGreaterThanOrEqual(Math.max(a!.y + a!.h, b!.y + b!.h));
  });

  it("stacks each node's bridges inside it without overlap, and puts namespaces below them", () => {
    for (const node of layout.nodes) {
      const bridges = layout.bridges.filter((b) => b.node === node.node.id);
      const namespaces = layout.namespaces.filter((n) => n.node === node.node.id);
      for (const box of [...bridges, ...namespaces]) expect(contains(node, box)).toBe(true);
      for (let i = 1; i < bridges.length; i++) expect(bridges[i]!.y).toBeGreaterThanOrEqual(bridges[i - 1]!.y + bridges[i - 1]!.h);
      const lowestBridge = Math.max(...bridges.map((b) => b.y + b.h));
      for (const ns of namespaces) expect(ns.y).toBeGreaterThanOrEqual(lowestBridge);
    }
  });

  it('puts every chip inside its bridge or namespace, none overlapping', () => {
    const owners = new Map<string, Rect>([
      ...layout.bridges.map((b) => [b.bridge.id, b] as const),
      ...layout.namespaces.map((n) => [n.namespace.id, n] as const),
      ...layout.nodes.map((n) => [n.node.id, n] as const), // the node's own interfaces
    ]);
    const chips = [...layout.chips.values()];
    for (const chip of chips) expect(contains(owners.get(chip.owner)!, chip)).toBe(true);
    for (const a of chips) {
      for (const b of chips) {
        if (a === b) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.chip.id} overlaps ${b.chip.id}`).toBe(false);
      }
    }
  });

  it('draws every link between existing chips, and tunnels above the nodes', () => {
    expect(layout.links).toHaveLength(5); // compute1: patch, tap↔eth0, qvb↔qvo; network: patch, tap↔ns-
    for (const link of layout.links) expect(link.path).toMatch(/^M [\d.]+ [\d.]+ C /);
    expect(layout.tunnels).toHaveLength(1);
    const top = Math.min(...layout.nodes.map((n) => n.y));
    expect(layout.tunnels[0]!.label.y).toBeLessThan(top);
    expect(layout.tunnels[0]!.label.text).toBe('gre → 10.0.0.101');
  });

  it('curves from the lower edge of the upper chip to the upper edge of the lower one', () => {
    expect(linkPath({ x: 0, y: 0, w: 100, h: 20 }, { x: 0, y: 100, w: 100, h: 20 })).toBe('M 50 20 C 50 60, 50 60, 50 100');
    expect(linkPath({ x: 200, y: 0, w: 100, h: 20 }, { x: 0, y: 0, w: 100, h: 20 })).toBe('M 100 10 C 150 10, 150 10, 200 10');
  });

  it('lays out nothing as an empty picture', () => {
    expect(layoutTopology({ nodes: [], links: [], tunnels: [], networks: [] })).toMatchObject({ width: 0, nodes: [], links: [] });
  });
});

describe('fitText', () => {
  it('keeps text that fits and cuts the rest with an ellipsis', () => {
    expect(fitText('vm1', 100)).toBe('vm1');
    const cut = fitText('qdhcp-81058a97-6c25-4b54-bd08-f7bec07db8a8', 150);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.length).toBe(Math.floor(150 / 6.7));
  });
});
