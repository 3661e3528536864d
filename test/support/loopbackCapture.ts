// Wireshark's capture engine (dumpcap, what tshark and Wireshark capture with) on the loopback
// interface while a test runs a session: the capture a teacher would bring from Wireshark, made by
// a tool nobody here wrote. dumpcap itself, not `tshark -i lo -w`: tshark would load every
// dissector and start each extcap helper to list interfaces, only to hand the capture to dumpcap.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { waitUntil } from './waitUntil';

export interface LoopbackCapture {
  file: string;
  stop(): Promise<void>;
}

/**
 * Whether a capture file holds a packet yet: a pcapng Enhanced Packet Block, or in a classic pcap
 * file any record after its 24-byte header.
 */
export function capturedAPacket(file: string): boolean {
  // dumpcap says "Capturing on" a moment before it makes the file.
  if (!fs.existsSync(file)) return false;
  const bytes = fs.readFileSync(file);
  if (bytes.length < 12 || bytes.readUInt32LE(0) !== 0x0a0d0d0a) return bytes.length > 24;
  // The section header's byte-order magic says how the block headers are written.
  const le = bytes.readUInt32LE(8) === 0x1a2b3c4d;
  for (let at = 0; at + 8 <= bytes.length; ) {
    const type = le ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at);
    const length = le ? bytes.readUInt32LE(at + 4) : bytes.readUInt32BE(at + 4);
    if (length < 12 || at + length > bytes.length) return false;
    if (type === 6 || type === 3) return true;
    at += length;
  }
  return false;
}

/** Starts `dumpcap -i lo -f "tcp port N" -w FILE` (pcapng; classic pcap if asked) and returns once packets reach the file. */
export async function startLoopbackCapture(port: number, file: string, options: { format?: 'pcapng' | 'pcap' } = {}): Promise<LoopbackCapture> {
  const args = ['-i', 'lo', '-f', `tcp port ${port}`, '-w', file, ...(options.format === 'pcap' ? ['-P'] : [])];
  const child: ChildProcess = spawn('dumpcap', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      errors += d.toString();
      if (errors.includes('Capturing on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`dumpcap cannot capture on lo (exit ${code}): ${errors}`)));
  });
  // "Capturing on" comes a moment before packets are taken: knock (a bare TCP connect, no TLS)
  // until one is in the file.
  try {
    await waitUntil(`dumpcap to capture a first packet on lo port ${port} into ${file}`, async () => {
      await new Promise<void>((resolve) => {
        const probe = net.connect(port, '127.0.0.1', () => probe.destroy());
        probe.on('close', () => resolve());
        probe.on('error', () => resolve());
      });
      return capturedAPacket(file);
    });
  } catch (error) {
    child.kill('SIGINT');
    throw error;
  }
  return {
    file,
    stop: async () => {
      // Wait until the file stops growing (the last FIN is in), then let dumpcap finish it. A pause
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
