import type { MethodName, MethodParams, MethodResults, Reply } from '../../../main/api/contract';

/** How the renderer reaches the back end; it never knows (or cares) which kind it has. */
export interface Transport {
  readonly kind: 'ipc' | 'websocket';
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResults[M]>;
}

/** An error from the back end, with its structured fields kept. */
export class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export function unwrap<M extends MethodName>(reply: Reply<M>): MethodResults[M] {
  if (reply.ok) return reply.result;
  throw new RemoteError(reply.error.code, reply.error.message, reply.error.hint);
}
