import { describe, expect, it } from 'vitest';
import { DebootstrapProgress, formatPrintf } from './debootstrap-progress';

describe('DebootstrapProgress', () => {
  it('maps stage progress onto the whole build and never runs backwards', () => {
    const progress = new DebootstrapProgress();
    expect(progress.feed('P: 0 100 DOWNREL')).toMatchObject({ stage: 'download', percent: 0 });
    expect(progress.feed('P: 50 100 DOWNDEBS')?.percent).toBeCloseTo(26.5);
    // wget's progress lines carry no stage name: they continue the last stage.
    expect(progress.feed('P: 100 100')?.percent).toBe(45);
    expect(progress.feed('P: 3 10 EXTRACTPKGS')).toMatchObject({ stage: 'extract', percent: 48 });
    expect(progress.feed('P: 0 10 UNPACKREQ')).toMatchObject({ stage: 'install', percent: 55 });
    expect(progress.feed('P: 0 10 DOWNREL')?.percent).toBe(55);
    expect(progress.feed('P: 10 10 CONFBASE')?.percent).toBe(88);
  });

  it('turns info messages into the progress message', () => {
    const progress = new DebootstrapProgress();
    expect(progress.feed('I: RETRIEVING')).toBeUndefined();
    expect(progress.feed('IA: openvswitch-switch')).toBeUndefined();
    expect(progress.feed('IA: 3.1.0-2')).toBeUndefined();
    expect(progress.feed('IF: Retrieving %s %s')).toMatchObject({ message: 'Retrieving openvswitch-switch 3.1.0-2' });
  });

  it('remembers the last error and ignores noise', () => {
    const progress = new DebootstrapProgress();
    progress.feed('E: COULDNTDLPKGS');
    progress.feed('EA: haproxy');
    expect(progress.feed("EF: Couldn't download packages: %s")).toBeUndefined();
    expect(progress.lastError).toBe("Couldn't download packages: haproxy");
    expect(progress.feed('random text')).toBeUndefined();
    expect(progress.feed('P: x y DOWNREL')).toBeUndefined();
    expect(progress.feed('P: 1 0 DOWNREL')).toBeUndefined();
  });
});

describe('formatPrintf', () => {
  it('fills %s and %d in order and keeps %%', () => {
    expect(formatPrintf('%s of %d (100%%)', ['a', '3'])).toBe('a of 3 (100%)');
    expect(formatPrintf('%s %s', ['only'])).toBe('only ');
  });
});
