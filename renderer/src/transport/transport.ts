import type { EventName, EventPayloads, MethodName, MethodParams, MethodResults, Reply } from '../../../main/api/contract';

/** How the renderer reaches the back end; it never knows (or cares) which kind it has. */
export interface Transport {
  readonly kind: 'ipc' | 'websocket';
  call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResults[M]>;
  /** Listens to one kind of event; returns the function that stops listening. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
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

/** Listeners by event name, shared by both transports. */
export class EventHub {
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();

  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit(event: string, payload: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (payload: unknown) => void)(payload);
  }
}
