import type { Engine } from '../docker/engine';
import { LABEL, labelFilter } from '../docker/labels';
import { AppError } from '../errors';
import { removePins } from './pin';
import { listSessions, type SessionStatus } from './sessions';

/** Removing what Neutron Lab made, by label: exactly our objects, never anyone else's. */

export interface Removed {
  containers: number;
  networks: number;
}

/**
 * Removes every boot mark, container and network carrying all of the given labels (plus
 * `managed`). The marks go first: a teardown cut short leaves an unmarked session, which reads
 * as broken and is cleaned later, never one that looks healthy.
 */
export async function removeByLabels(engine: Engine, labels: Record<string, string>): Promise<Removed> {
  const filters = labelFilter(labels);
  const marks = await engine.call('listing boot marks', (abortSignal) => engine.docker.listVolumes({ filters, abortSignal }));
  await Promise.all(
    (marks.Volumes ?? []).map((v) =>
      engine.call('removing a boot mark', (abortSignal) => engine.docker.getVolume(v.Name).remove({ abortSignal })).catch(ignoreGoneOr()),
    ),
  );
  const containers = await engine.call('listing containers to remove', (abortSignal) =>
    engine.docker.listContainers({ all: true, filters, abortSignal }),
  );
  await Promise.all(
    containers.map((c) =>
      engine
        .call(`removing container ${c.Names[0] ?? c.Id}`, (abortSignal) =>
          engine.docker.getContainer(c.Id).remove({ force: true, v: true, abortSignal }),
        )
        .catch(ignoreGoneOr(409)),
    ),
  );
  const networks = await engine.call('listing networks to remove', (abortSignal) => engine.docker.listNetworks({ filters, abortSignal }));
  await Promise.all(networks.map((n) => removeNetwork(engine, n.Id, n.Name)));
  // The sessions' pinned labs go with them (after the objects: a pin without its session is pruned later, never the reverse).
  await removePins(
    [...containers.map((c) => c.Labels?.[LABEL.sessionId]), ...networks.map((n) => n.Labels?.[LABEL.sessionId])].filter(
      (id): id is string => !!id,
    ),
  );
  return { containers: containers.length, networks: networks.length };
}

/**
 * A network outlives its containers' removal by a moment: a busy engine answers "has active
 * endpoints" while it still detaches a container removed an instant ago (seen in a parallel
 * run), so that answer is waited out, for up to 15 s.
 */
async function removeNetwork(engine: Engine, id: string, name: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      await engine.call(`removing network ${name}`, (abortSignal) => engine.docker.getNetwork(id).remove({ abortSignal }));
      return;
    } catch (error) {
      const { statusCode, message } = error as { statusCode?: number; message?: string };
      if (statusCode === 404) return;
      if (statusCode !== 403 || !/active endpoints/.test(message ?? '')) throw error;
      if (Date.now() > deadline) {
        // Seen once in many runs: the count stayed wrong with no container left on the network.
        throw new AppError('environment', `Docker still counts a container on network ${name} after every one was removed.`, {
          hint: 'A fault of dockerd: restarting it (sudo systemctl restart docker) clears it; then `neutron-lab down --all`.',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** Not found (something else removed it first) means the goal is reached; so may other codes. */
function ignoreGoneOr(...codes: number[]): (error: { statusCode?: number }) => void {
  return (error) => {
    if (error.statusCode !== 404 && !codes.includes(error.statusCode ?? 0)) throw error;
  };
}

export const removeSession = (engine: Engine, sessionId: string): Promise<Removed> =>
  removeByLabels(engine, { [LABEL.sessionId]: sessionId });

/** `down <name>`: every session with that name, whatever its state. */
export const removeSessionsNamed = (engine: Engine, name: string): Promise<Removed> => removeByLabels(engine, { [LABEL.session]: name });

/** `down --all`. */
export const removeEverything = (engine: Engine): Promise<Removed> => removeByLabels(engine, {});

/**
 * Finds what crashed runs left behind — sessions whose `up` died before it finished, at least
 * `minAgeMs` old — and removes it. Returns what it removed. Give it the sessions when they were
 * just listed.
 *
 * A session that finished booting and then lost a node (out of memory, killed, a reboot) is
 * left alone: it may be someone else's, and status must keep saying why it died until its
 * owner removes it (`down NAME`) or starts its name again.
 */
export async function removeLeftovers(engine: Engine, sessions?: SessionStatus[], minAgeMs = 0): Promise<SessionStatus[]> {
  const now = Date.now();
  const crashed = (sessions ?? (await listSessions(engine))).filter(
    (s) => s.state === 'broken' && !s.booted && now - Date.parse(s.createdAt) >= minAgeMs,
  );
  // One that cannot be removed (a dockerd fault) stays broken, for doctor to show; it must not fail an unrelated up.
  const results = await Promise.allSettled(crashed.map((s) => removeSession(engine, s.id)));
  return crashed.filter((_, i) => results[i]?.status === 'fulfilled');
}
