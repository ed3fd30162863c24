import { afterAll, describe, expect, it } from 'vitest';
import { resolveLab } from '../../main/core/lab/catalog';
import { addressPool } from '../../main/core/session/address-pool';
import { up } from '../../main/core/session/boot';
import { listSessions } from '../../main/core/session/sessions';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { objectsOfSession, testEngine, uniqueName } from './helpers';

/**
 * How many labs one machine holds, and what it says when it holds no more.
 *
 * Lab networks come from the app's address pool, not Docker's: a block in use (by anything on
 * the engine) is skipped, a used-up pool is a clear error with nothing left behind, and `up`s
 * at once never take the same block. Each test has a pool of its own, off the default range
 * that the other test files use.
 */

const names: string[] = [];
const blockers: string[] = [];
afterAll(async () => {
  const engine = await testEngine();
  await Promise.all(names.map((name) => removeSessionsNamed(engine, name)));
  await Promise.all(
    blockers.map((name) =>
      engine.docker
        .getNetwork(name)
        .remove()
        .catch(() => undefined),
    ),
  );
});

/** The subnet of each Docker network of a session. */
async function subnetsOf(name: string): Promise<string[]> {
  const { docker } = await testEngine();
  const { networks } = await objectsOfSession(name);
  return Promise.all(
    networks.map(
      async (n) => ((await docker.getNetwork(n).inspect()) as { IPAM: { Config: { Subnet: string }[] } }).IPAM.Config[0]!.Subnet,
    ),
  );
}

describe('admission by memory', () => {
  it('refuses a lab the machine cannot hold before making anything of it', async () => {
    const engine = await testEngine();
    const name = uniqueName('memory');
    names.push(name);
    await expect(
      up(engine, await resolveLab('gre-tenant'), { name, reconcile: false, memoryAvailableBytes: 300 * 1024 * 1024 }),
    ).rejects.toThrow('Not enough memory for another lab: its 2 nodes need about 128 MB and the machine has 300 MB available');
    expect(await objectsOfSession(name)).toEqual({ containers: [], networks: [] });
  });
});

describe('address pool', () => {
  it('skips a block another network holds, and says so when the pool is used up, leaving nothing', async () => {
    const engine = await testEngine();
    const loaded = await resolveLab('gre-tenant');
    const pool = addressPool({ NEUTRON_LAB_ADDRESS_POOL: '10.214.64.0/25' });
    const blocker = uniqueName('pool-blocker');
    blockers.push(blocker);
    await engine.docker.createNetwork({ Name: blocker, IPAM: { Driver: 'default', Config: [{ Subnet: '10.214.64.0/27' }] } });

    const first = uniqueName('pool-a');
    names.push(first);
    await up(engine, loaded, { name: first, pool, reconcile: false });
    expect(await subnetsOf(first)).toEqual(['10.214.64.64/26']);

    const second = uniqueName('pool-b');
    names.push(second);
    await expect(up(engine, loaded, { name: second, pool, reconcile: false })).rejects.toThrow(
      /The address pool 10\.214\.64\.0\/25 has no free \/26 left for network nl-it-pool-b-[0-9a-f]+-data/,
    );
    expect(await objectsOfSession(second)).toEqual({ containers: [], networks: [] });
    expect((await listSessions(engine)).map((s) => s.name)).not.toContain(second);
  });

  it('gives labs booted at once a block each', async () => {
    const engine = await testEngine();
    const loaded = await resolveLab('gre-tenant');
    const pool = addressPool({ NEUTRON_LAB_ADDRESS_POOL: '10.214.128.0/24' });
    const batch = [0, 1, 2, 3].map((i) => uniqueName(`pool-${i}`));
    names.push(...batch);
    await Promise.all(batch.map((name) => up(engine, loaded, { name, pool, reconcile: false })));
    const subnets = (await Promise.all(batch.map(subnetsOf))).flat();
    expect(subnets.sort()).toEqual(['10.214.128.0/26', '10.214.128.128/26', '10.214.128.192/26', '10.214.128.64/26']);
  });
});
