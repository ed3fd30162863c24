import { ipcMain, type WebContents, type WebFrameMain } from 'electron';
import { IPC_CHANNELS } from '../api/channels';
import type { ApiService, Client } from '../api/service';

/**
 * The IPC adapter of the contract. Calls are accepted only from the app's own page: a frame
 * showing anything else (a link that escaped, an injected iframe) gets a refusal, not Docker.
 * Each window is one client: its events go to it alone, and its terminals close with it.
 */
export function serveIpc(service: ApiService, isAppUrl: (url: string) => boolean): void {
  const clients = new Map<number, Client>();
  const clientOf = (contents: WebContents): Client => {
    let client = clients.get(contents.id);
    if (!client) {
      client = service.client((name, payload) => {
        if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.event, name, payload);
      });
      clients.set(contents.id, client);
      contents.once('destroyed', () => {
        void clients.get(contents.id)?.close();
        clients.delete(contents.id);
      });
    }
    return client;
  };
  ipcMain.handle(IPC_CHANNELS.invoke, async (event, method: unknown, params: unknown) => {
    const frame: WebFrameMain | null = event.senderFrame;
    if (!frame || !isAppUrl(frame.url)) {
      return { ok: false, error: { code: 'usage', message: 'Calls are accepted only from the Neutron Lab window.' } };
    }
    return clientOf(event.sender).dispatch(method, params);
  });
}
