// npm start: the workbench in Electron where its binary can start, else in browser mode: the
// engine on loopback, its URL (with the token) printed, and Chromium opened in app mode when one
// is installed and a display exists. Options: --browser (skip Electron), --no-open, --port N,
// --data-dir DIR.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ROOT, ensureRenderer } from './renderer.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function hasDisplay() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** The Electron binary's path, or why it cannot be used. */
function electronBinary() {
  let binary;
  try {
    binary = require('electron');
  } catch {
    return { reason: "Electron's binary is not installed (it is downloaded on first use, and this machine is offline)" };
  }
  if (typeof binary !== 'string' || !fs.existsSync(binary)) {
    return { reason: "Electron's binary is not installed (it is downloaded on first use, and this machine is offline)" };
  }
  if (!hasDisplay()) return { reason: 'there is no display (DISPLAY/WAYLAND_DISPLAY unset) for an Electron window' };
  return { binary };
}

function findChromium() {
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

ensureRenderer({ quiet: true });

const electron = flag('--browser') ? { reason: 'browser mode was asked for (--browser)' } : electronBinary();
if (electron.binary) {
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  const child = spawn(electron.binary, [ROOT], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Starting in browser mode: ${electron.reason}.`);
  const { register } = await import('tsx/esm/api');
  register();
  const { startEngine } = await import('../src-main/host/engine.ts');
  const { resolveDataDir } = await import('../src-main/store/dataDir.ts');
  const dataDir = resolveDataDir(value('--data-dir'));
  const engine = await startEngine({ dataDir, port: Number(value('--port') ?? 0) });
  console.log(`TLS Lab Workbench is running. Open this address (it carries this launch's access token):\n\n  ${engine.url}\n`);
  console.log(`Data folder: ${dataDir}. Press Ctrl+C to stop.`);
  const chromium = findChromium();
  if (!flag('--no-open') && chromium && hasDisplay()) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-chromium-'));
    const browser = spawn(
      chromium,
      [`--app=${engine.url}`, `--user-data-dir=${profile}`, '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
      { stdio: 'ignore', detached: false },
    );
    browser.on('error', () => console.log('Could not open Chromium; open the address above in any browser.'));
  } else if (!flag('--no-open')) {
    console.log(chromium ? 'No display: open the address above in a browser.' : 'No Chromium found: open the address above in any browser.');
  }
  const stop = async () => {
    await engine.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
