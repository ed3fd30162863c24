#!/usr/bin/env node
// The neutron-lab command, run straight from the TypeScript sources (tsx compiles on the fly
// and caches), so `npx neutron-lab` works in a fresh checkout without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/server/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Commands end when their work does; an idle socket must not keep the terminal waiting.
setTimeout(() => process.exit(code), 1000).unref();
