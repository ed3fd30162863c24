import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors';
import { HIGH_WATER, LOW_WATER } from '../core/terminal/terminals';
import { SCROLLBACK_CHARS, SharedTerminals } from './shared-terminals';

/** The registry behind watching a terminal; the real terminals are test/integration/workshop.test.ts's. */

function watcher() {
  const got = { data: new Map<string, string>(), exits: [] as string[], skipped: [] as number[] };
  return {
    got,
    watcher: {
      data: (id: string, data: string, skipped?: number) => {
        got.data.set(id, (got.data.get(id) ?? '') + data);
        if (skipped) got.skipped.push(skipped);
      },
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

  it('never slows the terminal for a watcher that falls behind: its copy stops, counts what it missed, says so once caught up', () => {
    const shared = new SharedTerminals();
    shared.opened({ id: 't1', session: 's01-lab', node: 'compute1', by: 'Ada (s01)', openedAt: 'now' }, () => undefined);
    const slow = watcher();
    const quick = watcher();
    const { watchId: slowId } = shared.watch('t1', slow.watcher, false);
    const { watchId: quickId } = shared.watch('t1', quick.watcher, false);
    const chunk = 'y'.repeat(64 * 1024);
    // The terminal's output goes on (it is the owner's flow control that paces it); the slow view draws nothing.
    for (let i = 0; i < 8; i++) {
      shared.output('t1', chunk);
      shared.ack(quickId, chunk.length);
    }
    const sent = slow.got.data.get(slowId)!.length;
    expect(sent).toBeGreaterThan(HIGH_WATER);
    expect(sent).toBeLessThanOrEqual(HIGH_WATER + chunk.length);
    expect(quick.got.data.get(quickId)!.length).toBe(8 * chunk.length);
    // Caught up only partly: still above LOW_WATER, nothing said yet.
    shared.ack(slowId, sent - LOW_WATER);
    expect(slow.got.skipped).toEqual([]);
    shared.ack(slowId, LOW_WATER);
    expect(slow.got.skipped).toEqual([8 * chunk.length - sent]);
    // And the copy goes on from there, told once.
    shared.output('t1', 'next');
    expect(slow.got.data.get(slowId)!.endsWith('next')).toBe(true);
    expect(slow.got.skipped).toHaveLength(1);
    expect(quick.got.skipped).toEqual([]);
    // Acks after the watch ended are harmless.
    shared.unwatch(slowId);
    expect(() => shared.ack(slowId, 10)).not.toThrow();
  });
});
