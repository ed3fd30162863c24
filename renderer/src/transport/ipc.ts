import type { MethodName, MethodParams, MethodResults, Reply } from '../../../main/api/contract';
import { EventHub, unwrap, type Transport } from './transport';

/** The desktop app: calls and events go through the preload's two-function bridge. */
export function ipcTransport(bridge: NonNullable<Window['neutronLab']>): Transport {
  const hub = new EventHub();
  bridge.subscribe((name, payload) => hub.emit(name, payload));
  return {
    kind: 'ipc',
    async call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResults[M]> {
      return unwrap((await bridge.invoke(method, params)) as Reply<M>);
    },
    on: (event, listener) => hub.on(event, listener),
  };
}
