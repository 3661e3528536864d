// Starting the engine from the desktop shell, without Electron's own Node (it has BoringSSL, and
// the lab needs OpenSSL): find a Node.js, run `tlslab engine --json` with it, and wait for the
// line with the engine's address. No Electron import, so tests can run it under plain Node.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { withEngineMalloc } from '../engineMalloc';
import { parseEngineReady, type EngineReady } from './guards';

/** The last bytes of the engine's standard error kept for the message when it does not start. */
const STDERR_TAIL_BYTES = 4096;

function newestNvmNode(home: string, platform: NodeJS.Platform): string[] {
  const versions = path.join(home, '.nvm', 'versions', 'node');
  let names: string[];
  try {
    names = fs.readdirSync(versions);
  } catch {
    return [];
  }
  const major = (name: string) => Number(/^v(\d+)/.exec(name)?.[1] ?? 0);
  return names
    .filter((n) => major(n) >= 20)
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
    .map((n) => path.join(versions, n, 'bin', platform === 'win32' ? 'node.exe' : 'node'));
}

/**
 * Where to look for Node.js, in order. TLSLAB_NODE alone when it is set; otherwise `node` on PATH,
 * then the places installers put it: a desktop app started from the Dock or a menu does not get
 * the PATH a terminal has (on macOS, Homebrew's /opt/homebrew/bin is not on it).
 */
export function nodeCandidates(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string[] {
  if (env.TLSLAB_NODE) return [env.TLSLAB_NODE];
  const found = ['node'];
  if (platform === 'win32') {
    for (const base of [env.ProgramFiles, env['ProgramFiles(x86)'], env.LOCALAPPDATA && path.join(env.LOCALAPPDATA, 'Programs')]) {
      if (base) found.push(path.win32.join(base, 'nodejs', 'node.exe'));
    }
    if (env.LOCALAPPDATA) found.push(path.win32.join(env.LOCALAPPDATA, 'Volta', 'bin', 'node.exe'));
  } else {
    if (platform === 'darwin') found.push('/opt/homebrew/bin/node');
    found.push('/usr/local/bin/node', '/usr/bin/node', path.join(home, '.volta', 'bin', 'node'));
  }
  found.push(...newestNvmNode(home, platform));
  return [...new Set(found)];
}

export interface StartedEngine {
  child: ChildProcess;
  ready: EngineReady;
  node: string;
}

/** One try: the engine's address, or an error with what it printed on standard error. */
function tryStart(node: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<StartedEngine> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env });
    let tail = '';
    child.stderr!.on('data', (d: Buffer) => {
      process.stderr.write(d);
      tail = (tail + d.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    const lines = readline.createInterface({ input: child.stdout! });
    let settled = false;
    const fail = (err: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    lines.once('line', (line) => {
      if (settled) return;
      try {
        const ready = parseEngineReady(line);
        settled = true;
        resolve({ child, ready, node });
      } catch (err) {
        child.kill();
        fail(err as Error);
      }
    });
    child.once('error', (err) => fail(err));
    // 'close', not 'exit': by then everything it wrote on standard error has been read.
    child.once('close', (code) => {
      const said = tail.trim().split('\n').filter(Boolean).pop();
      fail(new Error(`the engine (run by ${node}) stopped with status ${code} before it was ready${said ? `: ${said}` : ''}`));
    });
  });
}

/**
 * Starts `tlslab engine --json` from the app folder `root` with the first Node.js that can be
 * started; its error when one starts and fails, or where it looked when none could be started.
 */
export async function startEngine(root: string, options: { dataDir?: string; candidates?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<StartedEngine> {
  // The engine's malloc settings from its start (engineMalloc.ts), so that it need not start itself again.
  const env = { ...withEngineMalloc(options.env ?? process.env), TLSLAB_EXIT_WITH_PARENT: '1', ELECTRON_RUN_AS_NODE: undefined };
  const args = [path.join(root, 'bin', 'tlslab.mjs'), 'engine', '--json', ...(options.dataDir ? ['--data-dir', options.dataDir] : [])];
  const candidates = options.candidates ?? nodeCandidates(options.env ?? process.env);
  for (const node of candidates) {
    try {
      return await tryStart(node, args, root, env);
    } catch (err) {
      // Not there: try the next place. Anything else is this Node's (or the engine's) answer.
      if ((err as { code?: string }).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(
    `cannot find Node.js, which runs the workbench's engine (looked for ${candidates.join(', ')}); ` +
      'install Node.js 20 or newer, or set TLSLAB_NODE to the node program',
  );
}
