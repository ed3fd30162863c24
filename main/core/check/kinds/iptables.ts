import { z } from 'zod';
import { matchingRules } from '../../inspect/iptables/match';
import { formatRule } from '../../inspect/iptables/format';
import { namespace, node, present } from './fields';
import { stateKind } from './kind';
import { presence, listed, placeName } from './text';
import { namespaceIn } from './read';

export const IptablesCheck = z
  .object({
    kind: z.literal('iptables'),
    node,
    namespace: namespace.optional(),
    table: z.enum(['filter', 'nat', 'mangle', 'raw']).default('filter'),
    chain: z.string().min(1),
    rule: z.string().optional().describe('Words the rule must contain, in iptables-save form: "-p tcp -m tcp --dport 22 -j RETURN".'),
    present,
  })
  .strict();

export const iptablesCheck = stateKind({
  kind: 'iptables',
  schema: IptablesCheck,
  inNamespace: true,
  read(check, snapshot, where) {
    const ns = namespaceIn(snapshot, where);
    const chain = ns.iptables.tables.find((t) => t.name === check.table)?.chains.find((c) => c.name === check.chain);
    const what = check.rule ? `a rule "${check.rule}" in ${check.table}/${check.chain}` : `chain ${check.table}/${check.chain}`;
    const expected = `${presence(check.present, what)} (${placeName(where)})`;
    if (!chain) return { passed: !check.present, expected, found: `no chain ${check.chain} in table ${check.table}` };
    if (!check.rule) return { passed: check.present, expected, found: `chain ${check.chain} with ${chain.rules.length} rules` };
    const hit = matchingRules(chain, check.rule)[0];
    return {
      passed: check.present === (hit !== undefined),
      expected,
      found: hit ? formatRule(hit) : listed(chain.rules.map(formatRule), `chain ${check.chain} is empty`, 8),
    };
  },
});
