// What a loaded trust store says it holds, as the proxy's card and the client's session show it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificatePem, createRootCa } from '../../src-main/pki/certificates';
import { subjectHash } from '../../src-main/pki/subjectHash';
import { loadTrustStore } from '../../src-main/sessions/trustStore';

describe('a trust store’s description', () => {
  it('counts its certificates in words: "1 certificate", "2 certificates", never "certificate(s)"', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-trust-words-'));
    const a = await createRootCa({ subject: '/CN=Words A', key: 'ed25519' });
    const b = await createRootCa({ subject: '/CN=Words B', key: 'ed25519' });
    const one = path.join(dir, 'one.pem');
    const two = path.join(dir, 'two.pem');
    fs.writeFileSync(one, certificatePem(a.certificate));
    fs.writeFileSync(two, certificatePem(a.certificate) + certificatePem(b.certificate));
    expect(loadTrustStore({ kind: 'file', path: one }).description).toBe(`1 certificate from ${one}`);
    expect(loadTrustStore({ kind: 'file', path: two }).description).toBe(`2 certificates from ${two}`);

    const folder = path.join(dir, 'hashed');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, `${subjectHash(a.certificate)}.0`), certificatePem(a.certificate));
    fs.writeFileSync(path.join(folder, '00000000.0'), certificatePem(b.certificate));
    expect(loadTrustStore({ kind: 'dir', path: folder }).description).toBe(
      `1 certificate from hash links in ${folder}, 1 file ignored: its name is not its subject hash`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
