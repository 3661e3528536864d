// tshark capturing on the loopback interface while a test runs a session: the capture a teacher
// would bring from Wireshark, made by a tool nobody here wrote.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { waitUntil } from './waitUntil';

export interface LoopbackCapture {
  file: string;
  stop(): Promise<void>;
}

/** Starts `tshark -i lo -f "tcp port N" -w FILE` and returns once packets reach the file. */
export async function startLoopbackCapture(port: number, file: string, extraArgs: string[] = []): Promise<LoopbackCapture> {
  const child: ChildProcess = spawn('tshark', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', file, ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      errors += d.toString();
      if (errors.includes('Capturing on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`tshark cannot capture on lo (exit ${code}): ${errors}`)));
  });
  // "Capturing on" comes a moment before packets are taken: knock (a bare TCP connect, no TLS)
  // until one is in the file.
  try {
    await waitUntil(`tshark to capture a first packet on lo port ${port} into ${file}`, async () => {
      await new Promise<void>((resolve) => {
        const probe = net.connect(port, '127.0.0.1', () => probe.destroy());
        probe.on('close', () => resolve());
        probe.on('error', () => resolve());
      });
      return spawnSync('tshark', ['-r', file, '-c', '1'], { encoding: 'utf8' }).stdout.trim() !== '';
    });
  } catch (error) {
    child.kill('SIGINT');
    throw error;
  }
  return {
    file,
    stop: async () => {
      // Wait until the file stops growing (the last FIN is in), then let tshark finish it. A pause
      // shows only that nothing came during it; the session's own end was awaited before stop().
      let size = -1;
      while (fs.statSync(file).size !== size) {
        size = fs.statSync(file).size;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** Runs tshark and returns its standard output. */
export function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
}
