// Runs the tlslab command in the test's own process (faster than a child process), capturing what
// it prints, with environment variables set for the run and put back after it.
import { runCli } from '../../src-main/cli/main';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export async function tlslabInProcess(dataDir: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  try {
    const status = await runCli([...args, '--data-dir', dataDir]);
    return { status, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Runs `tlslab ARGS` in process and returns its standard output; a non-zero exit throws with what it printed. */
export async function tlslabOk(dataDir: string, args: string[]): Promise<string> {
  const run = await tlslabInProcess(dataDir, args);
  if (run.status !== 0) throw new Error(`tlslab ${args.join(' ')} exited ${run.status}: ${run.stderr}${run.stdout}`);
  return run.stdout;
}
