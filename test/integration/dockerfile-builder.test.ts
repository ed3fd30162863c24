import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execArgv } from '../../main/core/docker/exec';
import { LABEL } from '../../main/core/docker/labels';
import { buildWithDockerfile } from '../../main/core/image/dockerfile-builder';
import { bootstrapRootfs, importRootfs, inBuildFolder } from '../../main/core/image/offline-builder';
import { readRecipe } from '../../main/core/image/recipe';
import { resolveLab } from '../../main/core/lab/catalog';
import type { ProgressEvent } from '../../main/core/progress';
import { nodeContainerOptions, planSession } from '../../main/core/session/plan';
import { testEngine, waitFor } from './helpers';

/**
 * The Dockerfile builder, which online machines use. No registry answers here, so the test
 * supplies Debian bookworm itself (an mmdebstrap minbase, as the registry's image would be)
 * through the Dockerfile's BASE_IMAGE argument; apt inside the build still fetches from Debian.
 */

const BASE = 'neutron-lab-test/debian-base:bookworm';
const TAG = 'neutron-lab-test/node:dockerfile';
const recipe = readRecipe();

beforeAll(async () => {
  const engine = await testEngine();
  // The base is a fixture, kept between runs like the node image: only the build is under test.
  const made = await engine.docker
    .getImage(BASE)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (made) return;
  await inBuildFolder('test-base', async ({ rootfs, logPath }) => {
    await bootstrapRootfs({ rootfs, packages: [], logPath });
    // Trimmed like the registry's slim image: no package cache, lists, docs or translations.
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/locale']) {
      await rm(join(rootfs, dir), { recursive: true, force: true });
      await mkdir(join(rootfs, dir), { recursive: true });
    }
    await mkdir(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
    await importRootfs(engine, rootfs, BASE, ['CMD ["bash"]']);
  });
}, 300_000);

afterAll(async () => {
  const { docker } = await testEngine();
  await docker
    .getImage(TAG)
    .remove({ force: true })
    .catch(() => undefined);
});

describe('the Dockerfile builder', () => {
  it('builds the node image from the same package list, with progress', async () => {
    const engine = await testEngine();
    const events: ProgressEvent[] = [];
    await buildWithDockerfile({ engine, recipe, baseImage: BASE, tag: TAG, onProgress: (e) => events.push(e) });
    expect(events.some((e) => /^step \d+\/\d+$/.test(e.stage))).toBe(true);
    expect(events.at(-1)).toMatchObject({ stage: 'done', percent: 100 });

    const image = await engine.docker.getImage(TAG).inspect();
    expect(image.Config.Labels).toMatchObject({ [LABEL.recipe]: recipe.hash, [LABEL.builder]: 'dockerfile' });
    expect(image.Size).toBeLessThanOrEqual(200 * 1024 * 1024);
  }, 300_000);

  it('makes a node that boots, runs OVS and has every package of the list', async () => {
    const engine = await testEngine();
    const plan = planSession({
      lab: (await resolveLab('ovs-basics')).lab,
      name: 'it-dockerfile',
      id: 'dockerfile',
      image: TAG,
      owner: 'test:0',
    });
    const container = await engine.docker.createContainer({
      ...nodeContainerOptions(plan, plan.nodes[0]!, new Map()),
      name: `it-dockerfile-${Date.now()}`,
    });
    try {
      await container.start();
      const logs = async () => ((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer | Readable).toString();
      await waitFor(async () => (await logs()).includes('neutron-lab: ready'), 30_000, 50);
      expect(
        (await execArgv(container, ['ovs-vsctl', 'add-br', 'br0', '--', 'set', 'bridge', 'br0', 'datapath_type=netdev'])).exitCode,
      ).toBe(0);
      const installed = await execArgv(container, ['dpkg-query', '-W', '-f', '${Package} ${db:Status-Status}\\n', ...recipe.packages]);
      expect(installed.exitCode).toBe(0);
      for (const name of recipe.packages) expect(installed.stdout).toContain(`${name} installed`);
    } finally {
      await container.remove({ force: true });
    }
  });
});
