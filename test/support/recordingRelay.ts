// A TCP relay in front of a real server that keeps every chunk of its connections, both ways, in
// order and timed, as the workbench records a connection: for tests whose client is not the
// workbench's (openssl s_client with options Node's TLS lacks, such as 0-RTT or post-handshake auth).
import net from 'node:net';
import type { Direction } from '../../src-main/api/types';
import type { RecordedChunk } from '../../src-main/tls/records';

export interface RecordingRelay {
  port: number;
  chunks: RecordedChunk[];
  close(): void;
}

/**
 * Joins an accepted client to a new connection to the server on `port`, both ways, passing every
 * chunk to `keep` first; returns the connection to the server.
 */
export function relayKeeping(client: net.Socket, port: number, keep: (direction: Direction) => (data: Buffer) => void): net.Socket {
  const upstream = net.connect({ host: '127.0.0.1', port });
  client.on('data', keep('client-to-server'));
  upstream.on('data', keep('server-to-client'));
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  return upstream;
}

export async function recordingRelay(port: number): Promise<RecordingRelay> {
  const chunks: RecordedChunk[] = [];
  const start = performance.now();
  const keep = (direction: Direction) => (data: Buffer) => chunks.push({ direction, t: performance.now() - start, data: Uint8Array.from(data) });
  const listener = net.createServer((client) => void relayKeeping(client, port, keep));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return { port: (listener.address() as net.AddressInfo).port, chunks, close: () => listener.close() };
}
