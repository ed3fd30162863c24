import type { MethodName, MethodParams, MethodResults, Reply } from '../../../main/api/contract';
import { unwrap, type Transport } from './transport';

/** The desktop app: calls go through the preload's one-method bridge. */
export function ipcTransport(bridge: NonNullable<Window['neutronLab']>): Transport {
  return {
    kind: 'ipc',
    async call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResults[M]> {
      return unwrap((await bridge.invoke(method, params)) as Reply<M>);
    },
  };
}
