import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecipe } from '../../main/core/image/recipe';
import { runCli, testEngine } from './helpers';

/** The node image as a user handles it, and doctor on a machine that can run labs. */

const dir = mkdtempSync(join(tmpdir(), 'image-'));
const tag = readRecipe().tag;

describe('image', () => {
  it('status reports the image this version needs', async () => {
    const result = await runCli(['image', 'status', '--json']);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status).toMatchObject({ tag, present: true });
    expect(status.image.sizeBytes).toBeLessThanOrEqual(200 * 1024 * 1024);
  });

  it('build is a no-op while the recipe is unchanged', async () => {
    const result = await runCli(['image', 'build', '--json']);
    expect(result.code).toBe(0);
    // No builder ran: the result names only the tag and the moment it took.
    expect(JSON.parse(result.stdout)).toEqual({ tag, seconds: expect.any(Number) });
  });

  it('export writes a compressed file that import loads back', async () => {
    const file = join(dir, 'node.tar.gz');
    const exported = await runCli(['image', 'export', file, '--json']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ file });
    expect(statSync(file).size).toBeGreaterThan(20 * 1024 * 1024);
    const imported = await runCli(['image', 'import', file, '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ tags: [tag] });
  }, 120_000);

  it('import refuses files that are not the image this version needs', async () => {
    const garbage = join(dir, 'garbage.tar');
    writeFileSync(garbage, 'not an image');
    const bad = await runCli(['image', 'import', garbage]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a Docker image archive');

    const { docker } = await testEngine();
    const other = 'neutron-lab/node:000000000000';
    await docker.getImage(tag).tag({ repo: 'neutron-lab/node', tag: '000000000000' });
    try {
      const file = join(dir, 'other.tar');
      const { pipeline } = await import('node:stream/promises');
      const { createWriteStream } = await import('node:fs');
      await pipeline((await docker.getImage(other).get()) as NodeJS.ReadableStream, createWriteStream(file));
      const wrong = await runCli(['image', 'import', file]);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain(`holds ${other}, not ${tag}`);
    } finally {
      await docker
        .getImage(other)
        .remove({ noprune: true })
        .catch(() => undefined);
    }
    expect((await runCli(['image', 'import', join(dir, 'missing.tar')])).code).toBe(2);
  }, 120_000);
});

describe('doctor', () => {
  it('proves every kernel feature in a real node and says the machine is ready', async () => {
    const result = await runCli(['doctor', '--json']);
    const report = JSON.parse(result.stdout);
    const byId = Object.fromEntries(report.checks.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(byId).toMatchObject({
      engine: 'ok',
      image: 'ok',
      links: 'ok',
      tun: 'ok',
      netns: 'ok',
      veth: 'ok',
      iptables: 'ok',
      'br-netfilter': 'ok',
      ovs: 'ok',
    });
    expect(report.ok).toBe(true);
    expect(result.code).toBe(0);
    // The probe node is gone again (a removal that failed three times would be reported here).
    expect(report.checks.find((c: { id: string }) => c.id === 'cleanup')).toBeUndefined();
    const status = JSON.parse((await runCli(['status', '--json'])).stdout);
    expect(status.sessions.filter((s: { name: string }) => s.name.startsWith('doctor-'))).toEqual([]);
  });

  it('fails with exit 3 and the fix when the engine is unreachable', async () => {
    const result = await runCli(['doctor'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/FAIL {2}Docker engine: Cannot reach/);
    expect(result.stdout).toContain('fix: Start the Docker engine');
  });
});
