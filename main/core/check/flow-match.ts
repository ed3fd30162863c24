import { parseFlowDump } from '../inspect/flows/parse';
import type { Flow } from '../inspect/flows/types';
import { matchIncludes, normalizeActions, normalizeMatch, type PortMap } from '../inspect/flows/normalize';
import { AppError } from '../errors';

/**
 * Selecting flows by meaning: the table, priority, match fields (a subset, compared after
 * normalising spellings and port numbers) and actions (the same meaning) a check names.
 */

export interface FlowSelector {
  table?: number | undefined;
  priority?: number | undefined;
  match?: string | undefined;
  actions?: string | undefined;
  learned?: boolean | undefined;
}

export interface CompiledSelector {
  select(flows: readonly Flow[], ports: PortMap): Flow[];
  describe(): string;
}

export function compileSelector(selector: FlowSelector): CompiledSelector {
  const match = selector.match ? readMatch(selector.match) : undefined;
  const actions = selector.actions ? readActions(selector.actions) : undefined;
  return {
    select(flows, ports) {
      const wantedMatch = match ? normalizeMatch(match, ports) : undefined;
      const wantedActions = actions ? JSON.stringify(normalizeActions(actions, ports)) : undefined;
      return flows.filter(
        (flow) =>
          (selector.table === undefined || flow.table === selector.table) &&
          (selector.priority === undefined || flow.priority === selector.priority) &&
          (selector.learned === undefined || (flow.hardTimeout !== undefined) === selector.learned) &&
          (!wantedMatch || matchIncludes(normalizeMatch(flow.match, ports), wantedMatch)) &&
          (wantedActions === undefined || JSON.stringify(normalizeActions(flow.actions, ports)) === wantedActions),
      );
    },
    describe() {
      const parts = [
        selector.table === undefined ? undefined : `table=${selector.table}`,
        selector.priority === undefined ? undefined : `priority=${selector.priority}`,
        selector.match,
        selector.learned ? '(learned)' : undefined,
      ].filter(Boolean);
      return `${parts.join(',') || 'any flow'}${selector.actions ? ` actions=${selector.actions}` : ''}`;
    },
  };
}

function readMatch(text: string): Flow['match'] {
  // A match copied from a dump may carry table= or priority=; the check has fields for those.
  const misplaced = /(?:^|,)\s*(table|priority)\s*=/.exec(text)?.[1];
  if (misplaced) throw new AppError('input', `"${misplaced}=" belongs in the check's own "${misplaced}" field, not in the match "${text}"`);
  try {
    return only(parseFlowDump(`${text} actions=drop`, 'match')).match;
  } catch (error) {
    throw new AppError('input', `Cannot read the flow match "${text}": ${(error as Error).message}`);
  }
}

function readActions(text: string): Flow['actions'] {
  try {
    return only(parseFlowDump(`actions=${text}`, 'actions')).actions;
  } catch (error) {
    throw new AppError('input', `Cannot read the flow actions "${text}": ${(error as Error).message}`);
  }
}

function only(dump: { flows: Flow[] }): Flow {
  const flow = dump.flows[0];
  if (!flow || dump.flows.length !== 1) throw new Error('not one flow');
  return flow;
}
