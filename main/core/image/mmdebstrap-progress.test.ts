import { describe, expect, it } from 'vitest';
import { MmdebstrapProgress } from './mmdebstrap-progress';

describe('MmdebstrapProgress', () => {
  it('moves the bar at each step mmdebstrap starts, and never back', () => {
    const progress = new MmdebstrapProgress();
    expect(progress.feed('I: automatically chosen mode: root')).toBeUndefined();
    expect(progress.feed('I: running apt-get update...')).toMatchObject({ stage: 'download', percent: 3 });
    expect(progress.feed('I: downloading packages with apt...')).toMatchObject({ stage: 'download', percent: 10 });
    expect(progress.feed('I: extracting archives...')).toMatchObject({ stage: 'extract', percent: 40 });
    expect(progress.feed('I: installing essential packages...')).toMatchObject({ stage: 'install', percent: 50 });
    expect(progress.feed('I: installing remaining packages inside the chroot...')).toMatchObject({ percent: 62 });
    expect(progress.feed('I: downloading packages with apt...')).toBeUndefined();
    expect(progress.feed('I: cleaning apt cache...')).toMatchObject({ percent: 86 });
  });

  it('remembers the last error and ignores the rest', () => {
    const progress = new MmdebstrapProgress();
    expect(progress.feed('Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]')).toBeUndefined();
    expect(progress.feed('W: something odd')).toBeUndefined();
    expect(progress.feed('E: apt-get update failed')).toBeUndefined();
    expect(progress.lastError).toBe('apt-get update failed');
  });
});
