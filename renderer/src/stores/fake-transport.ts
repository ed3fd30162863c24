import type { EventName, EventPayloads, MethodName, MethodParams, MethodResults } from '../../../main/api/contract';
import { EventHub, RemoteError, type Transport } from '../transport/transport';

/**
 * A Transport for unit tests of the stores: answers from a table of handlers, records every call,
 * and lets a handler push events the way the back end does while a call runs.
 */

type Handler<M extends MethodName> = (params: MethodParams<M>, emit: FakeTransport['emit']) => MethodResults[M] | Promise<MethodResults[M]>;
export type Handlers = { [M in MethodName]?: Handler<M> };

export interface FakeTransport extends Transport {
  calls: { method: MethodName; params: unknown }[];
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
}

export function fakeTransport(handlers: Handlers): FakeTransport {
  const hub = new EventHub();
  const calls: FakeTransport['calls'] = [];
  const emit: FakeTransport['emit'] = (event, payload) => hub.emit(event, payload);
  return {
    kind: 'websocket',
    calls,
    emit,
    async call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResults[M]> {
      calls.push({ method, params });
      const handler = handlers[method] as Handler<M> | undefined;
      if (!handler) throw new RemoteError('usage', `the fake has no ${method}`);
      return handler(params, emit);
    },
    on: (event, listener) => hub.on(event, listener),
  };
}
