import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest first. The integration files run three at a time and take from 5 s to over 3 minutes;
 * a long file started last runs alone at the end while the other workers idle. Vitest orders by
 * the durations it cached on an earlier run, which a fresh clone (CI) does not have, so the
 * measured seconds of each file are kept in durations.json (from a full run with three workers
 * on 2 cores; refresh it when a file's time changes a lot). The Dockerfile builder's is a new
 * machine's, where it downloads Debian's packages (72 s where its base image is kept): started
 * last there, it ran alone at the end. Files it does not list run after those it lists, unit
 * files last: short ones fill the gaps at the end.
 */
const measured = JSON.parse(readFileSync(join(import.meta.dirname, 'durations.json'), 'utf8')) as Record<string, number>;

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const weight = (spec: TestSpecification) => {
      const file = relative(root, spec.moduleId).split('\\').join('/');
      return measured[file] ?? (file.startsWith('test/integration/') ? 1 : 0);
    };
    // Array sort is stable: among equal weights, vitest's own order stays.
    return sorted.sort((a, b) => weight(b) - weight(a));
  }
}
