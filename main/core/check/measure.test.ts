import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../lab/load';
import type { Check } from './schema';

/**
 * backend-compare shows each measured figure beside seed 003's: the references it quotes must be
 * the seed's own numbers (fixture: seed 003, lines 22-86), for the right setup and metric.
 */

const root = join(import.meta.dirname, '..', '..', '..');
const labFile = join(root, 'labs', 'backend-compare', 'lab.yaml');
const lab = parseLab(readFileSync(labFile, 'utf8'), labFile).lab;
const seed = readFileSync(join(root, 'main', 'core', 'inspect', 'fixtures', 'seed', '003-L22.backend-figures.txt'), 'utf8');

/** The seed's table: per setup (its own words), the fixed-IP round trip and the throughput. */
function seedFigures(): Map<string, { rtt: string; throughput: string }> {
  const [rtts = '', throughputs = ''] = seed.split('在同一个host上的');
  const figures = new Map<string, { rtt: string; throughput: string }>();
  for (const setup of ['Linux bridge + vxlan', '关闭安全组 ovs + vxlan', 'ovs + vxlan']) {
    const after = (text: string, unit: RegExp) => {
      const at = text.search(new RegExp(`(^|\\n)\\s*${setup.replace(/[+]/g, '\\+').replace(/ /g, '\\s*')}\\s*\\n`));
      return unit.exec(text.slice(at))?.[1] ?? '';
    };
    figures.set(setup, { rtt: after(rtts, /([\d.]+)ms/), throughput: after(throughputs, /([\d.]+) Gbits\/sec/) });
  }
  return figures;
}

const measures = lab.steps
  .flatMap((s) => s.objectives)
  .map((o) => o.check)
  .filter((c): c is Extract<Check, { kind: 'measure' }> => c.kind === 'measure');

describe("backend-compare's references", () => {
  const figures = seedFigures();

  it('reads the seed’s table', () => {
    expect(Object.fromEntries(figures)).toEqual({
      'Linux bridge + vxlan': { rtt: '1.124', throughput: '7.86' },
      '关闭安全组 ovs + vxlan': { rtt: '1.073', throughput: '8.32' },
      'ovs + vxlan': { rtt: '1.179', throughput: '7.10' },
    });
  });

  it('quotes, for each setup and metric, the seed’s figure', () => {
    const setupOf = (vm: string) =>
      vm.startsWith('lb') ? 'Linux bridge + vxlan' : vm.startsWith('bare') ? '关闭安全组 ovs + vxlan' : 'ovs + vxlan';
    expect(measures).toHaveLength(6);
    for (const m of measures) {
      const figure = figures.get(setupOf(m.from.vm));
      expect(m.reference, m.from.vm).toContain(m.metric === 'rtt' ? `${figure?.rtt} ms` : `${figure?.throughput} Gbit/s`);
    }
  });
});
