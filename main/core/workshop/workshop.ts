import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors';
import { LAB_ID_PATTERN } from '../lab/lab-id';

/**
 * A workshop: one server, an instructor, a class of students. Its state — the title, the labs,
 * the seats, the instructor's token, the join code and every student who joined — is one JSON
 * file, written beside and renamed over so a crash or `kill -9` never leaves half of it, and read
 * back when the server starts again: identities outlive the process.
 *
 * A student's secret is kept by their browser (an HttpOnly cookie); the file holds only its hash.
 * To move to another browser, a student (or the instructor for them) asks for a rejoin code: it
 * works once, for REJOIN_MINUTES, and gives the new browser a new secret, so the old one's is void.
 */

const STATE_VERSION = 1;

const StudentSchema = z.object({
  /** The seat id: short, stable, and the prefix of the student's session names. */
  id: z.string().regex(/^s\d{2,3}$/),
  name: z.string(),
  secretSha256: z.string().regex(/^[0-9a-f]{64}$/),
  joinedAt: z.string(),
  /** A rejoin code given and not used yet: its hash, and until when it works. */
  rejoin: z.object({ codeSha256: z.string().regex(/^[0-9a-f]{64}$/), expiresAt: z.string() }).optional(),
});
export type Student = z.infer<typeof StudentSchema>;

const StateSchema = z.object({
  version: z.literal(STATE_VERSION),
  /** Tells this workshop's labs from another's on the same engine (they carry it in their student label). */
  id: z.string().regex(/^[0-9a-f]{8}$/),
  title: z.string(),
  labs: z.array(z.string().regex(LAB_ID_PATTERN)).min(1),
  seats: z.number().int().min(1).max(200),
  /** Break-fix labs: every student's fault is drawn from this seed, so the room shares one. */
  faultSeed: z.string().min(1).optional(),
  joinCode: z.string(),
  instructorToken: z.string().min(16),
  createdAt: z.string(),
  students: z.array(StudentSchema),
});
export type WorkshopState = z.infer<typeof StateSchema>;

export interface WorkshopOptions {
  title: string;
  labs: readonly string[];
  seats: number;
  faultSeed?: string;
}

/** A display name: 1 to 40 characters once trimmed, no control characters. */
export const NAME_LIMIT = 40;

/** Letters and digits nobody misreads on a projector (no 0/O, 1/I/L). */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** How long a rejoin code works: enough to walk to another machine, too short to guess it. */
export const REJOIN_MINUTES = 10;

/** Eight letters in two groups (XXXX-XXXX): 31^8, about 10^12, codes. */
const randomCode = (length: number) => Array.from({ length }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
const normalizeCode = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const secret = () => randomBytes(24).toString('base64url');

export class Workshop {
  /** Writes happen one at a time, in order: each is the whole state at that moment. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private state: WorkshopState,
  ) {}

  static fileIn(dir: string): string {
    return join(dir, 'workshop.json');
  }

  /** Opens the workshop kept in `dir`, or undefined when there is none. A damaged file is an error that says where. */
  static open(dir: string): Promise<Workshop | undefined> {
    return Workshop.openFile(Workshop.fileIn(dir));
  }

  /** Opens a workshop file (the kept one, or the record of an ended one), or undefined when it is not there. */
  static async openFile(file: string): Promise<Workshop | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new AppError('input', `${file} is not JSON: ${(error as Error).message}`, {
        hint: 'Restore it from a backup, or move it away to start a new workshop.',
      });
    }
    const parsed = StateSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('input', `${file}: ${issue?.path.join('.') || 'the file'}: ${issue?.message}`, {
        hint: 'Restore it from a backup, or move it away to start a new workshop.',
      });
    }
    return new Workshop(file, parsed.data);
  }

  /** Starts a new workshop in `dir` (refused when one is kept there: end it first). */
  static async create(dir: string, options: WorkshopOptions): Promise<Workshop> {
    if (await Workshop.open(dir)) {
      throw new AppError('state', `A workshop is already kept in ${dir}.`, {
        hint: 'Resume it with `neutron-lab workshop` (no --labs), or end it with `neutron-lab workshop end`.',
      });
    }
    const labs = [...new Set(options.labs)];
    const workshop = new Workshop(Workshop.fileIn(dir), {
      version: STATE_VERSION,
      id: randomBytes(4).toString('hex'),
      title: options.title,
      labs,
      seats: options.seats,
      ...(options.faultSeed === undefined ? {} : { faultSeed: options.faultSeed }),
      joinCode: randomCode(6),
      instructorToken: secret(),
      createdAt: new Date().toISOString(),
      students: [],
    });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await workshop.save();
    return workshop;
  }

  get id(): string {
    return this.state.id;
  }
  get title(): string {
    return this.state.title;
  }
  get labs(): readonly string[] {
    return this.state.labs;
  }
  get seats(): number {
    return this.state.seats;
  }
  get faultSeed(): string | undefined {
    return this.state.faultSeed;
  }
  get joinCode(): string {
    return this.state.joinCode;
  }
  get instructorToken(): string {
    return this.state.instructorToken;
  }
  get students(): readonly Student[] {
    return this.state.students;
  }

  isInstructor(token: string): boolean {
    return sameText(token, this.state.instructorToken);
  }

  /** The student whose browser holds this secret. */
  studentBySecret(given: string): Student | undefined {
    const hash = sha256(given);
    return this.state.students.find((s) => sameText(s.secretSha256, hash));
  }

  /**
   * A student takes a seat: the code must be the workshop's, the name fresh (names are unique,
   * ignoring case) and a seat free. Returns the student and the secret their browser keeps.
   */
  async join(code: string, rawName: string): Promise<{ student: Student; secret: string }> {
    if (!sameText(code.trim().toUpperCase(), this.state.joinCode)) {
      throw new AppError('forbidden', "That join code is not this workshop's.", { hint: 'Ask the instructor for the code on the screen.' });
    }
    const name = checkName(rawName);
    if (this.state.students.some((s) => s.name.toLowerCase() === name.toLowerCase())) {
      throw new AppError('input', `The name "${name}" is taken in this workshop.`, { hint: 'Add your initial or a number.' });
    }
    if (this.state.students.length >= this.state.seats) {
      throw new AppError('state', `The workshop is full: ${this.state.students.length} of ${this.state.seats} seats.`, {
        hint: 'Ask the instructor for a seat.',
      });
    }
    const given = secret();
    const width = this.state.seats >= 100 ? 3 : 2;
    const student: Student = {
      id: `s${String(this.state.students.length + 1).padStart(width, '0')}`,
      name,
      secretSha256: sha256(given),
      joinedAt: new Date().toISOString(),
    };
    this.state = { ...this.state, students: [...this.state.students, student] };
    await this.save();
    return { student, secret: given };
  }

  /**
   * A code that moves this student to another browser, once, within REJOIN_MINUTES. Asking again
   * replaces the code given before.
   */
  async rejoinCode(studentId: string, now = new Date()): Promise<{ code: string; expiresAt: string }> {
    if (!this.state.students.some((s) => s.id === studentId)) throw new AppError('input', `No student sits at seat ${studentId}.`);
    const code = randomCode(8);
    const expiresAt = new Date(now.getTime() + REJOIN_MINUTES * 60_000).toISOString();
    this.replaceStudent(studentId, (s) => ({ ...s, rejoin: { codeSha256: sha256(code), expiresAt } }));
    await this.save();
    return { code: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt };
  }

  /**
   * Takes a seat back with a rejoin code: the student gets a new secret (the browser they left
   * loses the seat) and the code is spent. A wrong, spent or expired code says only that.
   */
  async rejoin(rawCode: string, now = new Date()): Promise<{ student: Student; secret: string }> {
    const hash = sha256(normalizeCode(rawCode));
    const student = this.state.students.find(
      (s) => s.rejoin && sameText(s.rejoin.codeSha256, hash) && Date.parse(s.rejoin.expiresAt) > now.getTime(),
    );
    if (!student) {
      throw new AppError('forbidden', 'That rejoin code is wrong, used or expired.', {
        hint: `A code works once, for ${REJOIN_MINUTES} minutes: ask for a new one in your old browser, or from the instructor.`,
      });
    }
    const given = secret();
    const { rejoin: _spent, ...rest } = student;
    const moved: Student = { ...rest, secretSha256: sha256(given) };
    this.replaceStudent(student.id, () => moved);
    await this.save();
    return { student: moved, secret: given };
  }

  private replaceStudent(id: string, change: (student: Student) => Student): void {
    this.state = { ...this.state, students: this.state.students.map((s) => (s.id === id ? change(s) : s)) };
  }

  /** The state as written: the whole file each time, beside it first, then renamed over it. */
  private save(): Promise<void> {
    const text = `${JSON.stringify(this.state, null, 2)}\n`;
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        const beside = `${this.file}.${process.pid}.saving`;
        await writeFile(beside, text, { mode: 0o600 });
        await rename(beside, this.file);
      });
    return this.writing;
  }
}

function checkName(raw: string): string {
  const name = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (name.length === 0) throw new AppError('input', 'Give a name the class will know you by.');
  if ([...name].length > NAME_LIMIT)
    throw new AppError('input', `A name has at most ${NAME_LIMIT} characters; "${name.slice(0, 50)}…" has ${[...name].length}.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/.test(name)) {
    throw new AppError('input', 'A name may not contain control or direction characters.');
  }
  return name;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
