import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

/**
 * electron-vite builds the three parts of the desktop app into out/:
 * main (Node, ESM), preload (sandboxed, so CommonJS and self-contained), renderer (the Vue app,
 * also what the browser mode serves). Packaging settings live in electron-builder.yml.
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: 'main/electron/main.ts' } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: 'main/electron/preload.ts' },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      // Monaco alone is megabytes unminified; the renderer ships minified.
      minify: true,
      rollupOptions: { input: { index: 'renderer/index.html' } },
    },
  },
});
