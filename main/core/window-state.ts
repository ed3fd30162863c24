import { z } from 'zod';

/**
 * The desktop window's remembered place and size. Pure: the Electron shell reads and writes the
 * file and passes the displays; this decides what is still sensible (a monitor may be gone).
 */

export const WindowStateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_SIZE = { width: 1280, height: 820 } as const;
export const MIN_SIZE = { width: 900, height: 600 } as const;

/**
 * The saved state if it still shows on a display (at least a 100×100 corner of it), shrunk
 * to fit that display; otherwise nothing (the window opens centred at the default size).
 */
export function restoreWindowState(saved: unknown, displays: readonly Area[]): WindowState | undefined {
  const parsed = WindowStateSchema.safeParse(saved);
  if (!parsed.success) return undefined;
  const state = parsed.data;
  const display = displays.find((d) => overlap(state, d) >= 100 * 100);
  if (!display) return undefined;
  const width = Math.max(MIN_SIZE.width, Math.min(state.width, display.width));
  const height = Math.max(MIN_SIZE.height, Math.min(state.height, display.height));
  const x = Math.min(Math.max(state.x, display.x), display.x + display.width - Math.min(width, display.width));
  const y = Math.min(Math.max(state.y, display.y), display.y + display.height - Math.min(height, display.height));
  return { x, y, width, height, maximized: state.maximized };
}

function overlap(a: Area, b: Area): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}
