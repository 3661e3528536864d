// A long-running tlslab command starts itself again with the engine's malloc settings
// (src-main/engineMalloc.ts) and waits for that process: the user's process is the one the
// running/ record and the messages name, signals sent to it reach the server, and a server whose
// command was killed outright stops by itself rather than run on unnamed. TLSLAB_MALLOC=default
// runs it in the one process. Linux only (glibc).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNING_FOLDER } from '../../src-main/store/runningElsewhere';
import { cliFolder, startTlslabUntil } from '../support/cliProcesses';
import { freePort } from '../support/ports';

const linux = process.platform === 'linux';
const lab = cliFolder('tlslab-malloc-');

/** The tlslab processes whose parent is `pid` (not, say, the esbuild service tsx starts when it compiles the sources). */
function childrenOf(pid: number): number[] {
  return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).filter((name) => {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return parent === pid && fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('tlslab.mjs');
    } catch {
      return false;
    }
  }).map(Number);
}

/** The environment a process started with (glibc cuts GLIBC_TUNABLES short in this copy after reading it, so only prefixes are compared). */
function startEnvironment(pid: number): string[] {
  return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
}

const listening = (port: number) => new Promise<boolean>((resolve) => {
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.destroy();
    resolve(true);
  });
  socket.once('error', () => resolve(false));
});

beforeAll(async () => {
  expect((await lab.cli('ca', 'create', 'Lab Root')).code).toBe(0);
  expect((await lab.cli('cert', 'issue', '--ca', 'Lab Root', '--cn', 'www.bank32.com')).code).toBe(0);
});

afterAll(() => lab.close());

describe.runIf(linux)("a long-running command runs with the engine's malloc settings", () => {
  it('in a second process its command waits for: named by the first, which passes Ctrl-C on', async () => {
    const port = await freePort();
    const server = await lab.startUntil(['server', '--identity', 'lab:www.bank32.com', '--port', String(port)], 'stop with Ctrl-C');
    const launcher = server.child.pid!;
    const [serving] = childrenOf(launcher);
    expect(serving).toBeGreaterThan(0);
    const env = startEnvironment(serving);
    expect(env).toContain(`TLSLAB_LAUNCHER_PID=${launcher}`);
    expect(env.some((v) => v.startsWith('GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4194304'))).toBe(true);
    // What other commands and the window are told holds the port: the process the user started.
    const records = fs.readdirSync(path.join(lab.dataDir, RUNNING_FOLDER));
    expect(records).toEqual([`${launcher}-server-1.json`]);
    const refused = await lab.cli('server', '--identity', 'lab:www.bank32.com', '--port', String(port));
    expect(refused.stderr).toContain(`is already in use by \`tlslab server\` (process ${launcher}, started `);

    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(server.output()).toContain('stopped (SIGINT) after 0 connections');
    expect(fs.readdirSync(path.join(lab.dataDir, RUNNING_FOLDER))).toEqual([]);
    expect(await listening(port)).toBe(false);
  });

  it('and the server stops by itself when its command is killed outright', async () => {
    const port = await freePort();
    const server = await lab.startUntil(['server', '--identity', 'lab:www.bank32.com', '--port', String(port)], 'stop with Ctrl-C');
    const [serving] = childrenOf(server.child.pid!);
    server.child.kill('SIGKILL');
    // It checks every 2 s that its command is still there.
    await expect.poll(() => fs.existsSync(`/proc/${serving}`), { timeout: 30_000 }).toBe(false);
    expect(await listening(port)).toBe(false);
    expect(fs.readdirSync(path.join(lab.dataDir, RUNNING_FOLDER))).toEqual([]);
  });

  it('TLSLAB_MALLOC=default keeps glibc\'s own settings and the one process', async () => {
    const port = await freePort();
    const previous = process.env.TLSLAB_MALLOC;
    process.env.TLSLAB_MALLOC = 'default';
    try {
      const server = await startTlslabUntil(lab.dataDir, ['server', '--identity', 'lab:www.bank32.com', '--port', String(port)], 'stop with Ctrl-C');
      try {
        expect(childrenOf(server.child.pid!)).toEqual([]);
        expect(startEnvironment(server.child.pid!).some((v) => v.startsWith('GLIBC_TUNABLES='))).toBe(false);
      } finally {
        await lab.stop(server.child);
      }
    } finally {
      if (previous === undefined) delete process.env.TLSLAB_MALLOC;
      else process.env.TLSLAB_MALLOC = previous;
    }
  });
});
