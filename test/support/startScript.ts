// `npm start` (scripts/start.mjs) in a child process, for the tests of what it prints and opens.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface StartedWorkbench {
  child: ChildProcessWithoutNullStreams;
  /** The address with its token, as printed. */
  url: string;
  /** Everything printed so far, standard output and error interleaved. */
  output(): string;
}

/** Starts scripts/start.mjs with `args` and `env` added to this process's, and waits for the address it prints. */
export async function startWorkbench(args: string[], env: NodeJS.ProcessEnv): Promise<StartedWorkbench> {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs'), ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        output += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(output);
        if (m && output.includes('Press Ctrl+C')) resolve(m[1]);
      });
      child.stderr.on('data', (d) => (output += d));
      child.once('exit', (code) => reject(new Error(`npm start exited (${code}): ${output}`)));
    });
    return { child, url, output: () => output };
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
}
