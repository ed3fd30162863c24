import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The renderer runs in a sandboxed browser page: whatever it imports from main/ (the contract and
 * the view, nothing else, as lint enforces) must not reach Node's built-ins or a Node-only package.
 * This follows every import — type-only ones too, so a type file cannot grow a Node import
 * unnoticed — from those two modules.
 */

const ENTRIES = ['contract.ts', 'view.ts'].map((f) => resolve(import.meta.dirname, f));
/** Packages the renderer bundles anyway and that run in a browser. */
const BROWSER_PACKAGES = new Set(['zod']);

function reachable(entries: string[]): { files: string[]; packages: Map<string, string> } {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^'"]*?from '([^']+)'/gm)) {
      const target = match[1] as string;
      if (target.startsWith('.')) {
        const path = resolve(dirname(file), target);
        queue.push(existsSync(`${path}.ts`) ? `${path}.ts` : resolve(path, 'index.ts'));
      } else {
        packages.set(target, relative(resolve(import.meta.dirname, '../..'), file));
      }
    }
  }
  return { files: [...seen], packages };
}

describe("the renderer's view of main/", () => {
  it('reaches no Node built-in and no Node-only package', () => {
    const { files, packages } = reachable(ENTRIES);
    expect(files.length).toBeGreaterThan(10);
    const foreign = [...packages].filter(([name]) => !BROWSER_PACKAGES.has(name)).map(([name, file]) => `${name} (from ${file})`);
    expect(foreign).toEqual([]);
  });
});
