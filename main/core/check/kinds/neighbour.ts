import { z } from 'zod';
import { Ipv4Schema } from '../../topology/schema';
import { placeFields, present } from './fields';
import { stateKind } from './kind';
import { presence, listed, placeName } from './text';
import { namespaceIn } from './read';

export const NeighbourCheck = z
  .object({
    kind: z.literal('neighbour'),
    ...placeFields,
    address: Ipv4Schema,
    mac: z.string().optional(),
    present,
  })
  .strict();

export const neighbourCheck = stateKind({
  kind: 'neighbour',
  schema: NeighbourCheck,
  inNamespace: true,
  read(check, snapshot, where) {
    const ns = namespaceIn(snapshot, where);
    const neighbours = ns.neighbours.filter((n) => n.mac);
    const hit = neighbours.some((n) => n.address === check.address && (!check.mac || n.mac?.toLowerCase() === check.mac.toLowerCase()));
    const expected = `${presence(check.present, `neighbour ${check.address}${check.mac ? ` at ${check.mac}` : ''}`)} (${placeName(where)})`;
    return {
      passed: check.present === hit,
      expected,
      found: listed(
        neighbours.map((n) => `${n.address} ${n.mac}`),
        'no neighbours',
      ),
    };
  },
});
