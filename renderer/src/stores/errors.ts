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
