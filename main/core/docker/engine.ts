import Docker from 'dockerode';
import { AppError } from '../errors';
import { ENGINE_CALL_TIMEOUT_MS, withDeadline } from './deadline';
import { resolveEndpoint, type EngineEndpoint } from './endpoint';

/**
 * Oldest engine API we support: Docker 19.03 (API 1.40). Everything we use — capabilities,
 * device mappings, pids limits, exec resize, labels on networks — is older than that.
 */
export const MIN_API_VERSION = '1.40';

export interface EngineInfo {
  endpoint: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  kernel: string;
}

/** A connected, version-checked Docker engine. */
export interface Engine {
  docker: Docker;
  info: EngineInfo;
  /**
   * Runs one short engine request (list, inspect, create, connect, start, remove) within the
   * engine's call bound, handing it the signal that aborts it; past the bound it fails naming
   * `what` ("listing the labs"). Long transfers (image import, streamed execs) have their own.
   */
  call<T>(what: string, request: (abortSignal: AbortSignal) => Promise<T>): Promise<T>;
}

export interface ConnectOptions {
  /** Endpoint URL; defaults to DOCKER_HOST, then the platform's default socket. */
  endpoint?: string;
  /** How long to wait for the engine to answer the handshake. */
  timeoutMs?: number;
  /** The bound of each short request after the handshake (`Engine.call`). */
  callTimeoutMs?: number;
}

/** The calls of the handshake; @types/dockerode omits the options object they accept. */
interface Handshake {
  version(options: { abortSignal: AbortSignal }): Promise<Docker.DockerVersion>;
}

/** Connects to the engine and checks it is recent enough; one clear error otherwise. */
export async function connectEngine(options: ConnectOptions = {}): Promise<Engine> {
  const endpoint = resolveEndpoint(options.endpoint);
  const docker = new Docker(endpoint.options);
  // Later requests are bounded one by one (`call`, execs): an image import may take minutes.
  // An engine that is down refuses at once; the bound is for one that hangs, and a busy engine
  // (a fork bomb in a node, three labs booting on 2 cores) was measured answering after 5 s.
  const abortSignal = AbortSignal.timeout(options.timeoutMs ?? 15_000);

  let version: Docker.DockerVersion;
  try {
    // One round trip: /version answers only from a running engine, so it is the ping too, and
    // every CLI command pays for this handshake.
    version = await (docker as unknown as Handshake).version({ abortSignal });
  } catch (error) {
    throw unreachable(endpoint, error);
  }
  if (compareApiVersions(version.ApiVersion, MIN_API_VERSION) < 0) {
    throw new AppError(
      'environment',
      `The Docker engine at ${endpoint.url} is too old: version ${version.Version} speaks API ${version.ApiVersion}, Neutron Lab needs API ${MIN_API_VERSION} (Docker 19.03) or newer.`,
      { hint: 'Upgrade the Docker engine (on Debian/Ubuntu: sudo apt-get install docker.io).' },
    );
  }
  const callTimeoutMs = options.callTimeoutMs ?? ENGINE_CALL_TIMEOUT_MS;
  return {
    docker,
    call: (what, request) => withDeadline(what, callTimeoutMs, request),
    info: {
      endpoint: endpoint.url,
      version: version.Version,
      apiVersion: version.ApiVersion,
      os: version.Os,
      arch: version.Arch,
      kernel: version.KernelVersion,
    },
  };
}

function unreachable(endpoint: EngineEndpoint, error: unknown): AppError {
  const reason = error instanceof Error ? error.message : String(error);
  const local = endpoint.url.startsWith('unix://') || endpoint.url.startsWith('npipe://');
  const denied = /EACCES|permission denied/i.test(reason);
  const hint = denied
    ? 'Your user may not use the Docker socket: add it to the "docker" group (sudo usermod -aG docker $USER) and log in again.'
    : local
      ? 'Start the Docker engine (sudo systemctl start docker, or run dockerd), or point DOCKER_HOST at a running one.'
      : `Check that the engine at ${endpoint.url} is running and reachable from here.`;
  return new AppError('environment', `Cannot reach the Docker engine at ${endpoint.url}: ${reason}`, {
    hint,
    cause: error,
  });
}

/** Compares dotted API versions numerically ("1.41" vs "1.9"). */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
