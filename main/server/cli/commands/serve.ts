import { spawn, type StdioOptions } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ApiService } from '../../../api/service';
import { electronBinary } from '../../../core/desktop';
import { AppError } from '../../../core/errors';
import { appRoot } from '../../../core/paths';
import type { Workshop } from '../../../core/workshop/workshop';
import { startWebServer } from '../../web-server';
import { info } from '../output';
import { onStopSignal } from '../signals';

export const DEFAULT_PORT = 7047;

interface ServeFlags {
  host: string;
  port: string;
  token?: string;
  labs?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the app to browsers (127.0.0.1 by default; other addresses need --token)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULT_PORT))
    .option('--token <token>', 'secret that browsers must present (required off loopback)')
    .option('--labs <dir>', "the folder of lab files the catalogue lists and the editor writes (default: the app's labs/)")
    .action(async (flags: ServeFlags, command: Command) => {
      await serveUntilStopped({ ...flags, dockerHost: command.optsWithGlobals<{ dockerHost?: string }>().dockerHost });
    });

  program
    .command('start')
    .description('open the desktop app, or serve the same UI in a browser when Electron is unavailable')
    .option('--port <port>', 'port for the browser mode', String(DEFAULT_PORT))
    .action(async (flags: { port: string }, command: Command) => {
      await build();
      const electron = await electronBinaryOrDownload();
      if (electron.path) {
        await run(electron.path, [appRoot()]);
        return;
      }
      info(`Electron is unavailable here (${electron.reason}); serving Neutron Lab in your browser instead.`);
      await serveUntilStopped({
        host: '127.0.0.1',
        port: flags.port,
        dockerHost: command.optsWithGlobals<{ dockerHost?: string }>().dockerHost,
      });
    });
}

/** Serves the app until Ctrl-C; a workshop's server announces its links instead of one URL. */
export async function serveUntilStopped(
  flags: ServeFlags & { dockerHost?: string; workshop?: { workshop: Workshop; dir: string }; announce?: (url: string) => void },
): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError('usage', `--port ${flags.port} is not a port number.`);
  const staticDir = join(appRoot(), 'out', 'renderer');
  if (buildIsStale(join(staticDir, 'index.html'))) await build();
  const service = new ApiService({
    dockerHost: flags.dockerHost,
    ...(flags.labs ? { labsDir: resolve(flags.labs) } : {}),
    ...(flags.workshop ? { workshop: flags.workshop } : {}),
  });
  const server = await startWebServer({
    host: flags.host,
    port,
    staticDir,
    service,
    token: flags.token,
    ...(flags.workshop ? { workshop: flags.workshop.workshop } : {}),
  });
  service.startBackgroundChecks();
  if (flags.announce) flags.announce(server.url);
  else process.stdout.write(`Neutron Lab is at ${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stopListening = onStopSignal(() => {
      stopListening();
      void Promise.all([server.close(), service.stopBackgroundChecks()]).then(() => resolve());
    });
  });
}

/**
 * The Electron binary, downloading it first when it is missing: the electron package fetches
 * it on first use, from GitHub. Offline (or with ELECTRON_SKIP_BINARY_DOWNLOAD) this fails fast.
 */
async function electronBinaryOrDownload(): Promise<ReturnType<typeof electronBinary>> {
  const found = electronBinary();
  if (found.path || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return found;
  const installer = join(appRoot(), 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return found;
  info('Downloading the Electron binary (once)…');
  const code = await run(process.execPath, [installer], 'silent');
  return code === 0 ? electronBinary() : { reason: 'its binary could not be downloaded' };
}

/** Builds the app (main, preload, renderer) with electron-vite. */
/**
 * In a source checkout, the build is stale when any source of the app is newer than it (so
 * `serve` never shows yesterday's UI). A packaged app has no sources and is never stale.
 */
function buildIsStale(built: string): boolean {
  if (!existsSync(built)) return true;
  const root = appRoot();
  const newest = (path: string): number => {
    if (!existsSync(path)) return 0;
    const stat = statSync(path);
    return stat.isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name)))) : stat.mtimeMs;
  };
  const sources = Math.max(newest(join(root, 'renderer')), newest(join(root, 'main')), newest(join(root, 'electron.config.ts')));
  return sources > statSync(built).mtimeMs;
}

async function build(): Promise<void> {
  const root = appRoot();
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  if (!existsSync(cli)) {
    if (existsSync(join(root, 'out', 'renderer', 'index.html'))) return; // a packaged app ships its build
    throw new AppError('environment', 'electron-vite is not installed, so the app cannot be built.', { hint: 'Run npm install.' });
  }
  info('Building the app…');
  const code = await run(process.execPath, [cli, 'build', '--config', join(root, 'electron.config.ts')], 'errors');
  if (code !== 0) throw new AppError('failed', `Building the app failed (exit ${code}).`);
}

/** Runs a program; `errors` shows only its stderr, `silent` nothing. */
function run(file: string, args: string[], output: 'all' | 'errors' | 'silent' = 'all'): Promise<number> {
  const stdio: Record<typeof output, StdioOptions> = { all: 'inherit', errors: ['ignore', 'ignore', 'inherit'], silent: 'ignore' };
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: appRoot(), stdio: stdio[output] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}
