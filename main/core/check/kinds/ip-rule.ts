import { z } from 'zod';
import { placeFields, present } from './fields';
import { stateKind } from './kind';
import { presence, listed, placeName } from './text';
import { namespaceIn } from './read';

export const IpRuleCheck = z
  .object({
    kind: z.literal('ip-rule'),
    ...placeFields,
    table: z.union([z.number().int(), z.string()]),
    from: z.string().optional(),
    to: z.string().optional(),
    priority: z.number().int().optional(),
    present,
  })
  .strict();

export const ipRuleCheck = stateKind({
  kind: 'ip-rule',
  schema: IpRuleCheck,
  inNamespace: true,
  read(check, snapshot, where) {
    const ns = namespaceIn(snapshot, where);
    const rules = ns.rules;
    const hit = rules.some(
      (r) =>
        r.table === String(check.table) &&
        (!check.from || r.from === check.from) &&
        (!check.to || r.to === check.to) &&
        (check.priority === undefined || r.priority === check.priority),
    );
    const expected = `${presence(check.present, `ip rule${check.from ? ` from ${check.from}` : ''}${check.to ? ` to ${check.to}` : ''} lookup ${check.table}`)} (${placeName(where)})`;
    return {
      passed: check.present === hit,
      expected,
      found: listed(
        rules.map((r) => `${r.priority}: from ${r.from}${r.to ? ` to ${r.to}` : ''} lookup ${r.table ?? r.action ?? '?'}`),
        'no rules',
      ),
    };
  },
});
