import type { MethodName, MethodParams, MethodResults, Reply } from '../../../main/api/contract';
import { EventHub, RemoteError, unwrap, type Transport } from './transport';

/**
 * The browser mode: one WebSocket to /api on the page's own origin. Calls carry ids, so
 * replies may arrive in any order; events arrive as {event, payload}. The socket reconnects on
 * the next call after a drop (the server closes a dropped tab's terminals).
 */
export function websocketTransport(url: string): Transport {
  let socket: Promise<WebSocket> | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  const hub = new EventHub();

  const connect = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new RemoteError('environment', `Cannot reach the Neutron Lab server at ${url}.`));
      ws.onclose = () => {
        socket = undefined;
        for (const call of pending.values()) call.reject(new RemoteError('environment', 'The connection to the server closed.'));
        pending.clear();
      };
      ws.onmessage = (event: MessageEvent<string>) => {
        const message = JSON.parse(event.data) as { id: number; reply: Reply } | { event: string; payload: unknown };
        if ('event' in message) {
          hub.emit(message.event, message.payload);
          return;
        }
        pending.get(message.id)?.resolve(message.reply);
        pending.delete(message.id);
      };
    });

  return {
    kind: 'websocket',
    async call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResults[M]> {
      socket ??= connect().catch((error: unknown) => {
        socket = undefined;
        throw error;
      });
      const ws = await socket;
      const id = nextId++;
      const reply = new Promise<Reply>((resolve, reject) => pending.set(id, { resolve, reject }));
      ws.send(JSON.stringify({ id, method, params }));
      return unwrap((await reply) as Reply<M>);
    },
    on: (event, listener) => hub.on(event, listener),
  };
}
