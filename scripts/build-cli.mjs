// The CLI, bundled to plain JavaScript in out/cli/, so `neutron-lab` starts without compiling
// TypeScript. Run as `node scripts/build-cli.mjs` (npm's `prepare` does, so `npm install` and
// `npm ci` leave a built CLI); bin/neutron-lab.mjs imports it to rebuild a missing or stale
// bundle, so a checkout keeps working after edits and merges.
//
// Each command's module is a chunk of its own, loaded only when that command runs (see
// main/server/cli/commands/index.ts): `--version` loads the entry chunk and commander only.
// The pure-JavaScript packages (commander, zod, yaml, ws, cli-progress) are bundled too: Node
// then resolves and reads a few files instead of hundreds, which halves what loading `up` costs.
// So are dockerode and docker-modem, but three of their files stay in node_modules and load on first use (see
// loadOnFirstCall): they load gRPC, protobufjs and ssh2 (a fifth of a CLI call's CPU) for
// BuildKit and ssh:// engines, which most commands never touch. Electron stays in node_modules.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = 'main/server/cli/main.ts';
export const OUT_DIR = join(ROOT, 'out', 'cli');
export const ENTRY_FILE = join(OUT_DIR, 'main.mjs');
const META_FILE = join(OUT_DIR, 'meta.json');
const CHUNKS = 'chunks';
/** How long an unused chunk stays: longer than any command takes to load its chunks. */
const CHUNK_GRACE_MS = 10 * 60_000;
const EXTERNAL = ['electron'];
/** Files of bundled packages that load from node_modules on first call: [importer, specifier, the file]. */
const LAZY = [
  ['dockerode/lib/docker.js', './session', 'dockerode/lib/session.js'],
  ['docker-modem/lib/modem.js', './ssh', 'docker-modem/lib/ssh.js'],
];

/**
 * Each LAZY file becomes a function that requires the real one when first called (both export
 * one function). The real file is external: Node loads it, with what it requires, only then.
 * dockerode requires its BuildKit code inside the one method that uses it, so that file only
 * needs to stay external (it reads .proto files beside itself).
 */
const loadOnFirstCall = {
  name: 'load-on-first-call',
  setup(build) {
    build.onResolve({ filter: /^\.\/buildkit$/ }, (args) =>
      args.importer.split('\\').join('/').endsWith('/node_modules/dockerode/lib/docker.js')
        ? { path: 'dockerode/lib/buildkit.js', external: true }
        : undefined,
    );
    build.onResolve({ filter: /^\.\/(session|ssh)$/ }, (args) => {
      // By the end of the path: node_modules may be a link (as in a copy of the checkout).
      const importer = args.importer.split('\\').join('/');
      const lazy = LAZY.find(([from, specifier]) => importer.endsWith(`/node_modules/${from}`) && specifier === args.path);
      return lazy ? { path: lazy[2], namespace: 'load-on-first-call' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'load-on-first-call' }, (args) => ({
      contents: `let real;\nmodule.exports = function (...args) {\n  real ??= require(${JSON.stringify(args.path)});\n  return real.apply(this, args);\n};\n`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^(dockerode|docker-modem)\/lib\/(session|ssh)\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};
/**
 * zod re-exports its 40-odd error-message locales as a namespace, which bundling cannot prune:
 * they were 368 kB of the 821 kB chunk every command that validates loads and compiles. Nothing
 * here sets a locale; zod configures its English one itself, by its own import of en.js.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.split('\\').join('/').includes('/node_modules/zod/')
        ? { path: 'zod-locales', namespace: 'zod-english-only' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';\n",
      loader: 'js',
      resolveDir: ROOT,
    }));
  },
};
/** npm rewrites it on every install, ci and update: a changed dependency means a rebuild. */
const INSTALLED = 'node_modules/.package-lock.json';

/**
 * Why the bundle must be (re)built, or undefined when it is current. Current means: every
 * source file that went into it (listed in meta.json by the build) is unchanged since the build
 * started, and so are this script and npm's record of the installed packages. A source file that nothing bundled imports cannot matter
 * until an input is edited to import it, which makes that input newer.
 */
export function staleReason() {
  let meta;
  try {
    meta = JSON.parse(readFileSync(META_FILE, 'utf8'));
  } catch {
    return 'it is not built';
  }
  if (!existsSync(ENTRY_FILE)) return 'it is not built';
  for (const input of [...meta.inputs, relative(ROOT, fileURLToPath(import.meta.url))]) {
    let mtime;
    try {
      mtime = statSync(join(ROOT, input)).mtimeMs;
    } catch {
      return `${input} is gone`;
    }
    if (mtime > meta.startedAt) return `${input} changed`;
  }
  return undefined;
}

/** Bundles the CLI into out/cli/; safe to run while other processes run or build it. */
export async function buildCli() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('esbuild is not installed: run `npm install` in the checkout (it installs the dev dependencies and builds the CLI).');
  }
  // Sources changed after this instant make the next run rebuild, even if this build saw them.
  const startedAt = Date.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: ENTRY },
    outdir: OUT_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    plugins: [loadOnFirstCall, zodEnglishOnly],
    // Which build this is: what the CLI keeps between runs (the parsed catalogue) is kept per build.
    define: { NEUTRON_LAB_BUILD: JSON.stringify(String(startedAt)) },
    // Bundled CommonJS packages require Node's own modules; an ES module has no `require`.
    banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
    entryNames: '[name]',
    chunkNames: `${CHUNKS}/[name]-[hash]`,
    outExtension: { '.js': '.mjs' },
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const previous = filesOfPreviousBuild();
  mkdirSync(join(OUT_DIR, CHUNKS), { recursive: true });
  // Chunks first, the entry last, each by rename: a process starting meanwhile loads either
  // the old entry with its old chunks or the new one with its new chunks, never half a file.
  const files = result.outputFiles.map((file) => relative(OUT_DIR, file.path));
  const ordered = [...result.outputFiles].sort((a, b) => Number(a.path === ENTRY_FILE) - Number(b.path === ENTRY_FILE));
  for (const file of ordered) writeAtomically(file.path, file.contents);
  // The packages' files stand for themselves through npm's record of what it installed.
  // (The plugin's stand-ins, named `load-on-first-call:…`, are no files.)
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('node_modules/') && !input.includes(':'));
  if (existsSync(join(ROOT, INSTALLED))) inputs.push(INSTALLED);
  writeAtomically(META_FILE, `${JSON.stringify({ startedAt, inputs, files }, null, 2)}\n`);
  // Chunks of older builds go, but not young ones: a process loads a command's chunk when the
  // command runs, and several processes that found the bundle stale build it at once (a test
  // suite's parallel CLI calls after an edit), each with its own chunks (the build's stamp is in
  // one) — the second build before this one may be what a running process still loads from.
  const keep = new Set([...files, ...previous]);
  const young = Date.now() - CHUNK_GRACE_MS;
  for (const name of readdirSync(join(OUT_DIR, CHUNKS))) {
    if (name.startsWith('.')) continue; // another build's file, being written
    const file = `${CHUNKS}/${name}`;
    if (keep.has(file)) continue;
    const modified = statSync(join(OUT_DIR, file), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (modified < young) rmSync(join(OUT_DIR, file), { force: true });
  }
  return { files: files.length, inputs: inputs.length, seconds: (Date.now() - startedAt) / 1000 };
}

function filesOfPreviousBuild() {
  try {
    return JSON.parse(readFileSync(META_FILE, 'utf8')).files ?? [];
  } catch {
    return [];
  }
}

function writeAtomically(path, contents) {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const built = await buildCli();
  process.stderr.write(
    `Built the CLI into out/cli (${built.files} files from ${built.inputs} sources) in ${built.seconds.toFixed(1)} s.\n`,
  );
}
