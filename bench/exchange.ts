// Exchange speed: a recorded 100 MB download (the workbench's client against openssl s_server
// -WWW, no recording cap) exported as pcapng and imported back, in MB/s of session bytes; with
// editcap (Wireshark's own C tool) rewriting the same capture in the same run as the reference.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { captureSession } from '../src-main/export/captureSession';
import { readCapture } from '../src-main/export/pcapImport';
import { sessionCapture, writePcapng } from '../src-main/export/pcapng';
import { insertRecordedSession, readRecordedSession } from '../src-main/store/sessionArchive';
import { Workbench } from '../src-main/workbench';
import { makeTestPki } from '../test/support/opensslPki';
import { startOpensslServer } from '../test/support/opensslServer';
import { median } from './stats';

const DOWNLOAD_BYTES = 100 * 1024 * 1024;
const ROUNDS = 3;

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = process.hrtime.bigint();
  const value = run();
  return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

export async function benchExchange(): Promise<void> {
  const pki = makeTestPki('tlslab-bench-exchange-');
  const www = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-exchange-www-'));
  fs.writeFileSync(path.join(www, 'big.bin'), Buffer.alloc(DOWNLOAD_BYTES, 0x61));
  const prev = process.cwd();
  process.chdir(www);
  const served = await startOpensslServer(pki.serverCert, pki.serverKey, ['-WWW', '-quiet']);
  process.chdir(prev);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-exchange-data-'));
  const wb = new Workbench({ dataDir, recordCapBytes: 0 });
  try {
    const id = await wb.recordClient({
      host: 'www.bank32.com',
      port: served.port,
      connectTo: '127.0.0.1',
      trust: { kind: 'file', path: pki.caCert },
      verifyPeer: true,
      checkHostname: true,
      send: { kind: 'http-get', path: '/big.bin' },
      timeoutMs: 120_000,
    });
    const loaded = timed(() => readRecordedSession(wb.db, id)!);
    const session = loaded.value;
    const sessionBytes = session.connections.reduce((n, c) => n + c.chunks.reduce((m, chunk) => m + chunk.data.length, 0), 0);
    const mb = sessionBytes / 1e6;
    console.log(`session: ${mb.toFixed(1)} MB recorded in ${session.connections[0].chunks.length} chunks; read from SQLite in ${loaded.ms.toFixed(0)} ms (${(mb / (loaded.ms / 1000)).toFixed(0)} MB/s)`);

    const file = path.join(dataDir, 'big.pcapng');
    const writes: number[] = [];
    let capture: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < ROUNDS; i++) {
      const w = timed(() => writePcapng(sessionCapture(session)));
      capture = w.value;
      writes.push(w.ms);
    }
    const write = median(writes);
    const disk = timed(() => fs.writeFileSync(file, capture));
    console.log(
      `pcapng export: ${(capture.length / 1e6).toFixed(1)} MB file, median ${write.toFixed(0)} ms = ${(mb / (write / 1000)).toFixed(0)} MB/s of session bytes (target >= 100); with the SQLite read and the file write: ${(mb / ((write + loaded.ms + disk.ms) / 1000)).toFixed(0)} MB/s`,
    );

    const reads: number[] = [];
    let imported = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const bytes = fs.readFileSync(file);
      const r = timed(() => captureSession(readCapture(bytes), { source: 'big.pcapng' }));
      reads.push(r.ms);
      imported = r.value.connections[0].chunks.reduce((n, c) => n + c.data.length, 0);
    }
    const read = median(reads);
    const parsed = captureSession(readCapture(fs.readFileSync(file)), { source: 'big.pcapng' });
    const store = timed(() => insertRecordedSession(wb.db, parsed));
    console.log(
      `pcapng import: ${(imported / 1e6).toFixed(1)} MB reassembled, median ${read.toFixed(0)} ms = ${(mb / (read / 1000)).toFixed(0)} MB/s (target >= 50); with the SQLite write (one transaction): ${(mb / ((read + store.ms) / 1000)).toFixed(0)} MB/s`,
    );
    if (imported !== sessionBytes) console.log(`  MISMATCH: imported ${imported} bytes of ${sessionBytes}`);

    // The reference: editcap, Wireshark's C tool, reading and rewriting the same capture.
    const editcap = timed(() => execFileSync('editcap', [file, path.join(dataDir, 'copy.pcapng')]));
    console.log(`reference: editcap rewrites the same capture in ${editcap.ms.toFixed(0)} ms (${(capture.length / 1e6 / (editcap.ms / 1000)).toFixed(0)} MB/s of file); export/editcap ${(write / editcap.ms).toFixed(2)}x the time, import/editcap ${(read / editcap.ms).toFixed(2)}x`);
  } finally {
    await wb.close();
    await served.stop();
    fs.rmSync(www, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
