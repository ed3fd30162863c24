import { describe, expect, it } from 'vitest';
import { compareApiVersions, connectEngine } from './engine';

describe('compareApiVersions', () => {
  it('compares numerically, not as text', () => {
    expect(compareApiVersions('1.41', '1.40')).toBe(1);
    expect(compareApiVersions('1.9', '1.40')).toBe(-1);
    expect(compareApiVersions('1.40', '1.40')).toBe(0);
    expect(compareApiVersions('2.0', '1.99')).toBe(1);
  });
});

describe('connectEngine', () => {
  it('reports an unreachable engine as one environment error with a fix', async () => {
    const error = await connectEngine({ endpoint: 'unix:///nonexistent/docker.sock', timeoutMs: 500 }).catch((e) => e);
    expect(error).toMatchObject({ code: 'environment', exitCode: 3 });
    expect(error.message).toContain('unix:///nonexistent/docker.sock');
    expect(error.hint).toMatch(/Start the Docker engine/);
  });
});
