import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { Transport } from '../transport';

/**
 * The one Transport of this window, set once at start-up. Stores reach the back end through it
 * and never learn whether it is IPC or WebSocket. Held shallowly: a Transport is not state.
 */
export const useTransportStore = defineStore('transport', () => {
  const current = shallowRef<Transport>();

  function set(transport: Transport): void {
    current.value = transport;
  }

  function api(): Transport {
    if (!current.value) throw new Error('No transport: main.ts sets it before mounting the app.');
    return current.value;
  }

  return { current, set, api };
});
