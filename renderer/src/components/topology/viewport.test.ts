import { describe, expect, it } from 'vitest';
import { fitView, MAX_SCALE, panBy, zoomAt } from './viewport';

describe('the topology viewport', () => {
  it('fits a drawing wider than its pane by shrinking it, centred', () => {
    const view = fitView({ width: 1200, height: 400 }, { width: 616, height: 500 });
    expect(view.scale).toBeCloseTo(0.5);
    expect(view.x).toBeCloseTo(8);
    expect(400 * view.scale + view.y).toBeLessThanOrEqual(500);
  });

  it('never enlarges a small drawing when fitting', () => {
    expect(fitView({ width: 200, height: 100 }, { width: 1000, height: 800 }).scale).toBe(1);
  });

  it('zooms about the pointer and within bounds', () => {
    const view = zoomAt({ scale: 1, x: 10, y: 20 }, 2, 110, 120);
    expect(view).toEqual({ scale: 2, x: -90, y: -80 }); // the point under the pointer stays put
    expect(zoomAt({ scale: 2.5, x: 0, y: 0 }, 4, 0, 0).scale).toBe(MAX_SCALE);
    expect(panBy(view, 5, -5)).toEqual({ scale: 2, x: -85, y: -85 });
  });
});
