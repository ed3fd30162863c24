#!/usr/bin/env node
// The neutron-lab command: runs the CLI bundled to JavaScript in out/cli (scripts/build-cli.mjs;
// `npm install` builds it). A checkout's sources move on (edits, merges, pulls), so a missing
// or stale bundle is rebuilt here first: `neutron-lab` always runs the code in the tree.
import { readFileSync } from 'node:fs';
import module from 'node:module';
import { pathToFileURL } from 'node:url';

// `--version` alone needs no CLI: the version is package.json's (as the CLI's own --version prints
// it), so it neither checks the bundle nor loads it.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}

const { buildCli, ENTRY_FILE, staleReason } = await import('../scripts/build-cli.mjs');

// Node 22.1 and later keep V8's compiled code between runs; Node 20 has no such cache (a no-op).
module.enableCompileCache?.();

const reason = staleReason();
if (reason !== undefined) {
  try {
    await buildCli();
  } catch (error) {
    process.stderr.write(`neutron-lab: cannot build the CLI (${reason}): ${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  }
}
const { main } = await import(pathToFileURL(ENTRY_FILE).href);
const code = await main(args);
process.exitCode = code;
// Commands end when their work does; an idle socket must not keep the terminal waiting.
setTimeout(() => process.exit(code), 1000).unref();
