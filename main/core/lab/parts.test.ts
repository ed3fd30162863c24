import { describe, expect, it } from 'vitest';
import { renderCloud } from '../cloud/render';
import { readCatalog } from './catalog';
import { selectorKey, SUBJECTS } from './parts';

/** Part kinds about one named object: the table the steps' selectors use agrees with what the cloud renders. */

describe('part subjects', () => {
  it('names a subject exactly for the kinds the renderer gives one, in every catalogue lab', async () => {
    const { labs } = await readCatalog();
    const seen = new Set<string>();
    for (const { lab } of labs) {
      for (const part of renderCloud(lab).parts) {
        expect(part.ref.subject !== undefined, `${lab.id}: ${part.key}`).toBe(SUBJECTS[part.ref.kind] !== undefined);
        seen.add(part.ref.kind);
        // A subject part's key is found again from its kind and name alone, on its node.
        if (part.ref.subject !== undefined)
          expect(selectorKey(lab, { part: part.ref.kind, name: part.ref.subject, node: part.ref.node })).toEqual({ key: part.key });
      }
    }
    expect(seen.size).toBeGreaterThan(10);
  });

  it('infers the node of a named part, and says what is missing otherwise', async () => {
    const { labs } = await readCatalog();
    const lab = labs.find((l) => l.lab.id === 'gre-tenant')!.lab;
    const vm = Object.keys(lab.cloud.vms)[0]!;
    expect(selectorKey(lab, { part: 'vm', name: vm })).toEqual({ key: `${lab.cloud.vms[vm]!.node}/vm/${vm}` });
    expect(selectorKey(lab, { part: 'security-group' })).toEqual({ problem: 'a security-group part needs a name (which VM)' });
    expect(selectorKey(lab, { part: 'dhcp' })).toEqual({ problem: 'a dhcp part needs a name (which network)' });
    expect(selectorKey(lab, { part: 'tunnel-flows', name: 'x' })).toEqual({
      problem: 'a tunnel-flows part is about a whole node: give node, not name',
    });
    expect(selectorKey(lab, { part: 'tunnel-flows' })).toEqual({ problem: 'say which node the tunnel-flows part is on' });
    const dvr = labs.find((l) => l.lab.id === 'dvr')!.lab;
    const distributed = Object.entries(dvr.cloud.routers).find(([, r]) => r.distributed)![0];
    expect(selectorKey(dvr, { part: 'router', name: distributed })).toEqual({
      problem: `router "${distributed}" is distributed, on several nodes: say which node`,
    });
  });
});
