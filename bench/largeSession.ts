// Opening a 100,000-record session as the UI does: the session detail and the first page of the
// record table, in a freshly opened workbench, with the engine's memory before and after. The
// reference is the same session's first page read by tshark from its own pcapng export.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workbench } from '../src-main/workbench';
import { makeTestPki } from '../test/support/opensslPki';
import { freePort, waitForPort } from '../test/support/ports';

const RECORDS = 100_000;

/** Python's ssl module answers the request with RECORDS records of one byte each. */
const SERVER = `
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
        pass
`;

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export async function benchLargeSession(): Promise<void> {
  const pki = makeTestPki('tlslab-bench-large-');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-large-data-'));
  const port = await freePort();
  const server: ChildProcess = spawn('python3', ['-c', SERVER, String(port), pki.serverCert, pki.serverKey, String(RECORDS)], { stdio: 'ignore' });
  let id: number;
  try {
    await waitForPort(port);
    const recorder = new Workbench({ dataDir });
    id = await recorder.recordClient({
      host: 'www.bank32.com',
      port,
      connectTo: '127.0.0.1',
      trust: { kind: 'file', path: pki.caCert },
      verifyPeer: true,
      checkHostname: true,
      send: { kind: 'http-get', path: '/' },
      timeoutMs: 120_000,
    });
    await recorder.close();
  } finally {
    server.kill();
  }

  global.gc?.();
  const before = process.memoryUsage().rss;
  const wb = new Workbench({ dataDir });
  try {
    const t0 = performance.now();
    const detail = await wb.session(id);
    const t1 = performance.now();
    const page = await wb.records.page({ id, from: 1, limit: 100 });
    const t2 = performance.now();
    const after = process.memoryUsage().rss;
    const records = detail.connections.reduce((n, c) => n + c.timeline.filter((e) => e.kind === 'record').length, 0);
    console.log(`session of ${records} records: detail ${(t1 - t0).toFixed(0)} ms, first 100 rows ${(t2 - t1).toFixed(0)} ms, first rows shown after ${(t2 - t0).toFixed(0)} ms (target under 1000 ms)`);
    console.log(`engine memory: ${mb(before)} before opening, ${mb(after)} after (target under 300 MB); page rows: ${JSON.stringify(page).length} bytes of JSON`);

    const out = path.join(dataDir, 'large.pcapng');
    const cli = spawnSync(process.execPath, [path.resolve('bin/tlslab.mjs'), '--data-dir', dataDir, 'sessions', 'export', String(id), '--format', 'pcapng', '--out', out], { encoding: 'utf8' });
    if (cli.status === 0) {
      const t3 = performance.now();
      spawnSync('tshark', ['-r', out, '-d', `tcp.port==${port},tls`, '-c', '100'], { encoding: 'utf8' });
      console.log(`reference: tshark shows the first 100 packets of the same session's pcapng in ${(performance.now() - t3).toFixed(0)} ms`);
    }
  } finally {
    await wb.close();
  }
}
