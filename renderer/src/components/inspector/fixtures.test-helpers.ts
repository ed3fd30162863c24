import type { Action, Flow, MatchField } from '../../../../main/api/view';

/** A Flow as the parser would give it, from its table, priority, match and action texts. */
export function flow(
  table: number,
  priority: number,
  match: string,
  actions: string[],
  counters: { packets?: number; bytes?: number; duration?: number } = {},
): Flow {
  const fields: MatchField[] = match
    ? match.split(',').map((part) => {
        const [name, rest] = part.split('=') as [string, string | undefined];
        if (rest === undefined) return { name };
        const [value, mask] = rest.split('/') as [string, string | undefined];
        return { name, value, ...(mask === undefined ? {} : { mask }) };
      })
    : [];
  return {
    table,
    priority,
    flags: [],
    match: fields,
    actions: actions.map((text): Action => ({ type: 'unknown', name: text, text })),
    text: `table=${table}, priority=${priority}${match ? `,${match}` : ''} actions=${actions.join(',')}`,
    line: 1,
    ...counters,
  };
}
