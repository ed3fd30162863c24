import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, screen, type BrowserWindow } from 'electron';
import { restoreWindowState, type WindowState } from '../core/window-state';

/** Where the window was last time (if that still makes sense on today's displays), and keeping it so. */

const file = () => join(app.getPath('userData'), 'window-state.json');

export function savedWindowState(): WindowState | undefined {
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(file(), 'utf8'));
  } catch {
    return undefined;
  }
  return restoreWindowState(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
  );
}

export function rememberWindowState(window: BrowserWindow): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (window.isDestroyed()) return;
    const bounds = window.getNormalBounds();
    const state: WindowState = { ...bounds, maximized: window.isMaximized() };
    try {
      writeFileSync(file(), JSON.stringify(state));
    } catch {
      // Not being able to remember a window's place is no reason to bother the user.
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  window.on('resize', later);
  window.on('move', later);
  window.on('close', save);
}
