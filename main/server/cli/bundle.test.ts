import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../core/paths';

/**
 * The compiled CLI as `npm install` leaves it and as a checkout moves on: built by
 * scripts/build-cli.mjs, run by bin/neutron-lab.mjs, rebuilt by the bin when a source changed.
 * In a copy of the checkout, so rebuilding never races the other tests' use of out/cli.
 */

let checkout: string;
const bundle = () => join(checkout, 'out', 'cli', 'main.mjs');
const meta = () => JSON.parse(readFileSync(join(checkout, 'out', 'cli', 'meta.json'), 'utf8')) as { startedAt: number; inputs: string[] };

function run(script: string, args: string[] = []) {
  const result = spawnSync(process.execPath, [join(checkout, script), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  checkout = mkdtempSync(join(tmpdir(), 'nl-cli-bundle-'));
  for (const part of ['bin', 'scripts', 'main', 'labs', 'resources', 'package.json', 'tsconfig.json', 'tsconfig.base.json']) {
    cpSync(join(appRoot(), part), join(checkout, part), { recursive: true });
  }
  symlinkSync(join(appRoot(), 'node_modules'), join(checkout, 'node_modules'), 'dir');
}, 120_000);
afterAll(() => rmSync(checkout, { recursive: true, force: true }));

// Each step starts Node and may run esbuild: seconds on a loaded machine.
describe('the compiled CLI', { timeout: 120_000 }, () => {
  it('builds from the sources into out/cli, listing what went in', () => {
    const built = run('scripts/build-cli.mjs');
    expect(built.stderr).toMatch(/^Built the CLI into out\/cli/);
    expect(built.code).toBe(0);
    expect(meta().inputs).toContain('main/server/cli/main.ts');
    // Packages count through npm's record of what it installed, not file by file.
    expect(meta().inputs.filter((input) => input.startsWith('node_modules/'))).toEqual(['node_modules/.package-lock.json']);
    // Plain JavaScript: no TypeScript loader needed, none referenced.
    expect(readFileSync(bundle(), 'utf8')).not.toMatch(/tsx|\.ts["']/);
  });

  it('runs --version and labs --json without rebuilding', () => {
    const before = meta().startedAt;
    const version = run('bin/neutron-lab.mjs', ['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')).version);
    const labs = run('bin/neutron-lab.mjs', ['labs', '--json']);
    expect(labs).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(labs.stdout).labs.map((lab: { id: string }) => lab.id)).toContain('gre-tenant');
    expect(meta().startedAt).toBe(before);
  });

  it('loads a command only with what it needs', () => {
    // What importing a file of the bundle loads: the file and its static imports, transitively.
    const IMPORT = /^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"|^import\s*"([^"]+)"/gm;
    const specifiersIn = (file: string) => [...readFileSync(file, 'utf8').matchAll(IMPORT)].map(([, from, bare]) => (from ?? bare)!);
    const loadedWith = (file: string, seen = new Set<string>()): Set<string> => {
      if (seen.has(file)) return seen;
      seen.add(file);
      for (const spec of specifiersIn(file)) if (spec.startsWith('.')) loadedWith(join(dirname(file), spec), seen);
      return seen;
    };
    // The packages it imports from node_modules, and the sources in it (by the comments esbuild leaves).
    const packagesOf = (file: string) =>
      new Set([...loadedWith(file)].flatMap((f) => specifiersIn(f).filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:'))));
    const sourcesOf = (file: string) =>
      new Set(
        [...loadedWith(file)].flatMap((f) =>
          [...readFileSync(f, 'utf8').matchAll(/^\/\/ ((?:main|node_modules)\/\S+)$/gm)].map(([, source]) => source!),
        ),
      );
    const chunkOf = (command: string) => {
      const chunk = new RegExp(`import\\("(\\./chunks/${command}-[^"]+)"\\)`).exec(readFileSync(bundle(), 'utf8'))?.[1];
      expect(chunk, `the chunk of ${command}`).toBeDefined();
      return join(dirname(bundle()), chunk!);
    };
    // --version: the entry alone (commander is bundled into it); no package from node_modules.
    expect([...packagesOf(bundle())]).toEqual([]);
    // labs reads lab files: no Docker client. The engine module has it, loaded when a command
    // first asks for the engine; dockerode is bundled into it.
    expect([...packagesOf(chunkOf('labs'))]).toEqual([]);
    // up boots the lab the kept catalogue holds, already checked: neither the YAML parser nor zod
    // nor the lab's schemas load (a lab file given by path loads them when it is read).
    const up = [...sourcesOf(chunkOf('session'))];
    expect(up).toContain('main/core/run/start.ts');
    expect(up.filter((source) => /^node_modules\/(yaml|zod)\/|^main\/core\/(lab|check|cloud)\/schema\.ts$/.test(source))).toEqual([]);
    const chunks = join(dirname(bundle()), 'chunks');
    const engine = readdirSync(chunks).filter((name) => readFileSync(join(chunks, name), 'utf8').includes('// main/core/docker/engine.ts'));
    expect(engine).toHaveLength(1);
    expect([...packagesOf(join(chunks, engine[0]!))]).toEqual([]);
    // Loading it loads nothing from node_modules: dockerode's BuildKit sessions (gRPC,
    // protobufjs) and docker-modem's ssh:// transport (ssh2) wait for their first call.
    const loaded = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module';
         await import(${JSON.stringify(join(chunks, engine[0]!))});
         console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(loaded.stderr).toBe('');
    expect((JSON.parse(loaded.stdout) as string[]).filter((file) => file.includes('node_modules'))).toEqual([]);
  });

  it('loads the ssh:// transport on its first use', () => {
    const result = spawnSync(process.execPath, [join(checkout, 'bin/neutron-lab.mjs'), 'status'], {
      encoding: 'utf8',
      timeout: 60_000,
      // Nothing listens on port 1: ssh2's client, loaded now, is refused.
      env: { ...process.env, DOCKER_HOST: 'ssh://nobody@127.0.0.1:1' },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Cannot reach the Docker engine at ssh://nobody@127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1');
    expect(result.stderr).not.toMatch(/Cannot find module/);
  });

  it('is rebuilt by the bin when a source changed, and then runs the new code', () => {
    const before = meta().startedAt;
    const main = join(checkout, 'main', 'server', 'cli', 'main.ts');
    const source = readFileSync(main, 'utf8');
    const edited = source.replace(
      "'Learn how OpenStack Neutron moves packets",
      "'Edited after the build: learn how OpenStack Neutron moves packets",
    );
    expect(edited).not.toBe(source);
    writeFileSync(main, edited);
    const help = run('bin/neutron-lab.mjs', ['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Edited after the build');
    expect(meta().startedAt).toBeGreaterThan(before);
  });

  it('says which source does not build, and runs nothing', () => {
    const main = join(checkout, 'main', 'server', 'cli', 'main.ts');
    const source = readFileSync(main, 'utf8');
    writeFileSync(main, `${source}\nexport const broken = ;\n`);
    try {
      const result = run('bin/neutron-lab.mjs', ['--help']);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('neutron-lab: cannot build the CLI (main/server/cli/main.ts changed)');
      expect(result.stderr).toMatch(/main\/server\/cli\/main\.ts:\d+:\d+/);
    } finally {
      writeFileSync(main, source);
    }
  });

  it('is built by the bin when missing', () => {
    rmSync(join(checkout, 'out'), { recursive: true });
    // --version alone answers from package.json, bundle or not.
    expect(run('bin/neutron-lab.mjs', ['--version'])).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(bundle())).toBe(false);
    const help = run('bin/neutron-lab.mjs', ['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: neutron-lab');
    expect(existsSync(bundle())).toBe(true);
  });
});
