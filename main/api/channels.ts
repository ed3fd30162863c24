/**
 * The only IPC channels between the renderer and the main process. The preload imports just
 * this file, so it stays tiny and cannot reach any other channel.
 */
export const IPC_CHANNELS = {
  /** Renderer → main: one method call of the contract; answers with a Reply. */
  invoke: 'neutron-lab:invoke',
  /** Main → renderer: one event of the contract (name, payload). */
  event: 'neutron-lab:event',
} as const;
