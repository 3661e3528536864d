import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CertificateAuthority, certificatePem, createRootCa } from '../../../src-main/pki/certificates.js';
import { createCsr, parseCsr, signCsr } from '../../../src-main/pki/csr.js';
import { exportPrivateKeyPem } from '../../../src-main/pki/keys.js';
import { makeTempDir, opensslOk, type TempDir } from './openssl.js';

let dir: TempDir;
let ca: CertificateAuthority;
let caFile: string;
beforeAll(async () => {
  dir = makeTempDir('tlslab-csr-');
  ca = await createRootCa({ subject: '/C=US/O=Model CA LTD./CN=www.modelCA.com', key: 'rsa:2048' });
  caFile = dir.file('ca.pem', certificatePem(ca.certificate));
});
afterAll(() => dir.remove());

describe('a CSR made by `openssl req`', () => {
  it('is read with its SANs and signed by the workbench with its extensions copied', async () => {
    const csrFile = dir.file('openssl.csr');
    opensslOk([
      'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', dir.file('openssl.key'),
      '-subj', '/C=US/ST=CA/O=Bank 32/CN=www.bank32.com',
      '-addext', 'subjectAltName=DNS:www.bank32.com,DNS:*.bank32.com,IP:127.0.0.1',
      '-addext', 'extendedKeyUsage=serverAuth',
      '-out', csrFile,
    ]);
    const pem = readFileSync(csrFile, 'utf8');
    const info = parseCsr(pem);
    expect(info.signatureValid).toBe(true);
    expect(info.subjectString).toBe('/C=US/ST=CA/O=Bank 32/CN=www.bank32.com');
    expect(info.subjectAltNames.map((entry) => `${entry.type}:${entry.value}`)).toEqual(['dns:www.bank32.com', 'dns:*.bank32.com', 'ip:127.0.0.1']);

    const signed = await signCsr(ca, pem, { copyExtensions: true });
    const certFile = dir.file('from-openssl-csr.pem', signed.pem);
    expect(opensslOk(['verify', '-CAfile', caFile, '-purpose', 'sslserver', '-verify_hostname', 'api.bank32.com', certFile]).trim()).toBe(`${certFile}: OK`);
    const text = opensslOk(['x509', '-in', certFile, '-noout', '-text']);
    expect(text).toContain('DNS:www.bank32.com, DNS:*.bank32.com, IP Address:127.0.0.1');
    expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s+TLS Web Server Authentication/);
    expect(text).toContain('Subject: C = US, ST = CA, O = Bank 32, CN = www.bank32.com');
    // The certificate holds the request's key.
    const keyModulus = opensslOk(['pkey', '-in', dir.file('openssl.key'), '-pubout']);
    expect(opensslOk(['x509', '-in', certFile, '-noout', '-pubkey'])).toBe(keyModulus);
  });
});

describe('a CSR made by the workbench', () => {
  it('passes `openssl req -verify`, shows its SANs, and is signed by `openssl x509 -req`', async () => {
    const created = await createCsr({
      subject: { C: 'DE', O: 'Lab', CN: 'student.lab' },
      subjectAltNames: 'DNS:student.lab,IP:::1',
      key: 'rsa:2048',
    });
    const csrFile = dir.file('workbench.csr', created.pem);
    const requestText = opensslOk(['req', '-in', csrFile, '-noout', '-verify', '-text']);
    expect(requestText).toContain('Subject: C = DE, O = Lab, CN = student.lab');
    expect(requestText).toMatch(/Requested Extensions:[\s\S]*DNS:student\.lab, IP Address:0:0:0:0:0:0:0:1/);

    dir.file('ca.key', exportPrivateKeyPem(ca.privateKey));
    const certFile = dir.file('signed-by-openssl.pem');
    opensslOk([
      'x509', '-req', '-in', csrFile, '-CA', caFile, '-CAkey', dir.file('ca.key'), '-CAcreateserial',
      '-days', '30', '-copy_extensions', 'copy', '-out', certFile,
    ]);
    expect(opensslOk(['verify', '-CAfile', caFile, certFile]).trim()).toBe(`${certFile}: OK`);
    expect(opensslOk(['x509', '-in', certFile, '-noout', '-ext', 'subjectAltName'])).toContain('DNS:student.lab');
  });
});
