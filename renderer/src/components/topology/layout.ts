import type { BridgeBox, Chip, Link, NamespaceBox, NetworkLine, NodeBox, Topology, Tunnel } from './graph';

/**
 * Where everything goes, as plain numbers (so it is tested without a browser): nodes side by
 * side; inside each, bridges stacked (ports in a grid), namespaces below; tunnels arc through a
 * band above the nodes. Links are SVG path data between chips' edges.
 */

export const CHIP_W = 160;
export const CHIP_H = 20;
/** A namespace interface shows its addresses on a second line. */
export const NSIF_H = 32;
export const GAP = 8;
export const PAD = 10;
export const HEADER = 24;
export const BRIDGE_COLS = 2;
export const NS_COLS = 2;
export const NODE_GAP = 60;
export const TUNNEL_STEP = 16;
/** Networks: the first bus this far under the nodes, the next ones this far apart. */
export const NET_GAP = 24;
export const NET_STEP = 26;

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PlacedChip extends Rect {
  chip: Chip;
  node: string;
  /** The bridge or namespace holding it. */
  owner: string;
}
export interface PlacedBridge extends Rect {
  bridge: BridgeBox;
  node: string;
}
export interface PlacedNamespace extends Rect {
  namespace: NamespaceBox;
  node: string;
}
export interface PlacedNode extends Rect {
  node: NodeBox;
}
export interface PlacedLink {
  link: Link;
  path: string;
}
export interface PlacedTunnel {
  tunnel: Tunnel;
  path: string;
  label: { x: number; y: number; text: string };
}

/** A Docker network drawn as a bus under the nodes, with a drop to each attached interface. */
export interface PlacedNetwork {
  network: NetworkLine;
  y: number;
  x1: number;
  x2: number;
  drops: { node: string; x: number; y1: number; address?: string }[];
}

export interface Layout {
  width: number;
  height: number;
  networks: PlacedNetwork[];
  nodes: PlacedNode[];
  bridges: PlacedBridge[];
  namespaces: PlacedNamespace[];
  chips: Map<string, PlacedChip>;
  links: PlacedLink[];
  tunnels: PlacedTunnel[];
}

const chipHeight = (chip: Chip) => (chip.kind === 'nsif' || chip.kind === 'host' ? NSIF_H : CHIP_H);

/** A grid of chips, `cols` wide, at (x, y); returns the size it took. */
function placeGrid(
  chips: readonly Chip[],
  cols: number,
  x: number,
  y: number,
  node: string,
  owner: string,
  out: Map<string, PlacedChip>,
): { w: number; h: number } {
  const columns = Math.max(1, Math.min(cols, chips.length));
  let rowY = y;
  let height = 0;
  for (let start = 0; start < chips.length; start += columns) {
    const row = chips.slice(start, start + columns);
    const rowH = Math.max(...row.map(chipHeight));
    row.forEach((chip, i) => out.set(chip.id, { chip, node, owner, x: x + i * (CHIP_W + GAP), y: rowY, w: CHIP_W, h: chipHeight(chip) }));
    rowY += rowH + GAP;
    height = rowY - GAP - y;
  }
  return { w: columns * CHIP_W + (columns - 1) * GAP, h: height };
}

export function layoutTopology(topology: Topology): Layout {
  const tunnelBand = topology.tunnels.length ? PAD * 2 + topology.tunnels.length * TUNNEL_STEP : 0;
  const top = PAD + tunnelBand;
  const layout: Layout = {
    width: 0,
    height: 0,
    networks: [],
    nodes: [],
    bridges: [],
    namespaces: [],
    chips: new Map(),
    links: [],
    tunnels: [],
  };
  let x = PAD;

  for (const node of topology.nodes) {
    const inner = x + PAD;
    let y = top + HEADER;
    let width = CHIP_W + 2 * PAD; // an empty node still has a box
    for (const bridge of node.bridges) {
      const grid = placeGrid(bridge.chips, BRIDGE_COLS, inner + PAD, y + HEADER, node.id, bridge.id, layout.chips);
      const box = { bridge, node: node.id, x: inner, y, w: Math.max(grid.w, CHIP_W) + 2 * PAD, h: HEADER + grid.h + PAD };
      layout.bridges.push(box);
      width = Math.max(width, box.w);
      y += box.h + GAP;
    }
    // Namespaces below the bridges, NS_COLS to a row.
    for (let start = 0; start < node.namespaces.length; start += NS_COLS) {
      let nsX = inner;
      let rowH = 0;
      for (const namespace of node.namespaces.slice(start, start + NS_COLS)) {
        const grid = placeGrid(namespace.chips, 1, nsX + PAD, y + HEADER, node.id, namespace.id, layout.chips);
        const box = { namespace, node: node.id, x: nsX, y, w: CHIP_W + 2 * PAD, h: HEADER + grid.h + PAD };
        layout.namespaces.push(box);
        nsX += box.w + GAP;
        rowH = Math.max(rowH, box.h);
      }
      width = Math.max(width, nsX - GAP - inner);
      y += rowH + GAP;
    }
    // The node's own interfaces last, at the bottom edge where the networks' drops arrive.
    if (node.interfaces.length) {
      const grid = placeGrid(node.interfaces, BRIDGE_COLS, inner, y, node.id, node.id, layout.chips);
      width = Math.max(width, grid.w);
      y += grid.h + GAP;
    }
    const placed = { node, x, y: top, w: width + 2 * PAD, h: Math.max(y - top, HEADER + PAD) + PAD };
    layout.nodes.push(placed);
    x += placed.w + NODE_GAP;
  }
  layout.width = Math.max(x - NODE_GAP + PAD, 0);
  const bottom = Math.max(0, ...layout.nodes.map((n) => n.y + n.h));
  topology.networks.forEach((network, i) => {
    const y = bottom + NET_GAP + i * NET_STEP;
    const drops = network.members.flatMap((m) => {
      const chip = layout.chips.get(m.chip);
      return chip
        ? [{ node: m.node, x: chip.x + chip.w / 2 + i * 6, y1: chip.y + chip.h, ...(m.address ? { address: m.address } : {}) }]
        : [];
    });
    if (drops.length === 0) return;
    const xs = drops.map((d) => d.x);
    layout.networks.push({ network, y, x1: Math.min(PAD, ...xs), x2: Math.max(...xs) + 20, drops });
  });
  layout.height = (layout.networks.length ? bottom + NET_GAP + layout.networks.length * NET_STEP : bottom) + PAD;

  for (const link of topology.links) {
    const a = layout.chips.get(link.from);
    const b = layout.chips.get(link.to);
    if (a && b) layout.links.push({ link, path: linkPath(a, b) });
  }
  topology.tunnels.forEach((tunnel, i) => {
    const a = layout.chips.get(tunnel.from);
    if (!a) return;
    const bandY = PAD + (i + 1) * TUNNEL_STEP;
    const start = { x: a.x + a.w / 2, y: a.y };
    const target = tunnel.to ? layout.chips.get(tunnel.to) : undefined;
    const remoteNode = layout.nodes.find((n) => n.node.id === tunnel.toNode);
    // To the far tunnel port; else the far node's top edge; else a short stub naming remote_ip.
    const end = target
      ? { x: target.x + target.w / 2, y: target.y }
      : remoteNode
        ? { x: remoteNode.x + remoteNode.w / 2, y: remoteNode.y }
        : { x: start.x + 40, y: bandY };
    const path = `M ${start.x} ${start.y} C ${start.x} ${bandY}, ${end.x} ${bandY}, ${end.x} ${end.y}`;
    const text = `${tunnel.type}${tunnel.key ? ` key=${tunnel.key}` : ''} → ${tunnel.remoteIp}`;
    layout.tunnels.push({ tunnel, path, label: { x: (start.x + end.x) / 2, y: bandY - 4, text } });
  });
  return layout;
}

/** A curve between two chips: lower edge of the upper one to upper edge of the lower one, or side to side in a row. */
export function linkPath(a: Rect, b: Rect): string {
  const [upper, lower] = a.y <= b.y ? [a, b] : [b, a];
  if (upper.y + upper.h <= lower.y) {
    const x1 = upper.x + upper.w / 2;
    const y1 = upper.y + upper.h;
    const x2 = lower.x + lower.w / 2;
    const y2 = lower.y;
    const bend = Math.max(12, (y2 - y1) / 2);
    return `M ${x1} ${y1} C ${x1} ${y1 + bend}, ${x2} ${y2 - bend}, ${x2} ${y2}`;
  }
  const [left, right] = a.x <= b.x ? [a, b] : [b, a];
  const x1 = left.x + left.w;
  const y1 = left.y + left.h / 2;
  const x2 = right.x;
  const y2 = right.y + right.h / 2;
  const bend = Math.max(8, (x2 - x1) / 2);
  return `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`;
}

/** The rectangle's bounds contain the other's. */
export function contains(outer: Rect, inner: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

/** Roughly the width of one character of the 11px monospace font the picture uses. */
export const CHAR_W = 6.7;

/** Text cut to what fits in `width` pixels, with an ellipsis when cut (the full text goes in a tooltip). */
export function fitText(text: string, width: number, charWidth = CHAR_W): string {
  const room = Math.max(1, Math.floor(width / charWidth));
  return text.length <= room ? text : `${text.slice(0, Math.max(0, room - 1))}…`;
}
