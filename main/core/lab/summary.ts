import type { LoadedLab } from './load';
import type { Lab, Language } from './schema';
import { textIn } from './text';

/** What lists of labs show: the catalogue in the CLI and in the app. */
export interface LabSummary {
  id: string;
  title: string;
  summary: string;
  level: Lab['level'];
  minutes: number;
  release: string;
  nodes: string[];
  networks: string[];
  /** A troubleshooting lab: it boots with one of this many faults to find (0 for a guided lab). */
  faults: number;
  /** An explore sandbox: no steps; its cloud changes with openstack calls. */
  sandbox: boolean;
}

export function summarizeLab({ lab }: LoadedLab, language: Language = 'en'): LabSummary {
  return {
    id: lab.id,
    title: textIn(lab.title, language),
    summary: textIn(lab.summary, language),
    level: lab.level,
    minutes: lab.minutes,
    release: lab.release,
    nodes: Object.keys(lab.topology.nodes),
    networks: Object.keys(lab.topology.networks),
    faults: Object.keys(lab.faults).length,
    sandbox: lab.sandbox,
  };
}
