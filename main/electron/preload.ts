import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNELS } from '../api/channels';

/**
 * The whole bridge between the sandboxed renderer and the app: one generic call, and one
 * subscription to the contract's events. The renderer gets no Node, no Electron, and no way to
 * name an IPC channel of its own choosing.
 */
const bridge = {
  invoke: (method: string, params: unknown): Promise<unknown> => ipcRenderer.invoke(IPC_CHANNELS.invoke, method, params),
  /** Calls `listener(name, payload)` for every event; returns the unsubscribe function. */
  subscribe: (listener: (name: string, payload: unknown) => void): (() => void) => {
    const handler = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on(IPC_CHANNELS.event, handler);
    return () => ipcRenderer.off(IPC_CHANNELS.event, handler);
  },
};

contextBridge.exposeInMainWorld('neutronLab', bridge);
