import net from 'node:net';
import { WAIT_DEADLINE_MS, waitUntil } from './waitUntil';

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts TCP connections on the port (a peer starting on a busy machine can take seconds). */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = WAIT_DEADLINE_MS): Promise<void> {
  await waitUntil(
    `something to listen on ${host}:${port}`,
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect({ port, host });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    { timeoutMs, intervalMs: 50 },
  );
}
