import { ipcTransport } from './ipc';
import type { Transport } from './transport';
import { websocketTransport } from './websocket';

/** The desktop app has the preload's bridge; a browser talks to the server that served the page. */
export function pickTransport(): Transport {
  if (window.neutronLab) return ipcTransport(window.neutronLab);
  const token = new URLSearchParams(window.location.search).get('token');
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return websocketTransport(`${scheme}//${window.location.host}/api${query}`);
}

export type { Transport } from './transport';
export { RemoteError } from './transport';
