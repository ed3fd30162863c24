#!/usr/bin/env node
// The neutron-lab command: runs the CLI bundled to JavaScript in out/cli (scripts/build-cli.mjs;
// `npm install` builds it). A checkout's sources move on (edits, merges, pulls), so a missing
// or stale bundle is rebuilt here first: `neutron-lab` always runs the code in the tree.
import module from 'node:module';
import { pathToFileURL } from 'node:url';
import { buildCli, ENTRY_FILE, staleReason } from '../scripts/build-cli.mjs';

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
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Commands end when their work does; an idle socket must not keep the terminal waiting.
setTimeout(() => process.exit(code), 1000).unref();
