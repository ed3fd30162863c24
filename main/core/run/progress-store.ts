import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { assertLabId, isLabId } from '../lab/lab-id';
import { userDataDir } from '../paths';

/**
 * A learner's progress per lab: objectives met (and when), the current step, hints used.
 * One JSON file per lab in the user's data folder, replaced atomically (write a temporary file,
 * flush it, rename it over the old one), so a killed process leaves the old file or the new one,
 * never half of either. A file that cannot be read — corrupt, or written by a newer version — is
 * moved aside under a name that says so and reported; it is never silently overwritten.
 */

export const PROGRESS_VERSION = 1;

const ProgressSchema = z.object({
  version: z.literal(PROGRESS_VERSION),
  lab: z.string(),
  currentStep: z.number().int().min(0),
  objectives: z.record(z.string(), z.object({ metAt: z.string() })),
  hints: z.record(z.string(), z.number().int().min(0)),
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
  updatedAt: new Date(0).toISOString(),
});

export class ProgressStore {
  constructor(readonly dir: string = join(userDataDir(), 'progress')) {}

  fileOf(lab: string): string {
    // The id becomes a file name: never one that leaves the progress folder.
    return join(this.dir, `${assertLabId(lab, 'progress')}.json`);
  }

  async read(lab: string): Promise<ProgressRead> {
    const file = this.fileOf(lab);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { progress: emptyProgress(lab) };
      throw error;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      return { progress: emptyProgress(lab), problem: await this.setAside(lab, `it is not JSON (${(error as Error).message})`, 'corrupt') };
    }
    const version = (data as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && version > PROGRESS_VERSION) {
      return { progress: emptyProgress(lab), problem: await this.setAside(lab, `a newer Neutron Lab wrote it (format ${version}; this one reads ${PROGRESS_VERSION})`, `v${version}`) };
    }
    const parsed = ProgressSchema.safeParse(data);
    if (!parsed.success || parsed.data.lab !== lab) {
      const why = parsed.success ? `it belongs to lab "${parsed.data.lab}"` : `${parsed.error.issues[0]?.path.join('.') || 'the file'}: ${parsed.error.issues[0]?.message}`;
      return { progress: emptyProgress(lab), problem: await this.setAside(lab, why, 'corrupt') };
    }
    return { progress: parsed.data };
  }

  async write(progress: LabProgress): Promise<void> {
    await mkdir(this.dir, { recursive: true });
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
  }

  /** Reads, changes and writes one lab's progress. */
  async update(lab: string, change: (progress: LabProgress) => void): Promise<ProgressRead> {
    const read = await this.read(lab);
    change(read.progress);
    await this.write(read.progress);
    return read;
  }

  async labs(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).filter(isLabId).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  private async setAside(lab: string, why: string, tag: string): Promise<string> {
    const file = this.fileOf(lab);
    // Time and a random suffix: two files set aside in one millisecond never replace each other.
    const aside = `${file}.${tag}-${new Date().toISOString().replaceAll(':', '-')}-${randomBytes(3).toString('hex')}`;
    await rename(file, aside);
    return `The progress file of ${lab} could not be used: ${why}. It was kept as ${aside}; progress starts afresh.`;
  }
}
