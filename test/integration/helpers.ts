import { chromium, type Browser } from 'playwright-core';
import { spawn, type ChildProcess } from 'node:child_process';
import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { connectEngine, type Engine } from '../../main/core/docker/engine';
import { LABEL } from '../../main/core/docker/labels';
import { resolveLab } from '../../main/core/lab/catalog';
import { appRoot } from '../../main/core/paths';
import { up } from '../../main/core/session/boot';
import { requireNode } from '../../main/core/session/sessions';
import { removeSessionsNamed } from '../../main/core/session/teardown';

let engine: Promise<Engine> | undefined;
export const testEngine = (): Promise<Engine> => (engine ??= connectEngine());

/** A session name no other test (or earlier run) uses. */
export const uniqueName = (prefix: string): string => `it-${prefix}-${randomBytes(3).toString('hex')}`;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `neutron-lab` command, exactly as a user would. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; onSpawn?: (pid: number) => void; onStderr?: (text: string) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(appRoot(), 'bin', 'neutron-lab.mjs'), ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.stdin.end(options.input ?? '');
  });
}

/** Every container and network carrying this session name (should be none after `down`). */
export async function objectsOfSession(name: string): Promise<{ containers: string[]; networks: string[] }> {
  const { docker } = await testEngine();
  const filters = { label: [`${LABEL.session}=${name}`] };
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return { containers: containers.map((c) => c.Names[0] ?? c.Id), networks: networks.map((n) => n.Name) };
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, stepMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** Boots a lab under a fresh name, hands its first node's container to `body`, and always removes it. */
export async function withNode<T>(labId: string, node: string, body: (container: Docker.Container) => Promise<T>): Promise<T> {
  const engine = await testEngine();
  const name = uniqueName(labId);
  await up(engine, await resolveLab(labId), { name });
  try {
    return await body(await requireNode(engine, name, node));
  } finally {
    await removeSessionsNamed(engine, name);
  }
}

/**
 * `neutron-lab serve` on a free port: resolves with the child and the URL it prints.
 * `globalArgs` go before the command (--docker-host), `serveArgs` after it (--host, --token).
 */
export async function serveUi(
  options: { env?: NodeJS.ProcessEnv; globalArgs?: string[]; serveArgs?: string[] } = {},
): Promise<{ child: ChildProcess; url: string }> {
  const args = [...(options.globalArgs ?? []), 'serve', '--port', '0', ...(options.serveArgs ?? [])];
  const { child, found } = await cliUntil(args, options.env, (output) => /Neutron Lab is at (\S+)/.exec(output)?.[1]);
  return { child, url: found };
}

/**
 * Runs the CLI in the background until `ready` finds what it waits for in its output (a server's
 * URL): resolves with the child, still running, and what was found; rejects if it exits first.
 */
export function cliUntil<T>(
  args: string[],
  env: NodeJS.ProcessEnv | undefined,
  ready: (output: string) => T | undefined,
): Promise<{ child: ChildProcess; found: T }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(appRoot(), 'bin', 'neutron-lab.mjs'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = ready(output);
      if (found !== undefined) resolve({ child, found });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => reject(new Error(`neutron-lab ${args[0]} exited with ${code}: ${output}`)));
  });
}

/** Headless Debian Chromium as the UI tests drive it: no sandbox (root in CI), nothing that phones home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
