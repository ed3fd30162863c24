import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { Engine } from '../docker/engine';
import { LABEL, labelFilter } from '../docker/labels';
import { AppError } from '../errors';
import { parseLinksLabel } from './plan';

/** What is running: sessions read back from the engine by their labels (Docker is the truth). */

export type SessionState =
  /** Booted (its boot mark is there) and every node is running. */
  | 'running'
  /** `up` is still creating or building it (its owner process is alive). */
  | 'booting'
  /** Left behind by a crash, a killed `up` or a reboot: never finished booting, or some part is missing or stopped. */
  | 'broken';

export interface NodeStatus {
  name: string;
  role: string;
  container: string;
  containerId: string;
  /** Docker's container state: running, created, exited, … */
  state: string;
  /** How a stopped node ended, e.g. "exited 137 (out of memory)". */
  exit?: string;
  links: { interface: string; network: string; address?: string }[];
}

export interface SessionStatus {
  name: string;
  id: string;
  lab: string;
  /** The lab file the session was booted from. */
  labFile?: string;
  /** In a workshop: the student it belongs to. */
  student?: string;
  state: SessionState;
  /** Whether its `up` finished (the boot mark is there): a broken session that booted had a node die later. */
  booted: boolean;
  /** Why a session is broken, one line each. */
  problems: string[];
  createdAt: string;
  nodes: NodeStatus[];
  networks: string[];
}

/**
 * How long a boot whose owner cannot be seen (another host) may stay unfinished before it counts
 * as broken; a boot owned by a live process on this host is never cut short, however slow.
 */
const BOOT_WINDOW_MS = 10 * 60 * 1000;

/** How a stopped container ended, read by inspecting it (listing does not say). */
export interface NodeEnd {
  exitCode: number;
  oomKilled: boolean;
}

/** The parts of one session, as the engine lists them. */
export interface SessionParts {
  labels: Record<string, string>;
  containers: Docker.ContainerInfo[];
  networks: Docker.NetworkInspectInfo[];
  /** Labels of its boot mark (a volume), if `up` finished. */
  mark?: Record<string, string>;
  /** How each stopped container ended, by container id. */
  ends: ReadonlyMap<string, NodeEnd>;
}

export async function listSessions(engine: Engine): Promise<SessionStatus[]> {
  const [containers, networks, volumes] = await Promise.all([
    engine.call("listing the labs' containers", (abortSignal) =>
      engine.docker.listContainers({ all: true, filters: labelFilter({}), abortSignal }),
    ),
    engine.call("listing the labs' networks", (abortSignal) => engine.docker.listNetworks({ filters: labelFilter({}), abortSignal })),
    engine.call("listing the labs' boot marks", (abortSignal) => engine.docker.listVolumes({ filters: labelFilter({}), abortSignal })),
  ]);
  const ends = await nodeEnds(engine, containers);
  const byId = new Map<string, SessionParts>();
  const group = (labels: Record<string, string> | undefined) => {
    const id = labels?.[LABEL.sessionId];
    if (!id || !labels) return undefined;
    let entry = byId.get(id);
    if (!entry) byId.set(id, (entry = { labels, containers: [], networks: [], ends }));
    return entry;
  };
  for (const container of containers) group(container.Labels)?.containers.push(container);
  for (const network of networks) group(network.Labels)?.networks.push(network);
  for (const volume of volumes.Volumes ?? []) {
    const entry = group(volume.Labels ?? undefined);
    if (entry) entry.mark = volume.Labels ?? {};
  }

  const sessions = [...byId.entries()].map(([id, parts]) => describeSession(id, parts));
  return sessions.sort((a, b) => a.name.localeCompare(b.name) || a.createdAt.localeCompare(b.createdAt));
}

/** Inspects the stopped containers (few, usually none) for their exit code and OOM kill. */
async function nodeEnds(engine: Engine, containers: Docker.ContainerInfo[]): Promise<Map<string, NodeEnd>> {
  const stopped = containers.filter((c) => c.State === 'exited' || c.State === 'dead');
  const ends = await Promise.all(
    stopped.map(async (c) => {
      try {
        const { State } = await engine.call('inspecting a stopped node', (abortSignal) =>
          engine.docker.getContainer(c.Id).inspect({ abortSignal }),
        );
        return [[c.Id, { exitCode: State.ExitCode, oomKilled: State.OOMKilled }] as const];
      } catch {
        return []; // removed meanwhile: its state from the listing is all there is
      }
    }),
  );
  return new Map(ends.flat());
}

/** "exited 137 (out of memory)": how a node ended, in words. */
export function describeEnd(state: string, end: NodeEnd | undefined): string {
  if (!end) return state;
  const why = end.oomKilled ? ' (out of memory)' : end.exitCode === 137 ? ' (killed)' : '';
  return `${state} ${end.exitCode}${why}`;
}

/** A session's state from its parts. `mayStillBoot` says whether its owner may still be booting it. */
export function describeSession(id: string, parts: SessionParts, stillBooting = mayStillBoot): SessionStatus {
  const { labels, containers, networks } = parts;
  const nodes = containers
    .map((c): NodeStatus => {
      const end = parts.ends.get(c.Id);
      return {
        name: c.Labels[LABEL.node] ?? '?',
        role: c.Labels[LABEL.role] ?? '?',
        container: (c.Names[0] ?? '').replace(/^\//, ''),
        containerId: c.Id,
        state: c.State,
        ...(end ? { exit: describeEnd(c.State, end) } : {}),
        links: parseLinksLabel(c.Labels[LABEL.links]),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const expectedNodes = Number(labels[LABEL.expectedNodes] ?? nodes.length);
  const expectedNetworks = Number(labels[LABEL.expectedNetworks] ?? networks.length);
  const created = Math.min(...containers.map((c) => c.Created * 1000), ...networks.map((n) => Date.parse(n.Created)));

  // Version 1 sessions predate the mark: complete ones count as booted.
  const legacy = labels[LABEL.managed] === '1';
  const booted = parts.mark !== undefined || legacy;
  // A boot in progress has parts not yet made; it never has stopped nodes.
  const unfinished: string[] = [];
  const fatal: string[] = [];
  for (const node of nodes) {
    if (node.state === 'created') unfinished.push(`node ${node.name} was never started`);
    else if (node.state !== 'running') fatal.push(`node ${node.name} ${node.exit ?? `is ${node.state}`}`);
  }
  if (nodes.length < expectedNodes) unfinished.push(`${expectedNodes - nodes.length} of ${expectedNodes} nodes are missing`);
  if (networks.length < expectedNetworks) {
    unfinished.push(`${expectedNetworks - networks.length} of ${expectedNetworks} networks are missing`);
  }
  if (!booted) unfinished.push('its boot never finished');
  let state: SessionState;
  if (fatal.length === 0 && unfinished.length === 0) state = 'running';
  else if (fatal.length === 0 && !booted && stillBooting(labels[LABEL.owner], created)) state = 'booting';
  else state = 'broken';
  return {
    name: labels[LABEL.session] ?? '?',
    id,
    lab: labels[LABEL.lab] ?? '?',
    ...(labels[LABEL.labFile] ? { labFile: labels[LABEL.labFile] } : {}),
    ...(labels[LABEL.student] ? { student: labels[LABEL.student] } : {}),
    state,
    booted,
    problems: state === 'broken' ? [...fatal, ...unfinished] : [],
    createdAt: new Date(Number.isFinite(created) ? created : 0).toISOString(),
    nodes,
    networks: networks.map((n) => n.Labels?.[LABEL.network] ?? n.Name).sort(),
  };
}

/**
 * An unfinished session may still be booting while the process running its `up` lives. When
 * that process is on another host it cannot be seen: then only within the boot window.
 */
function mayStillBoot(owner: string | undefined, createdMs: number): boolean {
  const [ownerHost, pidText] = (owner ?? '').split(':');
  const pid = Number(pidText);
  if (ownerHost !== hostname() || !Number.isInteger(pid) || pid <= 0) return Date.now() - createdMs <= BOOT_WINDOW_MS;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function ownerTag(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * The student label of the session called `name` (undefined when there is none, or it is no
 * student's): one listing of that session's containers, not the whole engine's sessions, as the
 * service asks it before every student's call on a session, terminal polls included.
 */
export async function studentOfSession(engine: Engine, name: string): Promise<string | undefined> {
  const containers = await engine.call(`listing the containers of lab "${name}"`, (abortSignal) =>
    engine.docker.listContainers({ all: true, filters: labelFilter({ [LABEL.session]: name }), abortSignal }),
  );
  return containers.find((c) => c.Labels[LABEL.student] !== undefined)?.Labels[LABEL.student];
}

/** The running session called `name`; a `state` error when there is none. */
export async function requireSession(engine: Engine, name: string): Promise<SessionStatus> {
  const sessions = (await listSessions(engine)).filter((s) => s.name === name);
  const session = sessions.find((s) => s.state === 'running') ?? sessions[0];
  if (!session) {
    throw new AppError('state', `No lab is up under the name "${name}".`, {
      // `up` takes a lab id; the session name goes with --name (`up ${name}` fails unless a lab has that id).
      hint: `Start a lab under that name with \`neutron-lab up <lab> --name ${name}\` (\`neutron-lab labs\` lists the labs); \`neutron-lab status\` lists what is up.`,
    });
  }
  return session;
}

/** The container of one node of a running session. */
export async function requireNode(engine: Engine, sessionName: string, nodeName: string): Promise<Docker.Container> {
  return nodeContainer(engine, await requireSession(engine, sessionName), nodeName);
}

/** The container of a node of this session, which must be running. */
export function nodeContainer(engine: Engine, session: SessionStatus, nodeName: string): Docker.Container {
  const node = session.nodes.find((n) => n.name === nodeName);
  if (!node) {
    throw new AppError(
      'input',
      `Lab "${session.name}" has no node "${nodeName}". Its nodes: ${session.nodes.map((n) => n.name).join(', ')}.`,
    );
  }
  if (node.state !== 'running') {
    throw new AppError('state', `Node "${nodeName}" of lab "${session.name}" is ${node.state}, not running.`, {
      hint: `Restart the lab: neutron-lab down ${session.name} && neutron-lab up ${session.lab}`,
    });
  }
  return engine.docker.getContainer(node.containerId);
}
