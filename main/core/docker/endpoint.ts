import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import { AppError } from '../errors';

/**
 * Where the Docker engine listens. Same spellings as the docker CLI's DOCKER_HOST:
 * `unix:///var/run/docker.sock`, `tcp://host:2375`, `ssh://user@host`, `npipe:////./pipe/docker_engine`.
 */
export interface EngineEndpoint {
  /** The endpoint as the user wrote it (or the default we chose). */
  url: string;
  /** Connection options for dockerode. */
  options: DockerOptions;
}

const DEFAULT_UNIX_SOCKET = '/var/run/docker.sock';
const DEFAULT_NPIPE = '//./pipe/docker_engine';

/** The endpoint to use: an explicit one (settings, `--docker-host`), else DOCKER_HOST, else the platform default. */
export function resolveEndpoint(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): EngineEndpoint {
  const url = explicit?.trim() || env.DOCKER_HOST?.trim() || defaultEndpointUrl(platform);
  return { url, options: parseEndpoint(url, env) };
}

function defaultEndpointUrl(platform: NodeJS.Platform): string {
  return platform === 'win32' ? `npipe://${DEFAULT_NPIPE}` : `unix://${DEFAULT_UNIX_SOCKET}`;
}

/**
 * Parses an endpoint into complete dockerode options. Every field dockerode's modem would
 * otherwise take from DOCKER_HOST is set explicitly, so an explicit endpoint always wins.
 */
export function parseEndpoint(url: string, env: NodeJS.ProcessEnv = process.env): DockerOptions {
  const invalid = (why: string) =>
    new AppError('input', `Docker endpoint "${url}" is not valid: ${why}.`, {
      hint: 'Use unix:///var/run/docker.sock, tcp://HOST:2375, ssh://USER@HOST or npipe:////./pipe/docker_engine.',
    });

  const unset = { host: undefined, port: undefined, protocol: undefined } as const;
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length) || DEFAULT_UNIX_SOCKET;
    return { ...unset, socketPath };
  }
  if (url.startsWith('npipe://')) {
    return { ...unset, socketPath: url.slice('npipe://'.length) || DEFAULT_NPIPE };
  }
  if (url.startsWith('/')) return { ...unset, socketPath: url };

  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `tcp://${url}`);
  } catch {
    throw invalid('it is neither a socket path nor a URL');
  }
  if (!parsed.hostname) throw invalid('it names no host');

  switch (parsed.protocol) {
    case 'ssh:':
      return {
        socketPath: undefined,
        protocol: 'ssh',
        host: parsed.hostname,
        port: parsed.port || 22,
        username: decodeURIComponent(parsed.username) || undefined,
        sshOptions: { agent: env.SSH_AUTH_SOCK },
      } as DockerOptions;
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const tls = parsed.protocol === 'https:' || env.DOCKER_TLS_VERIFY === '1' || parsed.port === '2376';
      const certs = tls ? tlsFiles(env.DOCKER_CERT_PATH ?? join(homedir(), '.docker')) : {};
      return {
        socketPath: undefined,
        protocol: tls ? 'https' : 'http',
        host: parsed.hostname,
        port: parsed.port || (tls ? 2376 : 2375),
        ...certs,
      } as DockerOptions;
    }
    default:
      throw invalid(`the scheme "${parsed.protocol}" is not one Docker speaks`);
  }
}

function tlsFiles(dir: string): Pick<DockerOptions, 'ca' | 'cert' | 'key'> {
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name));
    } catch {
      return undefined;
    }
  };
  const files = { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
  return Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined));
}
