// Load: 200 concurrent clients and 5,000 requests, all answered and all recorded, while a client
// that sends garbage and one that stalls mid-handshake are dropped without touching the others.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/workbench';
import { run } from '../support/run';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';
import { isSessionOf } from '../support/serverSessions';

let pki: ServerTestPki;
let wb: Workbench;

beforeAll(async () => {
  pki = await makeServerPki();
  wb = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-server-load-')) });
});

afterAll(async () => {
  await wb?.close();
});

/** A ClientHello's first bytes, then silence: a client stuck mid-handshake. */
function stall(port: number): net.Socket {
  const socket = net.connect(port, '127.0.0.1', () => socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])));
  socket.on('error', () => undefined);
  return socket;
}

describe('the server under load', () => {
  it('answers and records 5,000 requests from 200 concurrent clients; garbage and a stalled client affect nobody', async () => {
    const server = await wb.servers.start({
      port: 0,
      identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key },
      // Long enough for 200 handshakes at once on a loaded 2-core machine; the stalled client still ends by it.
      handshakeTimeoutMs: 8000,
    });
    const connections: number[] = [];
    const unsubscribe = wb.subscribe((event, data) => {
      if (event === 'server.connection') connections.push((data as { sessionId: number }).sessionId);
    });
    const stalled = stall(server.port);
    const garbage = net.connect(server.port, '127.0.0.1', () => garbage.write('HELO garbage\r\n\x00\x01\x02 not tls at all\r\n'));
    garbage.on('error', () => undefined);
    const heapBefore = process.memoryUsage().heapUsed;

    const out = await run(process.execPath, [path.resolve('test/support/tlsLoad.mjs'), 'requests', '127.0.0.1', String(server.port), '200', '25', pki.caCert], { timeoutMs: 110_000 });
    const load = JSON.parse(out.stdout) as { ok: number; failed: number; errors: string[] };
    expect(load).toMatchObject({ ok: 5000, failed: 0, errors: [] });

    // Every session ends: 200 served, plus the garbage one and (after its timeout) the stalled one.
    for (let i = 0; i < 1200 && connections.length < 202; i++) await new Promise((r) => setTimeout(r, 25));
    unsubscribe();
    stalled.destroy();
    const sessions = wb.listSessions(1000).filter((s) => isSessionOf(s, server));
    expect(sessions).toHaveLength(202);
    const ok = sessions.filter((s) => s.status === 'ok');
    expect(ok).toHaveLength(200);
    const details = await Promise.all(ok.slice(0, 20).map((s) => wb.session(s.id)));
    for (const d of details) {
      expect(d.server?.requests).toBe(25);
      expect(d.connections[0].bytesClientToServer).toBe(d.connections[0].recordedClientToServer);
      expect(d.connections[0].keylog.length).toBe(5);
    }
    const failed = sessions.filter((s) => s.status === 'failed').map((s) => s.error?.code).sort();
    expect(failed).toEqual(['HANDSHAKE_TIMEOUT', 'NOT_TLS']);
    const info = wb.servers.get(server.id);
    expect(info).toMatchObject({ connections: 202, failed: 2, active: 0 });
    // Recording does not pile up in memory: what was queued went to the writer thread.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
    expect(wb.writer.queuedEntries).toBeLessThan(20_000);
    await wb.servers.stop(server.id);
  });
});
