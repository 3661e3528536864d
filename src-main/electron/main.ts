// The Electron shell: start the engine (a plain Node process, so TLS is OpenSSL's), open one
// window on its URL, and add menus and native file dialogs. Nothing else lives here.
// Security (Electron's checklist): contextIsolation, sandbox for every renderer, no nodeIntegration,
// no webview, CSP from the engine, navigation and redirects outside the engine blocked in every
// web contents, new windows denied (http(s) links go to the system browser), every permission
// request and check denied, IPC answered only for the engine's page in our window's main frame.
// The decisions themselves are in guards.ts, where tests can reach them.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { BrowserWindow, Menu, app, dialog, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { startEngine } from './engineProcess';
import { externalUrl, isEngineUrl, type EngineReady } from './guards';

const projectRoot = path.resolve(__dirname, '..');
let engine: ChildProcess | null = null;
let engineOrigin = '';
let mainWindow: BrowserWindow | null = null;

// Sandbox every renderer, whatever a BrowserWindow's options say.
app.enableSandbox();

async function startEngineProcess(): Promise<EngineReady> {
  const started = await startEngine(projectRoot, { dataDir: process.env.TLSLAB_HOME || undefined });
  engine = started.child;
  return started.ready;
}

/** The request comes from the engine's page in our window's main frame (not a frame inside it). */
function fromOurPage(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || !mainWindow || frame !== mainWindow.webContents.mainFrame) return false;
  return isEngineUrl(frame.url, engineOrigin);
}

function registerDialogs(window: BrowserWindow): void {
  ipcMain.handle('dialog:open-file', async (event, options: { title?: string; directory?: boolean }) => {
    if (!fromOurPage(event)) return null;
    const result = await dialog.showOpenDialog(window, {
      title: typeof options?.title === 'string' ? options.title : 'Choose a file',
      properties: [options?.directory ? 'openDirectory' : 'openFile'],
    });
    return result.canceled ? null : (result.filePaths[0] ?? null);
  });
  ipcMain.handle('dialog:save-file', async (event, options: { title?: string; defaultPath?: string }) => {
    if (!fromOurPage(event)) return null;
    const result = await dialog.showSaveDialog(window, {
      title: typeof options?.title === 'string' ? options.title : 'Save as',
      defaultPath: typeof options?.defaultPath === 'string' ? options.defaultPath : undefined,
    });
    return result.canceled ? null : (result.filePath ?? null);
  });
}

function buildMenu(window: BrowserWindow): void {
  const go = (hash: string) => () => void window.webContents.executeJavaScript(`location.hash = ${JSON.stringify(hash)}`);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      {
        label: 'Session',
        submenu: [
          { label: 'New client session', accelerator: 'CmdOrCtrl+N', click: go('#/client') },
          { label: 'Sessions', accelerator: 'CmdOrCtrl+L', click: go('#/sessions') },
          { type: 'separator' },
          { role: 'quit' },
        ],
      },
      { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }] },
      { label: 'Help', submenu: [{ label: 'About the workbench', click: go('#/about') }] },
    ]),
  );
}

async function createWindow(): Promise<void> {
  const ready = await startEngineProcess();
  engineOrigin = new URL(ready.url).origin;
  // The workbench needs no camera, notifications, clipboard reads, USB, serial or HID: no to all.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.setDevicePermissionHandler(() => false);
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'TLS Lab Workbench',
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      experimentalFeatures: false,
      preload: path.join(__dirname, 'preload.cjs'),
    },
  });
  mainWindow = window;
  registerDialogs(window);
  buildMenu(window);
  await window.loadURL(ready.url);
  if (process.env.TLSLAB_SMOKE_TEST) {
    // The smoke test: the window loaded the engine's page; say so and leave.
    const title = await window.webContents.executeJavaScript('document.title');
    process.stdout.write(`SMOKE OK ${String(title)}\n`);
    app.quit();
  }
}

// Every web contents (the window, and anything created later), not just the first window: no
// webviews, no navigation or redirect away from the engine, no new windows.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-navigate', (event, url) => {
    if (!isEngineUrl(url, engineOrigin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isEngineUrl(url, engineOrigin)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrl(url, engineOrigin);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
});

app.whenReady().then(createWindow).catch((err: Error) => {
  dialog.showErrorBox('TLS Lab Workbench could not start', err.message);
  app.quit();
});

app.on('window-all-closed', () => app.quit());
app.on('quit', () => engine?.kill());
