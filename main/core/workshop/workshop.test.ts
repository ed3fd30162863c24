import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { NAME_LIMIT, REJOIN_MINUTES, Workshop } from './workshop';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nl-workshop-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const make = (seats = 3) => Workshop.create(dir, { title: 'Tuesday class', labs: ['gre-tenant', 'gre-tenant', 'dhcp-router'], seats });

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('a workshop', () => {
  it('starts with its labs (once each), a join code nobody misreads and an instructor token', async () => {
    const workshop = await make();
    expect(workshop.labs).toEqual(['gre-tenant', 'dhcp-router']);
    expect(workshop.joinCode).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
    expect(workshop.instructorToken.length).toBeGreaterThanOrEqual(32);
    expect(workshop.isInstructor(workshop.instructorToken)).toBe(true);
    expect(workshop.isInstructor(`${workshop.instructorToken}x`)).toBe(false);
    // Only its owner reads the file: it holds the instructor's token.
    expect(statSync(workshop.file).mode & 0o077).toBe(0);
  });

  it('seats students by code and name, each with a secret of their own whose hash alone is kept', async () => {
    const workshop = await make();
    const ada = await workshop.join(` ${workshop.joinCode.toLowerCase()} `, '  Ada   Lovelace ');
    const alan = await workshop.join(workshop.joinCode, 'Alan');
    expect(ada.student).toMatchObject({ id: 's01', name: 'Ada Lovelace' });
    expect(alan.student.id).toBe('s02');
    expect(workshop.studentBySecret(ada.secret)?.id).toBe('s01');
    expect(workshop.studentBySecret(alan.secret)?.id).toBe('s02');
    expect(workshop.studentBySecret('guess')).toBeUndefined();
    expect(readFileSync(workshop.file, 'utf8')).not.toContain(ada.secret);
  });

  it('refuses a wrong code, a taken name (whatever its case), a bad name and a full room, saying which', async () => {
    const workshop = await make(2);
    expect((await refusal(workshop.join('WRONG1', 'Ada'))).code).toBe('forbidden');
    await workshop.join(workshop.joinCode, 'Ada');
    expect((await refusal(workshop.join(workshop.joinCode, 'ADA'))).message).toBe('The name "ADA" is taken in this workshop.');
    expect((await refusal(workshop.join(workshop.joinCode, '   '))).code).toBe('input');
    expect((await refusal(workshop.join(workshop.joinCode, 'x'.repeat(NAME_LIMIT + 1)))).message).toContain(`at most ${NAME_LIMIT}`);
    expect((await refusal(workshop.join(workshop.joinCode, 'Eve\u202egnp.exe'))).message).toContain('control or direction');
    await workshop.join(workshop.joinCode, 'Grace');
    const full = await refusal(workshop.join(workshop.joinCode, 'Linus'));
    expect(full).toMatchObject({ code: 'state', message: 'The workshop is full: 2 of 2 seats.' });
    expect(workshop.students.map((s) => s.name)).toEqual(['Ada', 'Grace']);
  });

  it('moves a student to another browser with a rejoin code that works once, in time, and voids the old secret', async () => {
    const workshop = await make();
    const ada = await workshop.join(workshop.joinCode, 'Ada');
    await workshop.join(workshop.joinCode, 'Alan');
    const now = new Date('2026-12-06T10:00:00Z');
    const { code, expiresAt } = await workshop.rejoinCode('s01', now);
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    expect(expiresAt).toBe(`2026-12-06T10:${String(REJOIN_MINUTES).padStart(2, '0')}:00.000Z`);
    expect(readFileSync(workshop.file, 'utf8')).not.toContain(code.replace('-', ''));
    // Typed in lower case without the dash on the new laptop: still the code.
    const moved = await workshop.rejoin(` ${code.replace('-', '').toLowerCase()} `, new Date(now.getTime() + 60_000));
    expect(moved.student).toMatchObject({ id: 's01', name: 'Ada' });
    expect(workshop.studentBySecret(moved.secret)?.id).toBe('s01');
    expect(workshop.studentBySecret(ada.secret)).toBeUndefined();
    // Spent: a second use is refused, like a wrong code.
    const spent = await refusal(workshop.rejoin(code, now));
    expect(spent).toMatchObject({ code: 'forbidden', message: 'That rejoin code is wrong, used or expired.' });
    // Expired, and replaced by a newer one.
    const late = await workshop.rejoinCode('s02', now);
    expect((await refusal(workshop.rejoin(late.code, new Date(Date.parse(late.expiresAt) + 1)))).code).toBe('forbidden');
    const first = await workshop.rejoinCode('s02', now);
    const second = await workshop.rejoinCode('s02', now);
    expect((await refusal(workshop.rejoin(first.code, now))).code).toBe('forbidden');
    expect((await workshop.rejoin(second.code, now)).student.id).toBe('s02');
    // Kept across a restart, like the seats.
    const kept = await workshop.rejoinCode('s01', now);
    expect((await (await Workshop.open(dir))!.rejoin(kept.code, now)).student.name).toBe('Ada');
    expect((await refusal(workshop.rejoinCode('s09'))).message).toBe('No student sits at seat s09.');
  });

  it('is read back whole by the next server: every student keeps their seat and secret', async () => {
    const first = await make();
    const [a, b] = await Promise.all([first.join(first.joinCode, 'Ada'), first.join(first.joinCode, 'Alan')]);
    const again = await Workshop.open(dir);
    expect(again?.joinCode).toBe(first.joinCode);
    expect(again?.studentBySecret(a.secret)?.name).toBe('Ada');
    expect(again?.studentBySecret(b.secret)?.name).toBe('Alan');
    expect(new Set(again?.students.map((s) => s.id))).toEqual(new Set(['s01', 's02']));
  });

  it("keeps the room's fault seed for break-fix labs, and has none unless one was given", async () => {
    expect((await make()).faultSeed).toBeUndefined();
    expect((await Workshop.open(dir))?.faultSeed).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
    await Workshop.create(dir, { title: 'Friday', labs: ['troubleshoot-l2'], seats: 2, faultSeed: 'friday-room' });
    expect((await Workshop.open(dir))?.faultSeed).toBe('friday-room');
  });

  it('says where a damaged file is wrong, and refuses to start a second workshop over the first', async () => {
    await make();
    expect((await refusal(make())).code).toBe('state');
    writeFileSync(Workshop.fileIn(dir), '{"version": 1, "id": "0123abcd", "title": 3}');
    expect((await refusal(Workshop.open(dir))).message).toMatch(/workshop\.json: title: /);
    writeFileSync(Workshop.fileIn(dir), '{"version": 1,');
    expect((await refusal(Workshop.open(dir))).message).toMatch(/workshop\.json is not JSON/);
  });

  it('is nothing at all where none was started', async () => {
    expect(await Workshop.open(dir)).toBeUndefined();
  });
});
