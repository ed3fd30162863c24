import type { ProgressEvent } from '../progress';

/**
 * Reads mmdebstrap's log (`I:` for each step it starts, `W:` warnings, `E:` errors) and turns it
 * into overall build progress. mmdebstrap reports steps, not counts, so each step moves the bar
 * to where that step starts in the whole build (the rest is the setup script and the import).
 */

/** mmdebstrap's steps, in order: the start of its message, and where the step begins. */
const STEPS: { starts: string; stage: string; percent: number; message: string }[] = [
  { starts: 'running apt-get update', stage: 'download', percent: 3, message: "Reading Debian's package lists" },
  { starts: 'downloading packages', stage: 'download', percent: 10, message: 'Downloading packages' },
  { starts: 'extracting archives', stage: 'extract', percent: 40, message: 'Extracting the essential packages' },
  { starts: 'installing essential packages', stage: 'install', percent: 50, message: 'Installing the essential packages' },
  { starts: 'installing remaining packages', stage: 'install', percent: 62, message: 'Installing the node packages' },
  { starts: 'cleaning', stage: 'install', percent: 86, message: 'Cleaning up' },
];

/** Percent reached when mmdebstrap is done; the builder reports setup and import beyond it. */
export const BOOTSTRAP_DONE_PERCENT = 88;

export class MmdebstrapProgress {
  private percent = 0;
  /** The last error mmdebstrap reported. */
  lastError: string | undefined;

  /** Feeds one line; returns a progress event when the line starts a step. */
  feed(line: string): ProgressEvent | undefined {
    const match = /^([IWE]): (.*)$/.exec(line);
    if (!match) return undefined;
    const [, kind, text = ''] = match;
    if (kind === 'E') {
      this.lastError = text;
      return undefined;
    }
    if (kind !== 'I') return undefined;
    const step = STEPS.find((s) => text.startsWith(s.starts));
    // A step never moves the bar back (a hook may print a step's words again).
    if (!step || step.percent <= this.percent) return undefined;
    this.percent = step.percent;
    return { stage: step.stage, percent: step.percent, message: step.message };
  }
}
