import { AppError } from '../errors';

/**
 * Time bounds for Docker engine calls. A busy or stuck engine must never leave the user
 * waiting on nothing: every call either answers within its bound or fails saying which call,
 * how long it waited, and what to check.
 */

/** A command in a node (a snapshot, a trace, a check): generous, since some run for minutes. */
export const EXEC_TIMEOUT_MS = 5 * 60 * 1000;
/** Creating, starting or inspecting an exec: the engine answers these at once when it is well. */
export const ENGINE_CALL_TIMEOUT_MS = 60 * 1000;

/**
 * Runs `call` with an abort signal that fires after `ms`; rejects with a `failed` AppError
 * naming `what` when it does. `call` should stop its own work on the signal (destroy streams).
 */
export async function withDeadline<T>(what: string, ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  // Infinity: a command whose output the user watches and can interrupt themselves.
  if (!Number.isFinite(ms)) return call(controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new AppError('failed', `The Docker engine did not finish ${what} within ${formatSeconds(ms)}.`, {
          hint: 'The machine may be overloaded or the engine stuck: check `docker info` and the load, then try again.',
        }),
      );
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
