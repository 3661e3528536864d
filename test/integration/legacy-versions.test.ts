// TLS 1.0 and 1.1 in the lesson on old versions: each side that refuses them must say why and
// what to change, not print OpenSSL's internals or a list of every possible cause.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/workbench';
import { loopbackGet } from '../support/clientRequest';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer } from '../support/opensslServer';
import { run } from '../support/run';
import { isSessionOf } from '../support/serverSessions';
import { waitUntil } from '../support/waitUntil';

let tmp: string;
let pki: TestPki;
let wb: Workbench;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-legacy-'));
  pki = makeTestPki();
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
});

afterAll(async () => {
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('old TLS versions, refused with a reason', () => {
  it('the client with its default versions against a TLS 1.0-only server: the protocol_version alert says to widen the versions, and how for TLS 1.0', async () => {
    const server = await startOpensslServer(pki.serverCert, pki.serverKey, ['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0']);
    try {
      const session = await wb.session(await wb.recordClient(loopbackGet('www.bank32.com', server.port, pki.caCert)));
      expect(session.status).toBe('failed');
      expect(session.error?.code).toBe('VERSION_MISMATCH');
      expect(session.error?.message).toContain('it accepts none of the TLS versions this client offered');
      expect(session.error?.message).toContain('the minimum version TLSv1 (or TLSv1.1) and @SECLEVEL=0 in the cipher list');
    } finally {
      await server.stop();
    }
  });

  it('a server that allows TLS 1.0 without @SECLEVEL=0: a TLS 1.0 client fails with the security level named, not with OpenSSL internals', async () => {
    const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.serverCert, keyPath: pki.serverKey }, minVersion: 'TLSv1' });
    try {
      const client = await run('openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0'], { input: '' });
      expect(client.code).not.toBe(0);
      const failed = await waitUntil(`a failed session for ${server.address}`, () => wb.listSessions(20).find((s) => isSessionOf(s, server) && s.status === 'failed'));
      expect(failed.error?.code).toBe('LEGACY_TLS_REFUSED');
      expect(failed?.error?.message).toContain("add @SECLEVEL=0 to the server's cipher list, e.g. --ciphers 'DEFAULT:@SECLEVEL=0'");
    } finally {
      await wb.servers.stop(server.id);
    }
  });
});
