import { z } from 'zod';
import { Ipv4Schema } from '../../topology/schema';
import { placeFields, present } from './fields';
import { stateKind } from './kind';
import { presence, listed, placeName } from './text';
import { namespaceIn } from './read';

export const RouteCheck = z
  .object({
    kind: z.literal('route'),
    ...placeFields,
    to: z.string().describe('"default" or a prefix like 10.0.0.0/24.'),
    via: Ipv4Schema.optional(),
    dev: z.string().optional(),
    table: z.union([z.number().int(), z.string()]).optional(),
    present,
  })
  .strict();

export const routeCheck = stateKind({
  kind: 'route',
  schema: RouteCheck,
  inNamespace: true,
  read(check, snapshot, where) {
    const ns = namespaceIn(snapshot, where);
    const table = check.table === undefined ? 'main' : String(check.table);
    const routes = ns.routes.filter((r) => r.table === table && r.type === 'unicast');
    const hit = routes.some(
      (r) => r.destination === check.to && (!check.via || r.gateway === check.via) && (!check.dev || r.device === check.dev),
    );
    const expected = `${presence(check.present, `route ${check.to}${check.via ? ` via ${check.via}` : ''}${check.dev ? ` dev ${check.dev}` : ''} in table ${table}`)} (${placeName(where)})`;
    return {
      passed: check.present === hit,
      expected,
      found: listed(
        routes.map((r) => `${r.destination}${r.gateway ? ` via ${r.gateway}` : ''}${r.device ? ` dev ${r.device}` : ''}`),
        `no routes in table ${table}`,
      ),
    };
  },
});
