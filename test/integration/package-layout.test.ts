// The desktop package, as electron-builder lays it out: the shell starts the engine with the
// system's `node` (OpenSSL, not Electron's BoringSSL), so everything the engine needs must be
// plain files in the package, and better-sqlite3 must stay built for Node. Electron's binary
// cannot be fetched here, so the package is built around a stand-in executable
// (`electronDist`); the layout and the engine in it are real.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/run';

const ROOT = path.resolve(__dirname, '..', '..');
let out: string;
let app: string;

beforeAll(async () => {
  for (const built of ['dist-electron/main.cjs', 'dist-renderer/index.html', 'dist-engine/cli.mjs']) {
    if (!fs.existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run npm run build first`);
  }
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-package-'));
  const stand = path.join(out, 'electron-dist');
  fs.mkdirSync(stand);
  fs.copyFileSync('/bin/true', path.join(stand, 'electron'));
  const electronVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version as string;
  const built = await run(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/electron-builder/cli.js'),
      '--config', 'electron-builder.yml', '--dir', '--linux',
      `-c.electronDist=${stand}`, `-c.electronVersion=${electronVersion}`, `-c.directories.output=${path.join(out, 'release')}`,
    ],
    { cwd: ROOT, timeoutMs: 120_000 },
  );
  if (built.code !== 0) throw new Error(`electron-builder failed:\n${built.output}`);
  app = path.join(out, 'release', 'linux-unpacked', 'resources', 'app');
}, 150_000);

afterAll(() => {
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

describe('the desktop package', () => {
  it('holds the engine as plain files where the shell looks for it', () => {
    // main.cjs starts <its folder>/../bin/tlslab.mjs; the system's node cannot read inside an asar archive.
    expect(fs.existsSync(path.join(app, 'dist-electron', 'main.cjs'))).toBe(true);
    expect(fs.existsSync(path.resolve(app, 'dist-electron', '..', 'bin', 'tlslab.mjs'))).toBe(true);
    for (const needed of ['package.json', 'dist-renderer/index.html', 'resources/pages', 'src-main/workbench.ts', 'node_modules/tsx/package.json']) {
      expect(fs.existsSync(path.join(app, needed)), needed).toBe(true);
    }
    // The shell's own sources are bundled into dist-electron and not shipped twice.
    expect(fs.existsSync(path.join(app, 'src-main', 'electron'))).toBe(false);
    // better-sqlite3 as npm built it for Node, not rebuilt for Electron's ABI.
    const native = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    expect(fs.readFileSync(path.join(app, native)).equals(fs.readFileSync(path.join(ROOT, native)))).toBe(true);
  });

  it('runs its engine under the system node: it stores a host, serves the UI with its token, and answers about', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-package-home-'));
    const tlslab = path.join(app, 'bin', 'tlslab.mjs');
    const hosts = await run(process.execPath, [tlslab, '--data-dir', home, 'hosts', 'set', 'www.bank32.com', '127.0.0.1'], { cwd: os.tmpdir() });
    expect(hosts.output).not.toMatch(/Error|NODE_MODULE_VERSION/);
    expect(hosts.code).toBe(0);
    const about = await run(process.execPath, [tlslab, '--data-dir', home, 'about', '--json'], { cwd: os.tmpdir() });
    expect(about.code).toBe(0);
    // The package runs the engine's bundle (its sources are the ones it was built from), not tsx.
    expect(JSON.parse(about.stdout).engineCode).toBe('bundle');
    expect(JSON.parse(about.stdout).engineVersion).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);

    const engine = spawn(process.execPath, [tlslab, '--data-dir', home, 'engine', '--json'], { cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
        let text = '';
        engine.stdout.on('data', (d) => {
          text += d;
          if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]));
        });
        engine.stderr.on('data', (d) => (text += d));
        engine.once('exit', (code) => reject(new Error(`the packaged engine exited (${code}): ${text}`)));
      });
      const origin = new URL(ready.url).origin;
      expect((await fetch(`${origin}/health?token=${ready.token}`)).status).toBe(200);
      const page = await fetch(`${origin}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app"');
    } finally {
      engine.kill('SIGTERM');
    }
  });
});
