// A TCP relay in front of a real server that keeps every chunk of its connections, both ways, in
// order and timed, as the workbench records a connection: for tests whose client is not the
// workbench's (openssl s_client with options Node's TLS lacks, such as 0-RTT or post-handshake auth).
import net from 'node:net';
import type { Direction } from '../../src-main/api/types';
import type { RecordedChunk } from '../../src-main/tls/records';
import { waitUntil, withDeadline } from './waitUntil';

export interface RecordingRelay {
  port: number;
  chunks: RecordedChunk[];
  /**
   * Resolves once `count` connections have come in and the client of every one has gone: by then
   * each chunk the client sent is in `chunks` (a socket's 'close' follows its last 'data'), and so
   * is each one the server sent it (the relay keeps a chunk before passing it on). A client that
   * has exited may still have bytes on their way through the relay; a server may never close.
   */
  settled(count?: number): Promise<void>;
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
  const closings: Promise<unknown>[] = [];
  const listener = net.createServer((client) => {
    void relayKeeping(client, port, keep);
    closings.push(new Promise((resolve) => client.once('close', resolve)));
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const settled = async (count = 1) => {
    await waitUntil(() => `${count} connection(s) through the relay to port ${port} (${closings.length} came)`, () => closings.length >= count);
    await withDeadline(`the clients of the relay to port ${port} to close their connections`, Promise.all(closings));
  };
  return { port: (listener.address() as net.AddressInfo).port, chunks, settled, close: () => listener.close() };
}
