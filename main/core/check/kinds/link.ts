import { z } from 'zod';
import { placeFields, present } from './fields';
import { stateKind } from './kind';
import { presence, listed, placeName } from './text';
import { namespaceIn } from './read';

export const LinkCheck = z
  .object({
    kind: z.literal('link'),
    ...placeFields,
    name: z.string().min(1).max(15),
    type: z.string().optional().describe('veth, bridge, tun, openvswitch, … ("" for a plain device).'),
    master: z.string().optional().describe('The Linux bridge (or OVS) it is enslaved to.'),
    up: z.boolean().optional(),
    mtu: z.number().int().optional(),
    present,
  })
  .strict();

export const linkCheck = stateKind({
  kind: 'link',
  schema: LinkCheck,
  inNamespace: true,
  read(check, snapshot, where) {
    const ns = namespaceIn(snapshot, where);
    const link = ns.interfaces.find((i) => i.name === check.name);
    const wants = [
      check.type !== undefined && `type ${check.type || 'plain'}`,
      check.master && `in ${check.master}`,
      check.up !== undefined && (check.up ? 'up' : 'down'),
      check.mtu && `MTU ${check.mtu}`,
    ].filter(Boolean);
    const expected = `${presence(check.present, `link ${check.name}`)}${wants.length ? ` (${wants.join(', ')})` : ''} in ${placeName(where)}`;
    if (!link)
      return {
        passed: !check.present,
        expected,
        found: `links: ${listed(
          ns.interfaces.map((i) => i.name),
          'none',
          12,
        )}`,
      };
    const up = link.flags.includes('UP');
    const ok =
      (check.type === undefined || (link.kind ?? '') === check.type) &&
      (!check.master || link.master === check.master) &&
      (check.up === undefined || up === check.up) &&
      (!check.mtu || link.mtu === check.mtu);
    return {
      passed: check.present === ok,
      expected,
      found: `${link.name}: type ${link.kind ?? 'plain'}${link.master ? `, in ${link.master}` : ', in no bridge'}, ${up ? 'up' : 'down'}, MTU ${link.mtu ?? '?'}`,
    };
  },
});
