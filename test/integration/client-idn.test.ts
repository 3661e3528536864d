// An internationalised name typed as a student reads it (bücher.example) goes on the wire in its
// ASCII form (xn--bcher-kva.example), as browsers send it: SNI, Host and the hostname check. A
// look-alike name (Cyrillic "а" in bаnk32) does not match the real site's certificate.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/workbench';
import { wireName } from '../../src-main/sessions/clientSession';
import { loopbackGet } from '../support/clientRequest';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';

let pki: TestPki;
let wb: Workbench;
let idn: RunningPeer;
let bank: RunningPeer;

beforeAll(async () => {
  pki = makeTestPki('tlslab-idn-');
  const key = path.join(pki.dir, 'idn.key');
  const csr = path.join(pki.dir, 'idn.csr');
  const cert = path.join(pki.dir, 'idn.pem');
  const ext = path.join(pki.dir, 'idn.ext');
  fs.writeFileSync(ext, 'subjectAltName=DNS:xn--bcher-kva.example\n');
  execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', '/CN=xn--bcher-kva.example', '-out', csr], { stdio: 'ignore' });
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-days', '5', '-extfile', ext, '-out', cert], { stdio: 'ignore' });
  idn = await startOpensslServer(cert, key);
  bank = await startOpensslServer(pki.serverCert, pki.serverKey);
  wb = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-idn-')) });
});
afterAll(async () => {
  await wb?.close();
  await idn?.stop();
  await bank?.stop();
});

describe('internationalised names', () => {
  it('bücher.example is sent as xn--bcher-kva.example and matches its certificate', async () => {
    const s = await wb.runClient(loopbackGet('bücher.example', idn.port, pki.caCert));
    expect(s.status).toBe('ok');
    expect(s.sni).toBe('xn--bcher-kva.example');
    expect(s.verification?.accepted).toBe(true);
    const notes = s.connections[0].timeline.filter((e) => e.kind === 'note').map((e) => (e as { text: string }).text);
    expect(notes).toContain('bücher.example goes on the wire as xn--bcher-kva.example (IDNA, as browsers send it): in SNI, the Host header and the hostname check');
  });

  it('a look-alike of www.bank32.com with a Cyrillic "а" is another name, which the bank\'s certificate does not cover', async () => {
    const lookAlike = 'www.b\u0430nk32.com';
    expect(wireName(lookAlike)).toMatch(/^www\.xn--/);
    const s = await wb.runClient(loopbackGet(lookAlike, bank.port, pki.caCert));
    expect(s.status).toBe('failed');
    expect(s.verification?.summary).toContain(`hostname mismatch: asked for ${wireName(lookAlike)}`);
  });
});
