import { describe, expect, it } from 'vitest';
import { RemoteError } from '../transport/transport';
import { describeError, errorText } from './errors';

describe('errors as the UI shows them', () => {
  it("keeps the back end's hint, structured and on one line", () => {
    const error = new RemoteError('environment', 'Cannot reach the Docker engine.', 'Start it: sudo systemctl start docker');
    expect(describeError(error)).toEqual({ message: 'Cannot reach the Docker engine.', hint: 'Start it: sudo systemctl start docker' });
    expect(errorText(error)).toBe('Cannot reach the Docker engine. Start it: sudo systemctl start docker');
    expect(errorText(new Error('plain'))).toBe('plain');
  });
});
