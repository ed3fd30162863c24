import type { WalkResult } from '../../../../main/api/view';

/**
 * Where a walk goes, as the topology marks it: each bridge it passes (OVS bridges from each
 * leg's trace, a VM's qbr for an iptables leg) and each router namespace, with its step numbers
 * in walk order, the one it ends dropped at, and the tunnels it leaves by.
 */
export interface WalkMarks {
  /** `node bridge` (or `node qrouter-…`) → the steps (from 1) at which the walk is on it. */
  bridges: Map<string, number[]>;
  /** `node bridge` of the bridge the walk ends dropped at. */
  droppedAt?: string;
  /** The tunnels it leaves by: from a node, to an underlay address (and the node the walk goes on at). */
  tunnels: { fromNode: string; toNode?: string; remoteIp: string }[];
}

export const markKey = (node: string, bridge: string): string => `${node} ${bridge}`;

export function walkMarks(walk: WalkResult | undefined): WalkMarks {
  const marks: WalkMarks = { bridges: new Map(), tunnels: [] };
  if (!walk) return marks;
  let step = 0;
  let last: string | undefined;
  const visit = (key: string) => {
    if (key === last) return;
    last = key;
    marks.bridges.set(key, [...(marks.bridges.get(key) ?? []), ++step]);
  };
  for (const leg of walk.legs) {
    if (leg.kind === 'iptables') visit(markKey(leg.node, leg.bridge));
    else if (leg.kind === 'router') visit(markKey(leg.node, leg.namespace));
    else {
      for (const tunnel of marks.tunnels)
        if (tunnel.toNode === undefined && leg.arrivedBy && leg.node !== tunnel.fromNode) tunnel.toNode = leg.node;
      for (const bridge of leg.trace.steps.length ? leg.trace.steps.map((s) => s.bridge) : [leg.bridge]) visit(markKey(leg.node, bridge));
      for (const tunnel of leg.trace.tunnels)
        if (tunnel.destination) marks.tunnels.push({ fromNode: leg.node, remoteIp: tunnel.destination });
    }
  }
  if (walk.dropped) marks.droppedAt = last;
  return marks;
}

/** Whether a drawn tunnel (one per pair of nodes, either way round) is one the walk leaves by. */
export function onWalk(marks: WalkMarks, tunnel: { fromNode: string; toNode?: string; remoteIp: string }): boolean {
  return marks.tunnels.some(
    (m) =>
      (m.fromNode === tunnel.fromNode && m.remoteIp === tunnel.remoteIp) ||
      (m.toNode !== undefined && m.toNode === tunnel.fromNode && m.fromNode === tunnel.toNode),
  );
}
