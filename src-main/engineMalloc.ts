// The C library's malloc settings the engine's process runs with on Linux (glibc), and the
// relaunch that gives them to a command started without them.
//
// Every TLS write of a download passes through Node's stream wrapper under the byte tap, which
// copies it into a buffer of its own (up to 1 MiB for a file streamed in 1 MiB pieces). With
// glibc's defaults such a buffer is above the threshold where malloc maps fresh pages for it (or
// the heap is trimmed and grown again between writes), so 100 MB sent touches 100 MB of new pages:
// on a virtual machine each page fault is expensive, and profiles of the recording server show half
// its main thread in page faults under that copy. Keeping buffers up to 4 MiB on the heap and
// returning memory to the system only past 128 MiB free makes the pages stay: measured with
// `npm run bench server` (each target in its own process), the recording server's 100 MB download
// went from 57% to 79% of bare Node, for 35-55 MB more resident memory and no change to handshakes
// or to bare Node itself (notes on issue 4).
//
// glibc reads the settings only when a process starts, so they go in the environment of the
// process that will run the engine or a recording server: the Electron shell gives them to its
// engine child; `npm start` and the long-running `tlslab` commands (server, proxy, replay-server,
// engine) start themselves again with them (relaunchedWithEngineMalloc). A setting the user already
// gave in GLIBC_TUNABLES wins; TLSLAB_MALLOC=default leaves glibc's own. musl and other C libraries
// ignore the variable.

import { spawn } from 'node:child_process';
import os from 'node:os';

const ENGINE_TUNABLES: readonly [name: string, value: string][] = [
  ['glibc.malloc.mmap_threshold', String(4 * 1024 * 1024)],
  ['glibc.malloc.trim_threshold', String(128 * 1024 * 1024)],
];

/** The environment with the engine's malloc settings added to GLIBC_TUNABLES (Linux only). */
export function withEngineMalloc(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  if (platform !== 'linux') return env;
  const given = (env.GLIBC_TUNABLES ?? '').split(':').filter(Boolean);
  const named = new Set(given.map((t) => t.split('=')[0]));
  const added = ENGINE_TUNABLES.filter(([name]) => !named.has(name)).map(([name, value]) => `${name}=${value}`);
  if (added.length === 0) return env;
  return { ...env, GLIBC_TUNABLES: [...given, ...added].join(':') };
}

/** Whether this process was started with the engine's malloc settings in force (Linux only). */
export function hasEngineMalloc(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  return withEngineMalloc(env, platform) === env;
}

/** Set in a relaunched process: the pid of the command the user started, which waits for it. */
const LAUNCHER_ENV = 'TLSLAB_LAUNCHER_PID';

/**
 * The process a user knows this command by: the one they started. When that process relaunched
 * itself with the engine's malloc settings and waits for this one, its pid (which takes the same
 * signals, passed on) rather than this one's.
 */
export function commandPid(env: NodeJS.ProcessEnv = process.env): number {
  const launcher = Number(env[LAUNCHER_ENV]);
  return Number.isInteger(launcher) && launcher > 0 && launcher === process.ppid ? launcher : process.pid;
}

/** How often a relaunched process checks that the command that started it is still there. */
const LAUNCHER_CHECK_MS = 2000;

/**
 * In a relaunched process: calls `gone` once the command that started it is gone (killed with a
 * signal it could not pass on), so that nothing is left running that nobody can name.
 */
function watchLauncher(gone: () => void, env: NodeJS.ProcessEnv = process.env): void {
  const launcher = commandPid(env);
  if (launcher === process.pid) return;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    gone();
  }, LAUNCHER_CHECK_MS);
  timer.unref();
}

/**
 * Runs this same command again in a process that has the engine's malloc settings (glibc reads
 * them only when a process starts) and waits for it: its exit status, or null when no relaunch is
 * needed (not Linux, the settings already in force, or TLSLAB_MALLOC=default asks for glibc's own);
 * in a process that was relaunched so, it also watches for the launcher to go.
 *
 * Signals: a terminal's Ctrl+C reaches both processes (one process group), so while any standard
 * stream is a terminal, SIGINT is left to reach the new process that way; otherwise (a script, a
 * test, `kill -INT`) it is passed on. SIGTERM and SIGHUP are always passed on.
 */
export async function relaunchedWithEngineMalloc(env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  if (env.TLSLAB_MALLOC === 'default' || hasEngineMalloc(env)) {
    // The relaunched process stops as if told to (SIGTERM) once the command it came from is gone.
    watchLauncher(() => process.kill(process.pid, 'SIGTERM'), env);
    return null;
  }
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...withEngineMalloc(env), [LAUNCHER_ENV]: String(process.pid) },
  });
  const fromTerminal = Boolean(process.stdin.isTTY || process.stdout.isTTY || process.stderr.isTTY);
  const pass = (signal: NodeJS.Signals) => () => {
    if (signal === 'SIGINT' && fromTerminal) return;
    child.kill(signal);
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, pass(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return new Promise((resolve) => {
    child.once('error', (err) => {
      process.stderr.write(`tlslab: could not start ${process.execPath} again with the engine's malloc settings (${err.message}); set TLSLAB_MALLOC=default to run without them\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      for (const [name, handler] of handlers) process.off(name, handler);
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 1));
    });
  });
}
