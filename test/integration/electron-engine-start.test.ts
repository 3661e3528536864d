// How the desktop shell starts its engine (engineProcess.ts, no Electron needed): it finds a
// Node.js where a desktop app's PATH does not reach, runs the real engine with it, and when the
// engine cannot start, the window's error names the engine's own reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeCandidates, startEngine } from '../../src-main/electron/engineProcess';

const ROOT = path.resolve(__dirname, '..', '..');

describe('finding Node.js for the engine', () => {
  it('TLSLAB_NODE alone when set; otherwise PATH, then where installers put it (Homebrew on macOS, nvm\'s newest 20+)', () => {
    expect(nodeCandidates({ TLSLAB_NODE: '/opt/node20/bin/node' }, 'darwin', '/Users/ann')).toEqual(['/opt/node20/bin/node']);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-home-'));
    for (const v of ['v18.19.0', 'v20.19.1', 'v22.12.0']) fs.mkdirSync(path.join(home, '.nvm', 'versions', 'node', v, 'bin'), { recursive: true });
    const mac = nodeCandidates({}, 'darwin', home);
    expect(mac.slice(0, 3)).toEqual(['node', '/opt/homebrew/bin/node', '/usr/local/bin/node']);
    expect(mac.filter((c) => c.includes('.nvm'))).toEqual([
      path.join(home, '.nvm/versions/node/v22.12.0/bin/node'),
      path.join(home, '.nvm/versions/node/v20.19.1/bin/node'),
    ]);
    expect(nodeCandidates({}, 'linux', home)).not.toContain('/opt/homebrew/bin/node');
    expect(nodeCandidates({ ProgramFiles: 'C:\\Program Files' }, 'win32', home)).toContain('C:\\Program Files\\nodejs\\node.exe');
  });
});

describe('starting the engine', () => {
  it('skips a Node.js that is not there and starts the real engine with the next one', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-shell-engine-'));
    const started = await startEngine(ROOT, { dataDir, candidates: ['/nonexistent/bin/node', process.execPath] });
    try {
      expect(started.node).toBe(process.execPath);
      expect(started.ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
      const health = await fetch(`${new URL(started.ready.url).origin}/health?token=${started.ready.token}`);
      expect(health.status).toBe(200);
      if (process.platform === 'linux') {
        // The engine starts with its malloc settings (engineMalloc.ts), so it serves from this very process.
        const env = fs.readFileSync(`/proc/${started.child.pid}/environ`, 'latin1').split('\0');
        expect(env.some((v) => v.startsWith('GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4194304'))).toBe(true);
        expect(env.some((v) => v.startsWith('TLSLAB_LAUNCHER_PID='))).toBe(false);
      }
    } finally {
      started.child.kill();
    }
  });

  it('an engine that stops before it is ready: the error says so in the engine\'s own words', async () => {
    // A data folder that is a file: the engine prints why and stops.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-shell-engine-')), 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const error = await startEngine(ROOT, { dataDir: file, candidates: [process.execPath] }).then(
      () => null,
      (err: Error) => err,
    );
    expect(error?.message).toMatch(new RegExp(`^the engine \\(run by ${process.execPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) stopped with status 1 before it was ready: tlslab: cannot create the data folder`));
  });

  it('no Node.js anywhere: where it looked, and what to install', async () => {
    await expect(startEngine(ROOT, { candidates: ['/nonexistent/a/node', '/nonexistent/b/node'] })).rejects.toThrow(
      'cannot find Node.js, which runs the workbench\'s engine (looked for /nonexistent/a/node, /nonexistent/b/node); install Node.js 20 or newer, or set TLSLAB_NODE to the node program',
    );
  });
});
