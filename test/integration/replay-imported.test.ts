// Replaying an imported capture: a session recorded against `openssl s_server -www`, exported as
// pcapng (keys embedded) and imported again. The capture holds the server's address; the replay
// must go there, not look the certificate's name up.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlslabInProcess } from '../support/cliInProcess';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { loopbackGet, recordInto } from '../support/clientRequest';

let tmp: string;
let dataDir: string;
let pki: TestPki;
let peer: RunningPeer;
let id: number;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-imported-'));
  dataDir = path.join(tmp, 'data');
  pki = makeTestPki();
  peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www']);
  id = await recordInto(dataDir, loopbackGet('www.bank32.com', peer.port, pki.caCert));
});

afterAll(async () => {
  await peer?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('replay of an imported capture', () => {
  it('goes to the server address the capture recorded', async () => {
    const capture = path.join(tmp, 'session.pcapng');
    expect((await tlslabInProcess(dataDir, ['sessions', 'export', String(id), '--format', 'pcapng', '--out', capture])).status).toBe(0);
    const imported = await tlslabInProcess(dataDir, ['sessions', 'import', capture]);
    expect(imported.status).toBe(0);
    const importedId = /as session (\d+)/.exec(imported.stdout + imported.stderr)![1];

    const run = await tlslabInProcess(dataDir, ['replay', importedId, '--json']);
    const result = JSON.parse(run.stdout);
    expect(result.error).toBeNull();
    expect(result.connectTo).toBe(`127.0.0.1:${peer.port}`);
    expect(result.replayed.httpStatus).toBe('HTTP/1.0 200 ok');
    expect(run.status).toBe(0);
  });
});
