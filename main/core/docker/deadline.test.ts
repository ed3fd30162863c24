import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { withDeadline } from './deadline';

describe('withDeadline', () => {
  it('passes through a call that answers in time', async () => {
    expect(await withDeadline('a call', 30_000, async () => 42)).toBe(42);
  });

  it('fails a call that never answers with an error naming it, and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const never = withDeadline('listing containers', 50, (s) => {
      signal = s;
      return new Promise<never>(() => undefined);
    });
    await expect(never).rejects.toThrow(AppError);
    await expect(never).rejects.toMatchObject({
      code: 'failed',
      message: 'The Docker engine did not finish listing containers within 50 ms.',
    });
    expect(signal?.aborted).toBe(true);
  });

  it('runs unbounded with Infinity', async () => {
    expect(await withDeadline('a stream', Infinity, async (signal) => signal.aborted)).toBe(false);
  });
});
