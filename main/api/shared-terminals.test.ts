import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors';
import { SCROLLBACK_CHARS, SharedTerminals } from './shared-terminals';

/** The registry behind watching a terminal; the real terminals are test/integration/workshop.test.ts's. */

function watcher() {
  const got = { data: new Map<string, string>(), exits: [] as string[] };
  return {
    got,
    watcher: {
      data: (id: string, data: string) => got.data.set(id, (got.data.get(id) ?? '') + data),
      exit: (id: string) => got.exits.push(id),
    },
  };
}

describe('shared terminals', () => {
  it('copies output to watchers after the tail so far, and lets only one who took over type', () => {
    const shared = new SharedTerminals();
    const typed: string[] = [];
    shared.opened({ id: 't1', session: 's01-lab', node: 'compute1', by: 'Ada (s01)', openedAt: 'now' }, (d) => typed.push(d));
    shared.output('t1', 'x'.repeat(SCROLLBACK_CHARS));
    shared.output('t1', 'hello\r\n');
    const { watcher: w, got } = watcher();
    const watching = shared.watch('t1', w, false);
    expect(watching.scrollback.length).toBe(SCROLLBACK_CHARS);
    expect(watching.scrollback.endsWith('hello\r\n')).toBe(true);
    shared.output('t1', 'more');
    expect(got.data.get(watching.watchId)).toBe('more');
    expect(() => shared.write(watching.watchId, 'ls\r')).toThrow(AppError);
    const control = shared.watch('t1', w, true);
    shared.write(control.watchId, 'ls\r');
    expect(typed).toEqual(['ls\r']);
    expect(shared.inSession('s01-lab').map((t) => t.id)).toEqual(['t1']);
    expect(shared.inSession('s02-lab')).toEqual([]);

    shared.unwatch(watching.watchId);
    shared.output('t1', '!');
    expect(got.data.get(watching.watchId)).toBe('more');
    shared.ended('t1', 0);
    expect(got.exits).toEqual([control.watchId]);
    expect(shared.inSession('s01-lab')).toEqual([]);
    expect(() => shared.watch('t1', w, false)).toThrow('That terminal is closed.');
    expect(() => shared.write(control.watchId, 'ls\r')).toThrow('That terminal is closed.');
  });
});
