import { randomBytes } from 'node:crypto';
import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { Engine } from '../docker/engine';
import { LABEL } from '../docker/labels';
import { AppError, toAppError } from '../errors';
import { requireImage } from '../image/node-image';
import { applyParts } from '../cloud/apply';
import type { PlanPart } from '../cloud/plan';
import type { LoadedLab } from '../lab/load';
import { admitByMemory } from './admission';
import { addressPool, createPooledNetwork, type AddressPool } from './address-pool';
import type { BootEvent, BootPhase } from './boot-events';

import { networkCreateOptions, nodeContainerOptions, planSession, type PlannedNode, type SessionPlan } from './plan';
import { SESSION_NAME_PATTERN, SESSION_NAME_RULE } from './session-name';
import { listSessions, ownerTag, type SessionStatus } from './sessions';
import { removeLeftovers, removeSession } from './teardown';
import { demux } from '../docker/demux';

/** `up`: boots a lab's topology — networks, then every node in parallel — until OVS answers in each. */

export interface UpOptions {
  /** Session name; defaults to the lab id. A second copy of a lab needs another name. */
  name?: string;
  /** In a workshop: the student the lab belongs to (labelled on everything it makes). */
  student?: string;
  onEvent?: (event: BootEvent) => void;
  /** Remove what crashed runs left behind before booting (default true). */
  reconcile?: boolean;
  /** Called with the sessions reconciliation removed. */
  onLeftoversRemoved?: (sessions: SessionStatus[]) => void;
  /** How long one node may take to report ready. */
  nodeTimeoutMs?: number;
  /** Aborting (Ctrl-C) stops the boot and removes what it made. */
  signal?: AbortSignal;
  /** What the agents build on the nodes once OVS runs (the lab's cloud minus the learner's parts). */
  parts?: readonly PlanPart[];
  /** Waits once every part is built (tunnels, leases); the boot is marked complete only after them. */
  settle?: (session: SessionStatus) => Promise<void>;
  /** Where the lab's networks take their subnets (default: NEUTRON_LAB_ADDRESS_POOL, else 10.213.0.0/16). */
  pool?: AddressPool;
  /** The memory to admit the lab against (default: what this machine has available now). */
  memoryAvailableBytes?: number;
}

const READY_LINE = 'neutron-lab: ready';
const FAILED_PREFIX = 'neutron-lab: failed: ';

/** How long another session's crashed boot is left before an `up` removes it. */
const LEFTOVER_GRACE_MS = 5 * 60 * 1000;

export async function up(engine: Engine, loaded: LoadedLab, options: UpOptions = {}): Promise<SessionStatus> {
  const started = performance.now();
  const name = options.name ?? loaded.lab.id;
  if (!SESSION_NAME_PATTERN.test(name)) throw new AppError('usage', `"${name}" cannot name a session: ${SESSION_NAME_RULE}.`);
  const image = await requireImage(engine);
  // Read before anything is made: a bad setting must not leave half a lab.
  const pool = options.pool ?? addressPool();

  let sessions = await listSessions(engine);
  if (options.reconcile ?? true) {
    // Another name's crashed boot is left a while, for its owner to see in status why it failed.
    const removed = await removeLeftovers(engine, sessions, LEFTOVER_GRACE_MS);
    if (removed.length > 0) options.onLeftoversRemoved?.(removed);
    sessions = sessions.filter((s) => !removed.includes(s));
  }
  let existing = sessions.find((s) => s.name === name);
  if (existing?.state === 'broken') {
    // Starting a name again is its owner's way to replace the broken lab under it (after a reboot, say).
    await removeSession(engine, existing.id);
    options.onLeftoversRemoved?.([existing]);
    existing = undefined;
  }
  if (existing) {
    throw new AppError('state', `A lab is already up under the name "${name}" (${existing.state}, lab ${existing.lab}).`, {
      hint: `Stop it with \`neutron-lab down ${name}\`, or start another copy with \`--name ${name}-2\`.`,
    });
  }

  const plan = planSession({
    lab: loaded.lab,
    name,
    id: randomBytes(6).toString('hex'),
    image,
    owner: ownerTag(),
    labFile: loaded.file,
    student: options.student,
  });
  // Refused before anything is made: a full machine says so rather than half-booting a lab.
  await admitByMemory(engine, plan.nodes.length, options.memoryAvailableBytes);
  const emit = (node: string, phase: BootPhase) => options.onEvent?.({ node, phase, elapsedMs: Math.round(performance.now() - started) });

  const interrupted = abortPromise(options.signal);
  interrupted.catch(() => undefined);
  const boot = (async () => {
    const subnets = await createNetworks(engine, plan, pool);
    await settleAll(
      plan.nodes.map((node) =>
        bootNode(
          engine,
          plan,
          node,
          subnets,
          emit,
          options.nodeTimeoutMs ?? 30_000,
          interrupted,
          (options.parts ?? []).filter((p) => p.ref.node === node.name),
        ),
      ),
    );
    if (options.settle) await Promise.race([options.settle(await sessionOf(engine, plan)), interrupted]);
    if (options.signal?.aborted) return;
    // Last: only now is the session complete. Whatever stops `up` before this line (a crash,
    // kill -9, a closed terminal) leaves a session without the mark, which reads as broken.
    await markBooted(engine, plan);
  })();
  try {
    await Promise.race([boot, interrupted]);
  } catch (error) {
    // Let creations in flight finish (they stop early on abort), so the cleanup sees them all.
    await boot.catch(() => undefined);
    // A half-created lab is worse than none: remove exactly what this `up` made.
    await removeSession(engine, plan.id).catch(() => undefined);
    throw describeBootFailure(error, name, plan);
  }
  return sessionOf(engine, plan);
}

async function sessionOf(engine: Engine, plan: SessionPlan): Promise<SessionStatus> {
  const session = (await listSessions(engine)).find((s) => s.id === plan.id);
  if (!session) throw new AppError('failed', `Lab "${plan.name}" vanished while booting.`);
  return session;
}

/** The boot mark: a labelled volume, which costs nothing and holds no data. */
async function markBooted(engine: Engine, plan: SessionPlan): Promise<void> {
  await engine.call('marking the lab booted', (abortSignal) =>
    engine.docker.createVolume({
      Name: plan.mark.volumeName,
      Labels: { ...plan.mark.labels, [LABEL.booted]: new Date().toISOString() },
      abortSignal,
    }),
  );
}

/**
 * Like Promise.all, but waits for every promise before rejecting with the first failure:
 * cleanup must not start while a sibling is still creating containers.
 */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Never resolves; rejects with an `interrupted` error when the signal aborts. */
function abortPromise(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new AppError('interrupted', 'Interrupted: the lab was not started, and what was made is removed.'));
    if (signal?.aborted) fail();
    signal?.addEventListener('abort', fail, { once: true });
  });
}

/** Creates the session's networks, each on a subnet of the app's pool, and returns the subnets. */
async function createNetworks(engine: Engine, plan: SessionPlan, pool: AddressPool): Promise<Map<string, string>> {
  const entries = await settleAll(
    plan.networks.map(async (network) => {
      try {
        const { subnet } = await createPooledNetwork(engine, networkCreateOptions(network), pool);
        return [network.dockerName, subnet] as const;
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError('failed', `Cannot create Docker network ${network.dockerName}: ${(error as Error).message ?? String(error)}`);
      }
    }),
  );
  return new Map(entries);
}

async function bootNode(
  engine: Engine,
  plan: SessionPlan,
  node: PlannedNode,
  subnets: ReadonlyMap<string, string>,
  emit: (node: string, phase: BootPhase) => void,
  timeoutMs: number,
  interrupted: Promise<never>,
  parts: readonly PlanPart[],
): Promise<void> {
  emit(node.name, 'creating');
  const container = await engine.call(`creating node ${node.name}`, (abortSignal) =>
    engine.docker.createContainer({ ...nodeContainerOptions(plan, node, subnets), abortSignal }),
  );
  // Engines before API 1.44 take one network at creation; the others join before the start.
  for (const link of node.links.slice(1)) {
    await engine.call(`connecting node ${node.name} to ${link.dockerNetwork}`, (abortSignal) =>
      // dockerode takes the signal here too; its types omit it.
      engine.docker.getNetwork(link.dockerNetwork).connect({ Container: container.id, abortSignal } as Docker.NetworkConnectOptions),
    );
  }
  emit(node.name, 'starting');
  await startAndAwaitReady(engine, container, node.name, timeoutMs, interrupted);
  if (parts.length > 0) {
    emit(node.name, 'building');
    await Promise.race([applyParts(container, node.name, parts), interrupted]);
  }
  emit(node.name, 'ready');
}

/**
 * Attaches to the node's output before starting it, so the init's one-line readiness report
 * cannot be missed, then waits for it. This costs no polling and no extra exec.
 */
async function startAndAwaitReady(
  engine: Engine,
  container: Docker.Container,
  node: string,
  timeoutMs: number,
  interrupted: Promise<never>,
): Promise<void> {
  const stream = (await engine.call(`attaching to node ${node}`, (abortSignal) =>
    container.attach({ stream: true, stdout: true, stderr: true, abortSignal }),
  )) as Duplex;
  const output = new PassThrough();
  demux(stream, (bytes) => output.write(bytes));
  const seen: string[] = [];
  let buffered = '';

  const verdict = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new AppError('failed', `Node ${node} did not report ready within ${timeoutMs / 1000} s.`)),
      timeoutMs,
    );
    const settle = (fn: () => void) => {
      clearTimeout(timer);
      fn();
    };
    output.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trimEnd();
        buffered = buffered.slice(newline + 1);
        seen.push(line);
        if (line === READY_LINE) settle(resolve);
        else if (line.startsWith(FAILED_PREFIX)) {
          settle(() => reject(new AppError('failed', `Node ${node} failed to boot: ${line.slice(FAILED_PREFIX.length)}`)));
        }
      }
    });
    const stopped = () =>
      settle(() =>
        reject(
          new AppError(
            'failed',
            `Node ${node} stopped while booting.${seen.length ? ` Its last output: ${seen.slice(-3).join(' | ')}` : ''}`,
          ),
        ),
      );
    stream.once('end', stopped);
    stream.once('close', stopped);
  });
  verdict.catch(() => undefined);
  try {
    await engine.call(`starting node ${node}`, (abortSignal) => container.start({ abortSignal }));
    await Promise.race([verdict, interrupted]);
  } finally {
    stream.destroy();
  }
}

function describeBootFailure(error: unknown, name: string, plan: SessionPlan): AppError {
  if ((error as { statusCode?: number }).statusCode === 409) {
    // Another `up` of the same name won the race for the container names.
    return new AppError('state', `Another lab came up under the name "${name}" at the same time.`, {
      hint: `Use \`neutron-lab status\` to see it, or pick another name with --name.`,
    });
  }
  const appError = toAppError(error);
  if (appError.code !== 'internal') return appError;
  return new AppError('failed', `Lab "${name}" (${plan.labId}) could not boot: ${appError.message}`, { cause: error });
}
