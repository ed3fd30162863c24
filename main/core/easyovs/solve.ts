import { compileSelector } from '../check/flow-match';
import type { Check } from '../check/schema';
import { AppError } from '../errors';
import { bridgeFlows, runOvsAction, type OvsTarget } from './actions';
import type { OvsRequest } from './types';

/**
 * `solve` for objectives met by running easyOVS actions: it runs them, as the learner would,
 * in the order the objectives come on each node (an addflow before the delflow that removes its flow).
 */

export type EasyOvsCheck = Extract<Check, { kind: 'easyovs' }>;

/** The actions an objective's check asks for: all of an `all`, the first way of an `any`, none under `not`. */
export function easyOvsChecksOf(check: Check): EasyOvsCheck[] {
  switch (check.kind) {
    case 'easyovs':
      return [check];
    case 'all':
      return check.of.flatMap(easyOvsChecksOf);
    case 'any':
      return check.of[0] ? easyOvsChecksOf(check.of[0]) : [];
    default:
      return [];
  }
}

/** Runs each check's action on its node, in order on each node, the nodes at once; returns what ran, e.g. "delflow br-int 7 on compute1". */
export async function runEasyOvsChecks(checks: readonly EasyOvsCheck[], targetOf: (node: string) => OvsTarget): Promise<string[]> {
  const nodes = [...new Set(checks.map((c) => c.node))];
  const ran = await Promise.all(
    nodes.map(async (node) => {
      const target = targetOf(node);
      const done: string[] = [];
      for (const check of checks.filter((c) => c.node === node)) {
        const request = await requestFor(check, target);
        await runOvsAction(target, request);
        done.push(
          `${[request.action, 'bridge' in request ? request.bridge : undefined, 'ids' in request ? request.ids.join(' ') : undefined, 'addresses' in request ? request.addresses.join(' ') : undefined].filter(Boolean).join(' ')} on ${node}`,
        );
      }
      return done;
    }),
  );
  return ran.flat();
}

async function requestFor(check: EasyOvsCheck, target: OvsTarget): Promise<OvsRequest> {
  const bridge = (): string => {
    if (!check.bridge) throw new AppError('input', `solve cannot run ${check.action} on ${check.node}: the check names no bridge`);
    return check.bridge;
  };
  switch (check.action) {
    case 'list':
      return { action: 'list' };
    case 'show':
    case 'dump':
      return { action: check.action, bridge: bridge() };
    case 'addflow': {
      if (!check.actions) throw new AppError('input', `solve cannot add a flow on ${check.node}: the check gives no actions`);
      const flow = [
        check.table === undefined ? '' : `table=${check.table}`,
        check.priority === undefined ? '' : `priority=${check.priority}`,
        check.match ?? '',
        `actions=${check.actions}`,
      ];
      return { action: 'addflow', bridge: bridge(), flow: flow.filter(Boolean).join(',') };
    }
    case 'delflow': {
      const { rows, ports } = await bridgeFlows(target, bridge());
      const selector = compileSelector(check);
      const chosen = rows.filter((row) => selector.select([row.flow], ports).length > 0);
      if (chosen.length === 0)
        throw new AppError('state', `solve found no flow ${selector.describe()} on ${bridge()} (${check.node}) to delete`);
      return { action: 'delflow', bridge: bridge(), ids: chosen.map((row) => row.id) };
    }
    case 'ipt': {
      const address = check.address ?? target.model.ports.find((p) => p.owner === 'vm' && p.node === check.node)?.address;
      if (!address) throw new AppError('input', `solve cannot run ipt on ${check.node}: no VM there`);
      return { action: 'ipt', addresses: [address] };
    }
  }
}
