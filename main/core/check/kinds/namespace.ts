import { z } from 'zod';
import { node, present } from './fields';
import { stateKind } from './kind';
import { presence, listed } from './text';

export const NamespaceCheck = z
  .object({
    kind: z.literal('namespace'),
    node,
    name: z.string().min(1).describe('A namespace name; a trailing * matches any suffix (qdhcp-*).'),
    present,
  })
  .strict();

export const namespaceCheck = stateKind({
  kind: 'namespace',
  schema: NamespaceCheck,
  inNamespace: false,
  read(check, snapshot, where) {
    const names = snapshot.namespaces.filter((n) => n.name !== '').map((n) => n.name);
    const wanted = check.name.endsWith('*') ? (n: string) => n.startsWith(check.name.slice(0, -1)) : (n: string) => n === check.name;
    const hit = names.find(wanted);
    return {
      passed: check.present === (hit !== undefined),
      expected: `${presence(check.present, `namespace ${check.name}`)} on ${where.node}`,
      found: `namespaces: ${listed(names, 'none')}`,
    };
  },
});
