import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { Engine } from '../docker/engine';
import { NotReady, openJsonLines } from '../docker/json-lines';
import { AppError, toAppError } from '../errors';
import { exploreLab } from './explore';
import { CLIENT_PY, RELAY_PY } from './explore-api-py';
import { describeAgentWork, type ExploreResult } from './results';
import { containerOf, runningLab } from './running-lab';

/**
 * Serving a sandbox's API to its controller's own terminal (explore-api-py.ts says how the
 * relay in the node works). A process serves a session while it lives, once however many
 * terminals it opens there; the relay ends with the process (its input closes) or with close().
 */

export interface ServedApi {
  /** The node whose terminal has `openstack` and `neutron`. */
  node: string;
  close(): void;
}

const MAX_LINE = 1 << 20;

const served = new Map<string, Promise<ServedApi | undefined>>();

/** A call made in the controller's terminal, as the app shows it beside the terminal (with each node's diff). */
export interface TerminalCall {
  argv: string[];
  result: ExploreResult;
}
const watchers = new Map<string, Set<(call: TerminalCall) => void>>();

/**
 * Tells `listener` of each call made in session `name`'s controller terminal (served by this
 * process); returns how to stop. With a watcher, each call takes its nodes' snapshots too.
 */
export function watchTerminalCalls(name: string, listener: (call: TerminalCall) => void): () => void {
  const set = watchers.get(name) ?? new Set();
  set.add(listener);
  watchers.set(name, set);
  return () => {
    set.delete(listener);
    if (set.size === 0 && watchers.get(name) === set) watchers.delete(name);
  };
}

/**
 * Serves session `name`'s API in its controller when the session is a sandbox and the node is
 * its controller; undefined otherwise (a lab's cloud is not the learner's to change).
 */
export async function serveExploreApi(engine: Engine, name: string, node: string): Promise<ServedApi | undefined> {
  let serving = served.get(name);
  if (!serving) {
    serving = startServing(engine, name);
    served.set(name, serving);
    // Only a relay is remembered: a session that is no sandbox (its name may come back as one) is asked again.
    const forget = () => served.get(name) === serving && served.delete(name);
    serving.then((api) => api || forget(), forget);
  }
  const api = await serving;
  return api?.node === node ? api : undefined;
}

async function startServing(engine: Engine, name: string): Promise<ServedApi | undefined> {
  const running = await runningLab(engine, name);
  const lab = running.loaded.lab;
  const controller = Object.entries(lab.topology.nodes).find(([, node]) => node.role === 'controller')?.[0];
  if (!lab.sandbox || !controller) return undefined;
  const stream = await openRelay(
    containerOf(running.containers, controller),
    (id, argv, relay) => void answer(engine, name, argv).then((reply) => relay.write(`${JSON.stringify({ id, ...reply })}\n`)),
  );
  const api: ServedApi = {
    node: controller,
    close: () => {
      void served.get(name)?.then((current) => current === api && served.delete(name));
      stream.destroy();
    },
  };
  // The node stopping or the lab going down ends the relay: the next terminal starts another.
  stream.once('close', api.close);
  return api;
}

/** A call as the terminal shows it: the client's output, then what each agent did, on standard error. */
async function answer(engine: Engine, name: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const watching = [...(watchers.get(name) ?? [])];
    const result = await exploreLab(engine, name, argv, { diff: watching.length > 0 });
    for (const listener of watching) listener({ argv, result });
    return { code: result.exitCode, out: result.stdout, err: result.stderr + describeAgentWork(result) };
  } catch (error) {
    const problem = toAppError(error);
    return { code: 1, out: '', err: `${problem.message}${problem.hint ? `\n${problem.hint}` : ''}\n` };
  }
}

/** Starts the relay, each call it passes on handed to `onCall`. */
async function openRelay(container: Docker.Container, onCall: (id: number, argv: string[], relay: Duplex) => void): Promise<Duplex> {
  try {
    const { stream } = await openJsonLines(
      container,
      ['python3', '-I', '-S', '-c', RELAY_PY, CLIENT_PY],
      (message, relay) => {
        if (typeof message.id === 'number' && Array.isArray(message.argv)) onCall(message.id, message.argv.map(String), relay);
      },
      // The node is the learner's (a workshop's student's): a call is a command line, never megabytes.
      { maxLine: MAX_LINE },
    );
    return stream;
  } catch (error) {
    if (!(error instanceof NotReady)) throw error;
    throw new AppError(
      'failed',
      `The sandbox's API could not start in the controller${error.said.trim() ? `: ${error.said.trim().split('\n').pop()}` : ''}.`,
    );
  }
}
