// Records a real TLS conversation between `openssl s_client` and `openssl s_server` through a
// small TCP relay on 127.0.0.1 that notes every chunk per direction, as the engine's recorder does.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Direction } from '../../../src-main/api/types';
import type { RecordedChunk } from '../../../src-main/tls/records';

export interface OpensslCapture {
  chunks: RecordedChunk[];
  /** Bytes the relay forwarded in each direction. */
  bytes: Record<Direction, number>;
  clientOutput: string;
  serverOutput: string;
}

export interface CaptureOptions {
  serverArgs?: string[];
  clientArgs?: string[];
  /** Written to s_client's stdin once it has connected (sent over TLS). */
  clientInput?: string;
}

/** A throwaway self-signed certificate for CN=test, made with the openssl command line. */
export class TestCertificate {
  readonly dir = mkdtempSync(join(tmpdir(), 'tls-decoder-'));
  readonly cert = join(this.dir, 'c');
  readonly key = join(this.dir, 'k');

  constructor() {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=test', '-days', '2', '-keyout', this.key, '-out', this.cert],
      { stdio: 'ignore' },
    );
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function collect(child: ChildProcessWithoutNullStreams): { text: () => string } {
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (text += d.toString('latin1')));
  return { text: () => text };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function serverPort(server: ChildProcessWithoutNullStreams, output: { text: () => string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s_server did not start:\n${output.text()}`)), 15_000);
    const check = (): void => {
      const match = /ACCEPT [^\n]*:(\d+)/.exec(output.text());
      if (match) {
        clearTimeout(timer);
        server.stdout.off('data', check);
        resolve(Number(match[1]));
      }
    };
    server.stdout.on('data', check);
    server.once('exit', () => reject(new Error(`s_server exited:\n${output.text()}`)));
    check();
  });
}

/** Runs one s_client connection against s_server through the recording relay. */
export async function captureOpensslSession(certificate: TestCertificate, options: CaptureOptions = {}): Promise<OpensslCapture> {
  const server = spawn('openssl', [
    's_server',
    '-accept',
    '127.0.0.1:0',
    '-naccept',
    '1',
    '-cert',
    certificate.cert,
    '-key',
    certificate.key,
    ...(options.serverArgs ?? []),
  ]);
  const serverOutput = collect(server);
  const chunks: RecordedChunk[] = [];
  const bytes: Record<Direction, number> = { 'client-to-server': 0, 'server-to-client': 0 };
  const record = (direction: Direction, data: Buffer): void => {
    chunks.push({ direction, t: performance.now(), data: new Uint8Array(data) });
    bytes[direction] += data.length;
  };

  let relay: net.Server | undefined;
  let client: ChildProcessWithoutNullStreams | undefined;
  try {
    const upstreamPort = await serverPort(server, serverOutput);
    let connectionClosed!: () => void;
    const closed = new Promise<void>((resolve) => (connectionClosed = resolve));
    relay = net.createServer((downstream) => {
      const upstream = net.connect(upstreamPort, '127.0.0.1');
      let open = 2;
      const oneClosed = (): void => {
        if (--open === 0) connectionClosed();
      };
      downstream.on('data', (d: Buffer) => {
        record('client-to-server', d);
        upstream.write(d);
      });
      upstream.on('data', (d: Buffer) => {
        record('server-to-client', d);
        downstream.write(d);
      });
      downstream.on('end', () => upstream.end());
      upstream.on('end', () => downstream.end());
      downstream.on('error', () => upstream.destroy());
      upstream.on('error', () => downstream.destroy());
      downstream.on('close', oneClosed);
      upstream.on('close', oneClosed);
    });
    await new Promise<void>((resolve) => relay!.listen(0, '127.0.0.1', resolve));
    const relayPort = (relay.address() as net.AddressInfo).port;

    client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${relayPort}`, ...(options.clientArgs ?? [])]);
    const clientOutput = collect(client);
    if (options.clientInput !== undefined) client.stdin.write(options.clientInput);
    // Keep stdin open: s_client treats its end as "hang up", which could cut the server short.
    const clientDone = exited(client);
    await Promise.race([
      closed,
      new Promise<void>((_, reject) =>
        setTimeout(() => reject(new Error(`the TLS connection did not close:\n${clientOutput.text()}`)), 30_000),
      ),
    ]);
    client.stdin.end();
    await Promise.race([clientDone, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    return { chunks, bytes, clientOutput: clientOutput.text(), serverOutput: serverOutput.text() };
  } finally {
    if (client && client.exitCode === null) client.kill();
    if (server.exitCode === null) server.kill();
    relay?.close();
  }
}
