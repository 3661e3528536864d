// Helpers for tests that use the openssl command line (and Python) as judges.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs openssl with the given arguments; never throws on a non-zero exit. */
export function openssl(args: string[], options: { input?: string | Uint8Array; cwd?: string } = {}): CommandResult {
  const result = spawnSync('openssl', args, {
    input: typeof options.input === 'string' ? Buffer.from(options.input, 'utf8') : options.input,
    cwd: options.cwd,
    encoding: 'buffer',
    env: { ...process.env, OPENSSL_CONF: '/dev/null' },
  });
  if (result.error) throw result.error;
  return {
    status: result.status ?? -1,
    stdout: result.stdout.toString('utf8'),
    stderr: result.stderr.toString('utf8'),
  };
}

/** Runs openssl and returns stdout, failing the test with openssl's own words otherwise. */
export function opensslOk(args: string[], options: { input?: string | Uint8Array; cwd?: string } = {}): string {
  const result = openssl(args, options);
  if (result.status !== 0) {
    throw new Error(`openssl ${args.join(' ')} failed (${result.status}):\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

export async function opensslAsync(args: string[], cwd?: string): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync('openssl', args, { cwd, env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { status: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export function python(script: string, args: string[] = []): CommandResult {
  const result = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface TempDir {
  path: string;
  file(name: string, contents?: string | Uint8Array): string;
  remove(): void;
}

export function makeTempDir(prefix = 'tlslab-pki-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file(name, contents) {
      const full = join(path, name);
      if (contents !== undefined) writeFileSync(full, contents);
      return full;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}
