// The server now asks for a client certificate the original session did not need: the replay's
// error tells the student to give one with --cert/--key or --identity, and those options must
// then exist on `tlslab replay` and work. The peer is `openssl s_server -Verify 1`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlslabInProcess } from '../support/cliInProcess';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';
import { loopbackGet, recordInto } from '../support/clientRequest';

let tmp: string;
let dataDir: string;
let pki: ServerTestPki;
let open: RunningPeer;
let strict: RunningPeer;
let id: number;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-client-cert-'));
  dataDir = path.join(tmp, 'data');
  pki = await makeServerPki();
  open = await startOpensslServer(pki.bank.cert, pki.bank.key, ['-www']);
  strict = await startOpensslServer(pki.bank.cert, pki.bank.key, ['-www', '-Verify', '1', '-CAfile', pki.clientCaCert]);
  id = await recordInto(dataDir, loopbackGet('www.bank32.com', open.port, pki.caCert));
});

afterAll(async () => {
  await open?.stop();
  await strict?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('replay to a server that now requires a client certificate', () => {
  it('fails saying how to give one, and succeeds with --cert and --key', async () => {
    const to = `127.0.0.1:${strict.port}`;
    const refused = await tlslabInProcess(dataDir, ['replay', String(id), '--to', to]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('the server asked for a client certificate and this client had none to send');
    expect(refused.stdout).toContain('--cert FILE --key FILE, or --identity lab:NAME');

    const run = await tlslabInProcess(dataDir, ['replay', String(id), '--to', to, '--cert', pki.client.cert, '--key', pki.client.key, '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.error).toBeNull();
    expect(result.replayed.httpStatus).toBe('HTTP/1.0 200 ok');
    // openssl's -www page says who the client was.
    expect(result.replayed.text).toMatch(/Client certificate|subject=/i);
  });
});
