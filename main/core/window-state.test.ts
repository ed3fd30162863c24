import { describe, expect, it } from 'vitest';
import { restoreWindowState } from './window-state';

const laptop = { x: 0, y: 0, width: 1440, height: 900 };
const monitor = { x: 1440, y: 0, width: 2560, height: 1440 };

describe('restoreWindowState', () => {
  it('keeps a window that is on a display', () => {
    expect(restoreWindowState({ x: 100, y: 50, width: 1200, height: 800, maximized: true }, [laptop])).toEqual({
      x: 100,
      y: 50,
      width: 1200,
      height: 800,
      maximized: true,
    });
  });

  it('forgets a window whose display is gone, so it opens where it can be seen', () => {
    expect(restoreWindowState({ x: 2000, y: 100, width: 1200, height: 800 }, [laptop])).toBeUndefined();
    expect(restoreWindowState({ x: 2000, y: 100, width: 1200, height: 800 }, [laptop, monitor])).toMatchObject({ x: 2000, y: 100 });
  });

  it('shrinks a window larger than its display and pulls it back inside', () => {
    expect(restoreWindowState({ x: -300, y: 0, width: 3000, height: 2000 }, [laptop])).toEqual({
      x: 0,
      y: 0,
      width: 1440,
      height: 900,
      maximized: false,
    });
  });

  it('ignores a state file that is not one', () => {
    expect(restoreWindowState({ x: 'left' }, [laptop])).toBeUndefined();
    expect(restoreWindowState(null, [laptop])).toBeUndefined();
  });
});
