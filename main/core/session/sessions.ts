import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { Engine } from '../docker/engine';
import { LABEL, labelFilter } from '../docker/labels';
import { AppError } from '../errors';
import { parseLinksLabel } from './plan';

/** What is running: sessions read back from the engine by their labels (Docker is the truth). */

export type SessionState =
  /** Every node is running. */
  | 'running'
  /** `up` is still creating it (its owner process is alive). */
  | 'booting'
  /** Left behind by a crash, a killed `up` or a reboot: some part is missing or stopped. */
  | 'broken';

export interface NodeStatus {
  name: string;
  role: string;
  container: string;
  containerId: string;
  /** Docker's container state: running, created, exited, … */
  state: string;
  links: { interface: string; network: string; address?: string }[];
}

export interface SessionStatus {
  name: string;
  id: string;
  lab: string;
  /** The lab file the session was booted from. */
  labFile?: string;
  state: SessionState;
  /** Why a session is broken, one line each. */
  problems: string[];
  createdAt: string;
  nodes: NodeStatus[];
  networks: string[];
}

/** No boot takes longer than this; an incomplete session older than it is broken. */
const BOOT_WINDOW_MS = 2 * 60 * 1000;

export async function listSessions(engine: Engine): Promise<SessionStatus[]> {
  const [containers, networks] = await Promise.all([
    engine.docker.listContainers({ all: true, filters: labelFilter({}) }),
    engine.docker.listNetworks({ filters: labelFilter({}) }),
  ]);
  const byId = new Map<string, { labels: Record<string, string>; containers: Docker.ContainerInfo[]; networks: Docker.NetworkInspectInfo[] }>();
  const group = (labels: Record<string, string> | undefined) => {
    const id = labels?.[LABEL.sessionId];
    if (!id || !labels) return undefined;
    let entry = byId.get(id);
    if (!entry) byId.set(id, (entry = { labels, containers: [], networks: [] }));
    return entry;
  };
  for (const container of containers) group(container.Labels)?.containers.push(container);
  for (const network of networks) group(network.Labels)?.networks.push(network);

  const sessions = [...byId.entries()].map(([id, entry]) => describe(id, entry.labels, entry.containers, entry.networks));
  return sessions.sort((a, b) => a.name.localeCompare(b.name) || a.createdAt.localeCompare(b.createdAt));
}

function describe(
  id: string,
  labels: Record<string, string>,
  containers: Docker.ContainerInfo[],
  networks: Docker.NetworkInspectInfo[],
): SessionStatus {
  const nodes = containers
    .map((c) => ({
      name: c.Labels[LABEL.node] ?? '?',
      role: c.Labels[LABEL.role] ?? '?',
      container: (c.Names[0] ?? '').replace(/^\//, ''),
      containerId: c.Id,
      state: c.State,
      links: parseLinksLabel(c.Labels[LABEL.links]),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const expectedNodes = Number(labels[LABEL.expectedNodes] ?? nodes.length);
  const expectedNetworks = Number(labels[LABEL.expectedNetworks] ?? networks.length);
  const created = Math.min(
    ...containers.map((c) => c.Created * 1000),
    ...networks.map((n) => Date.parse(n.Created)),
  );

  // A boot in progress has nodes not yet created or started; it never has stopped ones.
  const stillBooting: string[] = [];
  const fatal: string[] = [];
  for (const node of nodes) {
    if (node.state === 'created') stillBooting.push(`node ${node.name} was never started`);
    else if (node.state !== 'running') fatal.push(`node ${node.name} is ${node.state}`);
  }
  if (nodes.length < expectedNodes) stillBooting.push(`${expectedNodes - nodes.length} of ${expectedNodes} nodes are missing`);
  if (networks.length < expectedNetworks) {
    stillBooting.push(`${expectedNetworks - networks.length} of ${expectedNetworks} networks are missing`);
  }
  const problems = [...fatal, ...stillBooting];
  const state: SessionState =
    problems.length === 0
      ? 'running'
      : fatal.length === 0 && mayStillBoot(labels[LABEL.owner], created)
        ? 'booting'
        : 'broken';
  return {
    name: labels[LABEL.session] ?? '?',
    id,
    lab: labels[LABEL.lab] ?? '?',
    ...(labels[LABEL.labFile] ? { labFile: labels[LABEL.labFile] } : {}),
    state,
    problems: state === 'broken' ? problems : [],
    createdAt: new Date(Number.isFinite(created) ? created : 0).toISOString(),
    nodes,
    networks: networks.map((n) => n.Labels?.[LABEL.network] ?? n.Name).sort(),
  };
}

/**
 * An incomplete session may still be booting while the process running its `up` lives (when we
 * can see it: same host) and the boot window has not passed.
 */
function mayStillBoot(owner: string | undefined, createdMs: number): boolean {
  if (Date.now() - createdMs > BOOT_WINDOW_MS) return false;
  const [ownerHost, pidText] = (owner ?? '').split(':');
  const pid = Number(pidText);
  if (ownerHost !== hostname() || !Number.isInteger(pid) || pid <= 0) return true;
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
    throw new AppError('input', `Lab "${session.name}" has no node "${nodeName}". Its nodes: ${session.nodes.map((n) => n.name).join(', ')}.`);
  }
  if (node.state !== 'running') {
    throw new AppError('state', `Node "${nodeName}" of lab "${session.name}" is ${node.state}, not running.`, {
      hint: `Restart the lab: neutron-lab down ${session.name} && neutron-lab up ${session.lab}`,
    });
  }
  return engine.docker.getContainer(node.containerId);
}
