// Opening a 100,000-record session as the UI does: the session detail and the first page of the
// record table, in a freshly opened workbench, with the engine's memory before and after. The
// reference is the same session's first page read by tshark from its own pcapng export.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workbench } from '../src-main/workbench';
import { makeTestPki } from '../test/support/opensslPki';
import { startManyRecordServer } from '../test/support/manyRecordServer';

const RECORDS = 100_000;

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export async function benchLargeSession(): Promise<void> {
  const pki = makeTestPki('tlslab-bench-large-');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-large-data-'));
  // Python's ssl module answers the request with RECORDS records of one byte each.
  const server = await startManyRecordServer(pki.serverCert, pki.serverKey, RECORDS);
  let id: number;
  try {
    const recorder = new Workbench({ dataDir });
    id = await recorder.recordClient({
      host: 'www.bank32.com',
      port: server.port,
      connectTo: '127.0.0.1',
      trust: { kind: 'file', path: pki.caCert },
      verifyPeer: true,
      checkHostname: true,
      send: { kind: 'http-get', path: '/' },
      timeoutMs: 120_000,
    });
    await recorder.close();
  } finally {
    server.stop();
  }

  const opened = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('bench/openSession.ts'), dataDir, String(id)], { encoding: 'utf8' });
  if (opened.status !== 0) throw new Error(`opening the session failed: ${opened.stderr}`);
  const m = JSON.parse(opened.stdout.trim().split('\n').at(-1) ?? '{}') as { records: number; detailMs: number; pageMs: number; rssBefore: number; rssAfter: number; pageJsonBytes: number };
  console.log(`session of ${m.records} records, opened by a fresh engine process: detail ${m.detailMs.toFixed(0)} ms, first 100 rows ${m.pageMs.toFixed(0)} ms, first rows shown after ${(m.detailMs + m.pageMs).toFixed(0)} ms (target under 1000 ms)`);
  console.log(`engine memory: ${mb(m.rssBefore)} at start, ${mb(m.rssAfter)} with the session open (target under 300 MB); first page: ${m.pageJsonBytes} bytes of JSON`);
  {
    const out = path.join(dataDir, 'large.pcapng');
    const cli = spawnSync(process.execPath, [path.resolve('bin/tlslab.mjs'), '--data-dir', dataDir, 'sessions', 'export', String(id), '--format', 'pcapng', '--out', out], { encoding: 'utf8' });
    if (cli.status === 0) {
      const t3 = performance.now();
      spawnSync('tshark', ['-r', out, '-d', `tcp.port==${server.port},tls`, '-c', '100'], { encoding: 'utf8' });
      console.log(`reference: tshark shows the first 100 packets of the same session's pcapng in ${(performance.now() - t3).toFixed(0)} ms`);
    }
  }
}
