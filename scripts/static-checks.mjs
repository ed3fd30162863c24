#!/usr/bin/env node
// The checks `npm test` runs before the tests: types (main and renderer), lint and formatting.
// Each is one process on one core; two at a time fit a 2-core machine and take about half the
// time of one after another. A check's output is printed when it fails, whole and unmixed.
import { spawn } from 'node:child_process';

const CHECKS = [
  ['types (main)', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['types (renderer)', ['vue-tsc', '--noEmit', '-p', 'renderer/tsconfig.json']],
  ['lint', ['eslint', '--max-warnings', '0', '.']],
  ['format', ['prettier', '--check', '.']],
];

function run([name, argv]) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npx', ['--no-install', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`${code === 0 ? 'ok  ' : 'FAIL'} ${name} (${argv.join(' ')}) in ${seconds} s\n`);
      if (code !== 0) process.stdout.write(output);
      resolve(code === 0);
    });
  });
}

const queue = [...CHECKS];
const worker = async () => {
  let passed = true;
  for (let check = queue.shift(); check; check = queue.shift()) passed = (await run(check)) && passed;
  return passed;
};
const results = await Promise.all([worker(), worker()]);
process.exit(results.every(Boolean) ? 0 : 1);
