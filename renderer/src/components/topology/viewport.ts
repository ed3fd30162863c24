/**
 * The topology's pan and zoom: a scale and an offset applied to the drawing. Pure, so the
 * arithmetic is tested without a browser; TopologyView feeds it the pane's size and the pointer.
 */

export interface View {
  scale: number;
  x: number;
  y: number;
}

export const MIN_SCALE = 0.2;
export const MAX_SCALE = 3;
/** Fitting never enlarges a small lab past this: chips stay the size they were drawn at. */
const FIT_MAX = 1;
const MARGIN = 8;

const clamp = (scale: number) => Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));

/** The whole drawing in the pane, centred, shrunk if it must be. */
export function fitView(content: { width: number; height: number }, pane: { width: number; height: number }): View {
  if (content.width <= 0 || content.height <= 0 || pane.width <= 0 || pane.height <= 0) return { scale: 1, x: 0, y: 0 };
  const scale = clamp(Math.min(FIT_MAX, (pane.width - 2 * MARGIN) / content.width, (pane.height - 2 * MARGIN) / content.height));
  return { scale, x: (pane.width - content.width * scale) / 2, y: Math.max(MARGIN, (pane.height - content.height * scale) / 2) };
}

/** Zooms by `factor` keeping the drawing's point under (px, py) where it is. */
export function zoomAt(view: View, factor: number, px: number, py: number): View {
  const scale = clamp(view.scale * factor);
  const ratio = scale / view.scale;
  return { scale, x: px - (px - view.x) * ratio, y: py - (py - view.y) * ratio };
}

export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, x: view.x + dx, y: view.y + dy };
}
