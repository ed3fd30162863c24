import { stringify } from 'yaml';
import type { Lab } from '../lab/schema';

/**
 * Authoring by doing: a sandbox's cloud, as the calls built it, written as a new lab's file —
 * the sandbox's topology, release and cloud under a new id, no steps yet (the author writes
 * the guide and the objectives that prove it).
 */
export function sandboxAsLab(lab: Lab, id: string): string {
  const file = {
    id,
    title: { en: `${id}: a cloud built in the ${lab.id} sandbox` },
    summary: { en: `The cloud made by openstack calls in the ${lab.id} sandbox. Write its guide and the objectives that prove it.` },
    level: lab.level,
    minutes: lab.minutes,
    release: lab.release,
    seeds: lab.seeds,
    topology: lab.topology,
    cloud: lab.cloud,
    steps: [],
  };
  return `# yaml-language-server: $schema=../lab.schema.json\n${stringify(file, { lineWidth: 0 })}`;
}
