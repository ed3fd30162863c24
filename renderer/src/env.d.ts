declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

interface Window {
  /** Present only in the desktop app: the preload's bridge (main/electron/preload.ts). */
  neutronLab?: {
    invoke(method: string, params: unknown): Promise<unknown>;
    subscribe(listener: (name: string, payload: unknown) => void): () => void;
  };
}
declare module '*.css';
