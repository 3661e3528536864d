// npm start: the workbench in Electron where its binary can start, else in browser mode: the
// engine on loopback, its URL (with the token) printed, and Chromium opened in app mode when one
// is installed and a display exists. Options: --browser (skip Electron), --no-open, --port N,
// --data-dir DIR. TLSLAB_CHROMIUM names another Chromium-like browser to open.
//
// The token never goes on a command line: every user of the machine can read a process's
// arguments (ps, /proc/PID/cmdline), and the engine's loopback port is open to all of them. The
// browser is given a small page in its private profile folder (mode 0700) that sends it on to the
// address; the page removes the token from its address bar once read.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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
  if (process.env.TLSLAB_CHROMIUM) return process.env.TLSLAB_CHROMIUM;
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
  const { register } = await import('tsx/esm/api');
  register();
  // The engine runs in this process: started again with its malloc settings (src-main/engineMalloc.ts)
  // when it was not, and this one waits for that one.
  const { relaunchedWithEngineMalloc } = await import('../src-main/engineMalloc.ts');
  const relaunched = await relaunchedWithEngineMalloc();
  if (relaunched !== null) process.exit(relaunched);
  console.log(`Starting in browser mode: ${electron.reason}.`);
  const { startEngine } = await import('../src-main/host/engine.ts');
  const { resolveDataDir } = await import('../src-main/store/dataDir.ts');
  let dataDir;
  let engine;
  try {
    dataDir = resolveDataDir(value('--data-dir'));
    const port = value('--port');
    engine = await startEngine({ dataDir, port: port === undefined ? 0 : /^\d+$/.test(port) ? Number(port) : port });
  } catch (err) {
    // One line that says what went wrong and what to do, not a stack trace.
    console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  console.log(`TLS Lab Workbench is running. Open this address (it carries this launch's access token):\n\n  ${engine.url}\n`);
  console.log(`Data folder: ${dataDir}. Press Ctrl+C to stop.`);
  const chromium = findChromium();
  let profile = null;
  if (!flag('--no-open') && chromium && hasDisplay()) {
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-chromium-'));
    const opener = path.join(profile, 'open-workbench.html');
    const address = engine.url.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    fs.writeFileSync(
      opener,
      `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
        `<meta http-equiv="refresh" content="0;url=${address}"><title>Opening TLS Lab Workbench</title>\n`,
      { mode: 0o600 },
    );
    const browser = spawn(
      chromium,
      [`--app=${pathToFileURL(opener).href}`, `--user-data-dir=${profile}`, '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
      { stdio: 'ignore', detached: false },
    );
    browser.on('error', () => console.log('Could not open Chromium; open the address above in any browser.'));
  } else if (!flag('--no-open')) {
    console.log(chromium ? 'No display: open the address above in a browser.' : 'No Chromium found: open the address above in any browser.');
  }
  const stop = async () => {
    await engine.close();
    // The browser profile holds the address with its token in its history: it goes with the engine.
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
