// Sessions with nothing to replay, recorded against `openssl s_server -www`: the refusal must say
// there was no application data, not blame a key log that decrypted every record there was.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';

let tmp: string;
let pki: TestPki;
let wb: Workbench;
let peer: RunningPeer;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-no-data-'));
  pki = makeTestPki();
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www']);
});

afterAll(async () => {
  await peer?.stop();
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

function record(trust: string): Promise<number> {
  return wb.recordClient({
    host: 'www.bank32.com',
    port: peer.port,
    connectTo: '127.0.0.1',
    trust: { kind: 'file', path: trust },
    verifyPeer: true,
    checkHostname: true,
    send: { kind: 'none' },
    timeoutMs: 1000,
  });
}

describe('replay of a session without application data', () => {
  it('a TLS 1.3 handshake and its tickets alone: "only a handshake was recorded", for client and server replay', async () => {
    const id = await record(pki.caCert);
    expect((await wb.session(id)).version).toBe('TLSv1.3');
    const said = `session ${id} has no application data to replay (only a handshake was recorded)`;
    await expect(wb.replay.replayClient({ id })).rejects.toThrow(said);
    await wb.workshop.createCa({ name: 'Replay CA', subject: '/CN=Replay CA' });
    await expect(wb.replay.startServer({ ids: [id], ca: 'Replay CA', listen: '127.0.0.1:0' })).rejects.toThrow(said);
  });

  it('a session that failed verification: "it failed before any was sent"', async () => {
    const id = await record(pki.otherCaCert);
    expect((await wb.session(id)).status).toBe('failed');
    await expect(wb.replay.replayClient({ id })).rejects.toThrow(`session ${id} has no application data to replay (it failed before any was sent)`);
  });
});
