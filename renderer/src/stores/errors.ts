import { RemoteError } from '../transport/transport';

/** What the UI shows for a failure: the back end's message and, when it knows one, the exact fix. */
export interface Problem {
  message: string;
  hint?: string;
}

export function describeError(error: unknown): Problem {
  if (error instanceof RemoteError) return error.hint ? { message: error.message, hint: error.hint } : { message: error.message };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}

/** A problem on one line, for places with room for no more (a terminal notice, a topology node). */
export function problemText(problem: Problem): string {
  return problem.hint ? `${problem.message} ${problem.hint}` : problem.message;
}

/** An error on one line, its hint kept. */
export function errorText(error: unknown): string {
  return problemText(describeError(error));
}
