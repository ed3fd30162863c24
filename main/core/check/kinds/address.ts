import { z } from 'zod';
import { placeFields, present } from './fields';
import { stateKind } from './kind';
import { presence, listed, placeName } from './text';
import { namespaceIn } from './read';

export const AddressCheck = z
  .object({
    kind: z.literal('address'),
    ...placeFields,
    interface: z.string().optional(),
    address: z.string().describe('An address, with or without its prefix: 10.0.0.1 or 10.0.0.1/24.'),
    present,
  })
  .strict();

export const addressCheck = stateKind({
  kind: 'address',
  schema: AddressCheck,
  inNamespace: true,
  read(check, snapshot, where) {
    const ns = namespaceIn(snapshot, where);
    const [address, prefix] = check.address.split('/');
    const expected = `${presence(check.present, `address ${check.address}${check.interface ? ` on ${check.interface}` : ''}`)} (${placeName(where)})`;
    const interfaces = ns.interfaces.filter((i) => !check.interface || i.name === check.interface);
    const hit = interfaces.some((i) =>
      i.addresses.some((a) => a.address === address && (prefix === undefined || String(a.prefix) === prefix)),
    );
    const found = interfaces.flatMap((i) =>
      i.addresses.filter((a) => a.family === 'inet').map((a) => `${i.name} ${a.address}/${a.prefix}`),
    );
    return {
      passed: check.present === hit,
      expected,
      found: listed(found, check.interface ? `no IPv4 address on ${check.interface}` : 'no IPv4 address'),
    };
  },
});
