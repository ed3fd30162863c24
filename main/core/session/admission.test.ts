import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryAvailableBytes, memoryShortfall } from './admission';

const MB = 1024 * 1024;

describe('admission by memory', () => {
  it('admits a lab that fits beside the reserve, and says why one does not', () => {
    expect(memoryShortfall(3, 3 * 64 * MB + 512 * MB)).toBeUndefined();
    const refused = memoryShortfall(3, 600 * MB);
    expect(refused?.code).toBe('environment');
    expect(refused?.message).toBe(
      'Not enough memory for another lab: its 3 nodes need about 192 MB and the machine has 600 MB available (512 MB are kept for the machine itself).',
    );
    expect(memoryShortfall(1, 100 * MB)?.message).toMatch(/its one node needs about 64 MB/);
  });

  it('reads MemAvailable, and nothing where the file has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nl-meminfo-'));
    const file = join(dir, 'meminfo');
    writeFileSync(file, 'MemTotal:       24000000 kB\nMemFree:         1000 kB\nMemAvailable:   20000000 kB\n');
    expect(await memoryAvailableBytes(file)).toBe(20_000_000 * 1024);
    writeFileSync(file, 'MemTotal:       24000000 kB\n');
    expect(await memoryAvailableBytes(file)).toBeUndefined();
    expect(await memoryAvailableBytes(join(dir, 'absent'))).toBeUndefined();
  });
});
