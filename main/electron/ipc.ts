import { ipcMain, type WebFrameMain } from 'electron';
import { IPC_CHANNELS } from '../api/channels';
import type { ApiService } from '../api/service';

/**
 * The IPC adapter of the contract. Calls are accepted only from the app's own page: a frame
 * showing anything else (a link that escaped, an injected iframe) gets a refusal, not Docker.
 */
export function serveIpc(service: ApiService, isAppUrl: (url: string) => boolean): void {
  ipcMain.handle(IPC_CHANNELS.invoke, async (event, method: unknown, params: unknown) => {
    const frame: WebFrameMain | null = event.senderFrame;
    if (!frame || !isAppUrl(frame.url)) {
      return { ok: false, error: { code: 'usage', message: 'Calls are accepted only from the Neutron Lab window.' } };
    }
    return service.dispatch(method, params);
  });
}
