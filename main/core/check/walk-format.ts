import { hopPlace } from '../capture/format';
import type { FollowResult } from '../capture/types';
import { describeTrace } from '../inspect/trace/format';
import type { WalkLeg, WalkResult } from './walk-types';

/**
 * A walk as people read it, the same in the CLI and the app: each leg titled by where it is and
 * how the packet got there, then the trace's tables or the iptables rules met. Pure: the UI
 * imports it (main/api/view.ts).
 */

export interface DescribedLeg {
  /** "on compute1, br-int", "GRE key 0x1 from 10.0.0.101, on network, br-tun", "on compute1, crossing qbr… (tap… → qvb…), iptables". */
  title: string;
  /** The trace as `describeTrace` prints it, or the rules met and the verdict. */
  body: string;
}

export function describeWalkLeg(leg: WalkLeg): DescribedLeg {
  if (leg.kind === 'iptables') {
    const verdict = `→ ${leg.verdict}${leg.reason ? `: ${leg.reason}` : ''}`;
    return {
      title: `on ${leg.node}, crossing ${leg.bridge} (${leg.crossing}), iptables`,
      body: `${[...leg.steps.map((s) => s.rule), verdict].join('\n')}\n`,
    };
  }
  if (leg.kind === 'router') {
    const route = leg.out ? `routed out of ${leg.out}${leg.via ? ` via ${leg.via}` : ''}` : `${leg.verdict}: ${leg.reason ?? ''}`;
    return {
      title: `on ${leg.node}, in ${leg.namespace} by ${leg.in}`,
      body: `${[...leg.steps.map((s) => `${s.table}: ${s.rule}`), ...leg.changes, route].join('\n')}\n`,
    };
  }
  return { title: `${leg.arrivedBy ? `${leg.arrivedBy}, ` : ''}on ${leg.node}, ${leg.bridge}`, body: describeTrace(leg.trace) };
}

/** The whole walk as the CLI prints it. */
export function describeWalk(walk: WalkResult): string {
  const legs = walk.legs.map(describeWalkLeg).map((leg) => `${leg.title}:\n${leg.body.replace(/^(?=.)/gm, '  ')}`);
  return `${legs.join('\n')}\nends: ${walk.verdict}\n`;
}

/**
 * Where a walk (what the flows and rules say) and a follow of the same packet (what was seen)
 * disagree: the walk ends dropped but an answer came back, or it gets through and none did.
 * A walk that could not evaluate a rule says nothing either way.
 */
export type WalkDisagreement = { walkSays: 'dropped'; verdict: string } | { walkSays: 'through'; verdict: string; lastSeen?: string };

export function walkDisagreement(walk: WalkResult, follow: FollowResult): WalkDisagreement | undefined {
  const same = walk.from === follow.from && walk.to === follow.to && walk.proto === follow.proto && walk.port === follow.port;
  if (!same || walk.legs.some((leg) => leg.kind !== 'ovs' && leg.verdict === 'unknown')) return undefined;
  if (walk.dropped && follow.answered) return { walkSays: 'dropped', verdict: walk.verdict };
  if (!walk.dropped && !follow.answered) {
    const last = follow.hops.filter((hop) => hop.direction === 'request').at(-1);
    return {
      walkSays: 'through',
      verdict: walk.verdict,
      ...(last ? { lastSeen: hopPlace(last.where) } : {}),
    };
  }
  return undefined;
}
