/**
 * The Monaco editor, as one lazily loaded chunk: only the editor's core, its features (find,
 * folding, hovers, marker navigation…) and the YAML grammar. monaco-editor's main entry would
 * also pull in the TypeScript, JSON, CSS and HTML language services and their big workers,
 * which a lab file does not need. Import this module only with a dynamic import().
 */
import 'monaco-editor/features/register.all.js';
import 'monaco-editor/languages/definitions/yaml/register.js';
import * as monaco from 'monaco-editor/editor/editor.api.js';

declare global {
  // Monaco reads its worker factory from here.
  var MonacoEnvironment: monaco.Environment | undefined;
}

// The editor worker (diffs, word ranges) as a same-origin module worker that Vite bundles:
// the page's CSP allows workers from 'self' and blob: only, and never eval.
globalThis.MonacoEnvironment = {
  getWorker: () => new Worker(new URL('monaco-editor/editor/editor.worker.js', import.meta.url), { type: 'module' }),
};

export { monaco };
