import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { assertLabId, isLabId } from '../lab/lab-id';
import { withHostLock } from '../host-lock';
import { userDataDir } from '../paths';

/**
 * A learner's progress per lab: objectives met (and when), the current step, hints used.
 * One JSON file per lab in the user's data folder, replaced atomically (write a temporary file,
 * flush it, rename it over the old one), so a killed process leaves the old file or the new one,
 * never half of either. A file that cannot be read — corrupt, or written by a newer version — is
 * moved aside under a name that says so and reported; it is never silently overwritten.
 *
 * One writer per file: every change, and every setting aside, happens under the file's host lock
 * (`<lab>.json.lock`), so concurrent callers — the app's clients, the CLI beside it — neither lose
 * each other's changes nor race to move one damaged file (the loser's rename used to fail).
 */

export const PROGRESS_VERSION = 1;

const ProgressSchema = z.object({
  version: z.literal(PROGRESS_VERSION),
  lab: z.string(),
  currentStep: z.number().int().min(0),
  objectives: z.record(z.string(), z.object({ metAt: z.string() })),
  hints: z.record(z.string(), z.number().int().min(0)),
  /** The session (by id) the hints were taken in: hints start afresh in each session of a lab. */
  hintsSession: z.string().optional(),
  /** Objectives that `solve` built, not the learner: counted, and marked "solved for you". */
  solved: z.record(z.string(), z.object({ solvedAt: z.string() })).default({}),
  /** Checks of each objective by the learner until it was met (the one that met it included). */
  attempts: z.record(z.string(), z.number().int().min(0)).default({}),
  /**
   * A break-fix lab's faults met so far: repaired by the learner (an objective asking for the
   * repair passed while it was the drawn fault), or by `solve` first (then it stays solved, as an
   * objective does). Each reset may draw another.
   */
  faults: z.record(z.string(), z.object({ repairedAt: z.string().optional(), solvedAt: z.string().optional() })).default({}),
  updatedAt: z.string(),
});

export type LabProgress = z.infer<typeof ProgressSchema>;

export interface ProgressRead {
  progress: LabProgress;
  /** Set when the stored file could not be used: what was wrong and where it was moved. */
  problem?: string;
}

export const emptyProgress = (lab: string): LabProgress => ({
  version: PROGRESS_VERSION,
  lab,
  currentStep: 0,
  objectives: {},
  hints: {},
  solved: {},
  attempts: {},
  faults: {},
  updatedAt: new Date(0).toISOString(),
});

/** What is wrong with a stored file, and the tag its set-aside copy is named with. */
interface Damage {
  why: string;
  tag: string;
}

/** How long a caller waits between looks at another writer's lock: writes take milliseconds. */
const LOCK_POLL_MS = 15;

export class ProgressStore {
  /**
   * Files this store set aside, by lab: the notice is repeated to every reader (the catalogue,
   * a concurrent check) until the lab's progress is written afresh, so it reaches the learner
   * whichever call happened to find the damage.
   */
  private readonly asideNotices = new Map<string, string>();

  constructor(readonly dir: string = join(userDataDir(), 'progress')) {}

  fileOf(lab: string): string {
    // The id becomes a file name: never one that leaves the progress folder.
    return join(this.dir, `${assertLabId(lab, 'progress')}.json`);
  }

  /** Reads without locking; only a damaged file takes the lock, to set it aside once. */
  async read(lab: string): Promise<ProgressRead> {
    const looked = await this.look(lab);
    if (!('damage' in looked)) return this.withNotice(lab, looked.progress);
    return this.locked(lab, () => this.readHoldingLock(lab));
  }

  /** Writes whole progress, under the lab's lock. */
  async write(progress: LabProgress): Promise<void> {
    await this.locked(progress.lab, () => this.writeHoldingLock(progress));
  }

  /** Reads, changes and writes one lab's progress, with no other writer in between. */
  async update(lab: string, change: (progress: LabProgress) => void): Promise<ProgressRead> {
    return this.locked(lab, async () => {
      const read = await this.readHoldingLock(lab);
      change(read.progress);
      await this.writeHoldingLock(read.progress);
      return read;
    });
  }

  async labs(): Promise<string[]> {
    try {
      return (await readdir(this.dir))
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
        .filter(isLabId)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  private async locked<T>(lab: string, body: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    return withHostLock(`${this.fileOf(lab)}.lock`, body, { pollMs: LOCK_POLL_MS });
  }

  private withNotice(lab: string, progress: LabProgress): ProgressRead {
    const problem = this.asideNotices.get(lab);
    return problem ? { progress, problem } : { progress };
  }

  /** The stored progress, or what is wrong with the file; changes nothing. */
  private async look(lab: string): Promise<{ progress: LabProgress } | { damage: Damage }> {
    let text: string;
    try {
      text = await readFile(this.fileOf(lab), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { progress: emptyProgress(lab) };
      // A folder, or a file we may not read, in the file's place: that lab's progress is damaged,
      // the catalogue around it is not.
      return {
        damage: {
          why: code === 'EISDIR' ? 'it is a folder, not a file' : `it cannot be read (${(error as Error).message})`,
          tag: 'corrupt',
        },
      };
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      return { damage: { why: `it is not JSON (${(error as Error).message})`, tag: 'corrupt' } };
    }
    const version = (data as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && version > PROGRESS_VERSION) {
      return {
        damage: { why: `a newer Neutron Lab wrote it (format ${version}; this one reads ${PROGRESS_VERSION})`, tag: `v${version}` },
      };
    }
    const parsed = ProgressSchema.safeParse(data);
    if (!parsed.success || parsed.data.lab !== lab) {
      const why = parsed.success
        ? `it belongs to lab "${parsed.data.lab}"`
        : `${parsed.error.issues[0]?.path.join('.') || 'the file'}: ${parsed.error.issues[0]?.message}`;
      return { damage: { why, tag: 'corrupt' } };
    }
    return { progress: parsed.data };
  }

  /** Looks again with the lock held (another caller may have set the file aside meanwhile) and sets a damaged file aside. */
  private async readHoldingLock(lab: string): Promise<ProgressRead> {
    const looked = await this.look(lab);
    if (!('damage' in looked)) return this.withNotice(lab, looked.progress);
    const problem = await this.setAside(lab, looked.damage);
    this.asideNotices.set(lab, problem);
    return { progress: emptyProgress(lab), problem };
  }

  private async writeHoldingLock(progress: LabProgress): Promise<void> {
    const file = this.fileOf(progress.lab);
    const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify({ ...progress, updatedAt: new Date().toISOString() }, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
    // The progress starts afresh for real now: the notice has been given.
    this.asideNotices.delete(progress.lab);
  }

  private async setAside(lab: string, damage: Damage): Promise<string> {
    const file = this.fileOf(lab);
    // Time and a random suffix: two files set aside in one millisecond never replace each other.
    const aside = `${file}.${damage.tag}-${new Date().toISOString().replaceAll(':', '-')}-${randomBytes(3).toString('hex')}`;
    await rename(file, aside);
    return `The progress file of ${lab} could not be used: ${damage.why}. It was kept as ${aside}; progress starts afresh.`;
  }
}
