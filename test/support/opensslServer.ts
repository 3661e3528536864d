// `openssl s_server` as the peer nobody here wrote.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitForPort } from './ports';
import { waitUntil } from './waitUntil';

export interface RunningPeer {
  port: number;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** `cwd`: the folder `-WWW` serves files from. */
export async function startOpensslServer(cert: string, key: string, extraArgs: string[] = ['-www'], { cwd }: { cwd?: string } = {}): Promise<RunningPeer> {
  const port = await freePort();
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', cert, '-key', key, ...extraArgs], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  await waitForPort(port);
  return {
    port,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        // Already gone (exited, or ended by a signal, as after an earlier stop): nothing to wait for.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** s_client fed line by line: each `send` once the output so far holds the step before's `until` (or satisfies it). */
export async function interactiveSClient(args: string[], steps: { send: string; until: string | ((output: string) => boolean) }[]): Promise<{ output: string }> {
  const child = spawn('openssl', ['s_client', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const closed = new Promise((resolve) => child.once('close', resolve));
  try {
    for (const step of steps) {
      child.stdin.write(step.send);
      const reached = typeof step.until === 'string' ? (o: string) => o.includes(step.until as string) : step.until;
      await waitUntil(() => `s_client to answer ${JSON.stringify(step.send)} (it printed: ${JSON.stringify(output.slice(-500))})`, () => reached(output) || child.exitCode !== null);
    }
    child.stdin.end();
    await closed;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
  return { output };
}
