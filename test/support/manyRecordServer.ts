// Python's ssl module as a TLS server that reads the request, then answers with `count` records
// of one byte each: a session with very many records, from a peer nobody here wrote.
import { spawn } from 'node:child_process';
import { freePort, waitForPort } from './ports';

const SCRIPT = `
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv = socket.create_server(('127.0.0.1', int(sys.argv[1])))
while True:
    raw, _ = srv.accept()
    try:
        with ctx.wrap_socket(raw, server_side=True) as conn:
            conn.recv(4096)
            for _ in range(int(sys.argv[4])):
                conn.write(b'x')
            conn.unwrap()
    except (ssl.SSLError, OSError):
        pass  # the port probe, or a client that went away
`;

export interface ManyRecordServer {
  port: number;
  stop(): void;
}

/** Starts the server on a free loopback port; resolves once it accepts connections. */
export async function startManyRecordServer(cert: string, key: string, count: number): Promise<ManyRecordServer> {
  const port = await freePort();
  const child = spawn('python3', ['-c', SCRIPT, String(port), cert, key, String(count)], { stdio: 'ignore' });
  try {
    await waitForPort(port);
  } catch (err) {
    child.kill();
    throw err;
  }
  return { port, stop: () => child.kill() };
}
