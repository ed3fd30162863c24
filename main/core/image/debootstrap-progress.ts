import type { ProgressEvent } from '../progress';

/**
 * Reads debootstrap's machine-readable progress (what it writes to file descriptor 3 when run
 * with --debian-installer) and turns it into overall build progress.
 *
 * The protocol: `P: <now> <end> <STAGE>` reports a stage's progress; `I: <NAME>`, then `IA: <arg>`
 * lines, then `IF: <printf format>` is one informational message; `E:`/`EA:`/`EF:` is an error.
 */

/** Where each debootstrap stage falls in the whole image build (the rest is setup and import). */
const STAGE_SPANS: Record<string, { stage: string; from: number; to: number }> = {
  DOWNREL: { stage: 'download', from: 0, to: 2 },
  DOWNRELSIG: { stage: 'download', from: 2, to: 3 },
  DOWNPKGS: { stage: 'download', from: 3, to: 5 },
  DOWNMAINPKGS: { stage: 'download', from: 3, to: 5 },
  SIZEDEBS: { stage: 'download', from: 5, to: 8 },
  DOWNDEBS: { stage: 'download', from: 8, to: 45 },
  EXTRACTPKGS: { stage: 'extract', from: 45, to: 55 },
  // The install stages share one counter that runs over all of them.
  INSTCORE: { stage: 'install', from: 55, to: 88 },
  UNPACKREQ: { stage: 'install', from: 55, to: 88 },
  CONFREQ: { stage: 'install', from: 55, to: 88 },
  UNPACKBASE: { stage: 'install', from: 55, to: 88 },
  CONFBASE: { stage: 'install', from: 55, to: 88 },
};

/** Percent reached when debootstrap is done; the builder reports setup and import beyond it. */
export const DEBOOTSTRAP_DONE_PERCENT = 88;

export class DebootstrapProgress {
  private percent = 0;
  private stage = 'download';
  /** Download progress lines (from wget) carry no stage name: they continue the last one. */
  private lastStageName: string | undefined;
  private message = 'Starting debootstrap';
  private pending: { kind: 'I' | 'E' | 'W'; args: string[] } | undefined;
  /** The last error debootstrap reported, formatted. */
  lastError: string | undefined;

  /** Feeds one line; returns a progress event when the line changed what we report. */
  feed(line: string): ProgressEvent | undefined {
    const match = /^([A-Z]{1,2}): ?(.*)$/.exec(line);
    if (!match) return undefined;
    const [, tag, rest = ''] = match;
    switch (tag) {
      case 'P':
        return this.onProgress(rest);
      case 'I':
      case 'E':
      case 'W':
        this.pending = { kind: tag, args: [] };
        return undefined;
      case 'IA':
      case 'EA':
      case 'WA':
        this.pending?.args.push(rest);
        return undefined;
      case 'IF':
      case 'EF':
      case 'WF': {
        const text = formatPrintf(rest, this.pending?.args ?? []);
        const kind = this.pending?.kind;
        this.pending = undefined;
        if (kind === 'E') this.lastError = text;
        if (kind !== 'I') return undefined;
        this.message = text;
        return this.event();
      }
      default:
        return undefined;
    }
  }

  private onProgress(rest: string): ProgressEvent | undefined {
    const [nowText, endText, named] = rest.trim().split(/\s+/);
    const name = named ?? this.lastStageName;
    const span = name === undefined ? undefined : STAGE_SPANS[name];
    if (named !== undefined) this.lastStageName = named;
    const now = Number(nowText);
    const end = Number(endText);
    if (!span || !Number.isFinite(now) || !Number.isFinite(end) || end <= 0) return undefined;
    const fraction = Math.min(1, Math.max(0, now / end));
    const percent = span.from + (span.to - span.from) * fraction;
    this.stage = span.stage;
    // Progress never runs backwards, even when debootstrap restarts a counter.
    this.percent = Math.max(this.percent, Math.round(percent * 10) / 10);
    return this.event();
  }

  private event(): ProgressEvent {
    return { stage: this.stage, percent: this.percent, message: this.message };
  }
}

/** The `%s`/`%d`/`%%` subset of printf that debootstrap's messages use. */
export function formatPrintf(format: string, args: readonly string[]): string {
  let next = 0;
  return format.replace(/%(%|[sd])/g, (_, kind: string) => (kind === '%' ? '%' : (args[next++] ?? '')));
}
