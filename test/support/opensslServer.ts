// `openssl s_server` as the peer nobody here wrote.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitForPort } from './ports';

export interface RunningPeer {
  port: number;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

export async function startOpensslServer(cert: string, key: string, extraArgs: string[] = ['-www']): Promise<RunningPeer> {
  const port = await freePort();
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', cert, '-key', key, ...extraArgs], {
    stdio: ['pipe', 'pipe', 'pipe'],
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
