import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNELS } from '../api/channels';

/**
 * The whole bridge between the sandboxed renderer and the app: one generic call. The renderer
 * gets no Node, no Electron, and no way to name an IPC channel of its own choosing.
 */
const bridge = {
  invoke: (method: string, params: unknown): Promise<unknown> => ipcRenderer.invoke(IPC_CHANNELS.invoke, method, params),
};

contextBridge.exposeInMainWorld('neutronLab', bridge);
