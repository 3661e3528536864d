// A non-HTTP session (a line protocol: `openssl s_server -rev` reverses each line) played back by
// the replay server to `openssl s_client`. A client that types other words still gets the recorded
// answer to each line in turn; its recorded session says that it strayed, and how playback goes on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionDetail } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { loopbackGet } from '../support/clientRequest';
import { waitUntil } from '../support/waitUntil';

let tmp: string;
let pki: TestPki;
let wb: Workbench;
let rev: RunningPeer;
let id: number;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-stream-'));
  pki = makeTestPki();
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  await wb.workshop.createCa({ name: 'Stream CA', subject: '/CN=Stream CA' });
  rev = await startOpensslServer(pki.serverCert, pki.serverKey, ['-rev']);
  id = await wb.recordClient(loopbackGet('www.bank32.com', rev.port, pki.caCert, { send: { kind: 'text', text: 'hello lab\r\n' }, timeoutMs: 1000 }));
});

afterAll(async () => {
  await rev?.stop();
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

/** A TLS client that sends `line` and reads until `awaited` arrives (or the server closes), then closes. */
function answerTo(port: number, line: string, awaited: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'www.bank32.com', rejectUnauthorized: false }, () => socket.write(line));
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes(awaited)) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(got));
  });
}

async function finishedServerSession(after: number): Promise<SessionDetail> {
  const found = await waitUntil('a finished replay server session', () => wb.listSessions(100).find((s) => s.kind === 'server' && s.id > after && s.status !== 'running'));
  return wb.session(found.id);
}

describe('replay-server playing back a line protocol', () => {
  it('a client that types another line gets the recorded answer to its line, and its session says it strayed', async () => {
    const server = await wb.replay.startServer({ ids: [id], ca: 'Stream CA', listen: '127.0.0.1:0' });
    try {
      expect(server.streams).toBe(1);
      // Shorter than the recorded "hello lab\r\n": counted in bytes, the answer never came.
      expect(await answerTo(server.port, 'bye\r\n', 'bal olleh')).toContain('bal olleh');
      const session = await finishedServerSession(id);
      const notes = session.connections[0].timeline.flatMap((e) => (e.kind === 'note' ? [e.text] : []));
      expect(notes).toContain(`replaying the server's 1 turn of session ${id}, each once the client has sent as many lines as the recorded client had before it`);
      expect(notes).toContain(
        `the client's bytes differ from session ${id}'s recorded client from byte 0 on: the recorded server turns are played back regardless, each once the client has sent as many lines as the recorded client had before it`,
      );
    } finally {
      await wb.replay.stopServer(server.id);
    }
  });
});
