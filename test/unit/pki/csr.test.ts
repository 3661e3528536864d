import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificateDer, readExtendedKeyUsage, readKeyUsage } from '../../../src-main/pki/certificateDer.js';
import { type CertificateAuthority, createRootCa } from '../../../src-main/pki/certificates.js';
import { createCsr, parseCsr, signCsr } from '../../../src-main/pki/csr.js';
import { PkiError } from '../../../src-main/pki/errors.js';
import { keyMatchesCertificate } from '../../../src-main/pki/keys.js';
import { toPem } from '../../../src-main/pki/pem.js';

async function pkiError(action: () => unknown): Promise<PkiError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof PkiError) return error;
    throw error;
  }
  throw new Error('expected a PkiError');
}

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await createRootCa({ subject: { O: 'Lab', CN: 'CSR Lab CA' }, key: 'ec:P-256' });
});

describe('creating and reading a CSR', () => {
  it('shows the subject, key, signature and requested extensions', async () => {
    const created = await createCsr({
      subject: '/C=US/O=Bank 32/CN=www.bank32.com',
      subjectAltNames: 'DNS:www.bank32.com,DNS:bank32.com,IP:10.0.0.5',
      extendedKeyUsage: ['serverAuth'],
      key: 'ec:P-384',
    });
    expect(created.pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    const info = parseCsr(created.pem);
    expect(info.subjectString).toBe('/C=US/O=Bank 32/CN=www.bank32.com');
    expect(info.key.summary).toBe('EC P-384 (384 bits)');
    expect(info.signatureAlgorithm).toBe('ecdsa-with-SHA384');
    expect(info.signatureValid).toBe(true);
    expect(info.subjectAltNames).toEqual([
      { type: 'dns', value: 'www.bank32.com' },
      { type: 'dns', value: 'bank32.com' },
      { type: 'ip', value: '10.0.0.5' },
    ]);
    expect(info.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(info.requestedExtensions.map((extension) => extension.oid)).toEqual(['2.5.29.17', '2.5.29.37']);
  });

  it('notices a request changed after it was signed, and refuses to sign it', async () => {
    const created = await createCsr({ subject: { CN: 'honest.lab' }, key: 'ed25519' });
    const tampered = created.csr.slice();
    const at = Buffer.from(tampered).indexOf('honest');
    tampered[at] = 'H'.charCodeAt(0);
    const info = parseCsr(tampered);
    expect(info.subjectString).toBe('/CN=Honest.lab');
    expect(info.signatureValid).toBe(false);
    const error = await pkiError(() => signCsr(ca, tampered));
    expect(error.code).toBe('BAD_CSR_SIGNATURE');
  });

  it('says a certificate is not a CSR', async () => {
    const error = await pkiError(() => parseCsr(toPem('CERTIFICATE', ca.certificate)));
    expect(error.code).toBe('NOT_PEM');
    expect(error.message).toMatch(/found "CERTIFICATE"/);
    expect((await pkiError(() => parseCsr(ca.certificate))).code).toBe('NOT_A_CSR');
  });
});

describe('signing a CSR', () => {
  it('copies the requested extensions only when asked', async () => {
    const created = await createCsr({
      subject: { CN: 'www.bank32.com' },
      subjectAltNames: 'DNS:www.bank32.com,DNS:*.bank32.com',
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['serverAuth', 'clientAuth'],
      key: 'rsa:2048',
    });

    const copied = await signCsr(ca, created.pem, { copyExtensions: true });
    const copiedCert = new X509Certificate(copied.certificate);
    expect(copiedCert.subjectAltName).toBe('DNS:www.bank32.com, DNS:*.bank32.com');
    expect(readKeyUsage(parseCertificateDer(copied.certificate))).toEqual(['digitalSignature']);
    expect(readExtendedKeyUsage(parseCertificateDer(copied.certificate))).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(copied.copiedExtensions).toEqual(['2.5.29.17', '2.5.29.15', '2.5.29.37']);
    expect(keyMatchesCertificate(created.privateKey, copied.certificate)).toBe(true);
    expect(copiedCert.verify(new X509Certificate(ca.certificate).publicKey)).toBe(true);

    const plain = await signCsr(ca, created.csr);
    const plainCert = new X509Certificate(plain.certificate);
    expect(plainCert.subjectAltName).toBe('DNS:www.bank32.com'); // the server profile's SAN from the CN
    expect(readKeyUsage(parseCertificateDer(plain.certificate))).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(plain.ignoredExtensions.map((entry) => entry.oid)).toEqual(['2.5.29.17', '2.5.29.15', '2.5.29.37']);
  });

  it('never lets a request make itself a CA', async () => {
    // A CSR asking for CA:TRUE, built by hand through the same generator with basicConstraints.
    const { x509 } = await import('../../../src-main/pki/x509.js');
    const { toWebCryptoKeys, generateKeyPair } = await import('../../../src-main/pki/keys.js');
    const { privateKey } = await generateKeyPair('ec:P-256');
    const keys = await toWebCryptoKeys(privateKey);
    const request = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=sneaky',
      keys: { privateKey: keys.privateKey, publicKey: keys.publicKey } as never,
      signingAlgorithm: keys.signingAlgorithm,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    const signed = await signCsr(ca, new Uint8Array(request.rawData), { copyExtensions: true });
    expect(new X509Certificate(signed.certificate).ca).toBe(false);
    expect(signed.ignoredExtensions).toEqual([{ oid: '2.5.29.19', reason: expect.stringMatching(/cannot make itself a CA/) }]);
  });

  it('does not copy a key usage that would let a leaf sign certificates', async () => {
    const created = await createCsr({ subject: { CN: 'www.bank32.com' }, keyUsage: ['digitalSignature', 'keyCertSign'], key: 'ec:P-256' });
    const signed = await signCsr(ca, created.pem, { copyExtensions: true });
    expect(readKeyUsage(parseCertificateDer(signed.certificate))).not.toContain('keyCertSign');
    expect(readKeyUsage(parseCertificateDer(signed.certificate))).toContain('digitalSignature');
    expect(signed.copiedExtensions).not.toContain('2.5.29.15');
    expect(signed.ignoredExtensions).toEqual([{ oid: '2.5.29.15', reason: expect.stringMatching(/keyCertSign or cRLSign, which only a CA certificate may have/) }]);
  });
});
