import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, session, shell } from 'electron';
import { ApiService } from '../api/service';
import { CONTENT_SECURITY_POLICY } from '../api/content-security-policy';
import { serveIpc } from './ipc';
import { installMenu } from './menu';
import { DEFAULT_SIZE } from '../core/window-state';
import { rememberWindowState, savedWindowState } from './window-state';

/**
 * The desktop shell: one window onto the renderer, locked down (context isolation, sandbox,
 * no Node integration, a strict CSP), with the contract served over IPC; single instance,
 * an application menu, the window's place remembered, external links in the system browser.
 * This is the only part of the app that imports 'electron'.
 */

const rendererUrl = process.env.ELECTRON_RENDERER_URL;
const rendererIndex = pathToFileURL(join(import.meta.dirname, '..', 'renderer', 'index.html')).href;
const isAppUrl = (url: string) => (rendererUrl ? url.startsWith(rendererUrl) : url.split('#')[0] === rendererIndex);

function createWindow(): BrowserWindow {
  const saved = savedWindowState();
  const window = new BrowserWindow({
    ...(saved ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : DEFAULT_SIZE),
    minWidth: 900,
    minHeight: 600,
    title: 'Neutron Lab',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  window.once('ready-to-show', () => {
    if (saved?.maximized) window.maximize();
    window.show();
  });
  rememberWindowState(window);
  // Links leave for the system browser; the window itself never navigates away from the app.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://') || url.startsWith('http://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  void (rendererUrl ? window.loadURL(rendererUrl) : window.loadURL(rendererIndex));
  return window;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  void app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
      });
    });
    installMenu();
    serveIpc(new ApiService(), isAppUrl);
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
