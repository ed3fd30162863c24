import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The floors of main/core depend on each other one way only: a folder never imports, however
 * indirectly, a folder that imports it. This walks every import of every source file and looks
 * for a cycle between folders (files at main/core's top level are pure helpers and count as none).
 */

const CORE = resolve(import.meta.dirname);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The top folder of main/core a file is in, or undefined for the top level. */
const folderOf = (file: string): string | undefined => {
  const parts = relative(CORE, file).split(sep);
  return parts.length > 1 ? parts[0] : undefined;
};

export function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sources(CORE)) {
    const from = folderOf(file);
    if (!from) continue;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const match of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)) {
      const to = folderOf(resolve(dirname(file), match[1] as string));
      if (to && to !== from) edges.add(to);
    }
  }
  return graph;
}

/** One cycle through the graph, as a path of folders, or undefined. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('main/core folders', () => {
  it('import each other without a cycle', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(5);
    expect(findCycle(graph)?.join(' → ')).toBeUndefined();
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['lab', new Set(['run'])],
      ['run', new Set(['easyovs'])],
      ['easyovs', new Set(['lab'])],
    ]);
    expect(findCycle(graph)).toEqual(['lab', 'run', 'easyovs', 'lab']);
  });
});
