// The verify panel's key usage check agrees with openssl verify (it passes) but says what a
// handshake or a stricter client will still refuse; the cautions say the same of the certificate.
import { beforeAll, describe, expect, it } from 'vitest';
import { type CertificateAuthority, createRootCa, issueCertificate } from '../../src-main/pki/certificates.js';
import { cautionsForCertificate } from '../../src-main/pki/cautions.js';
import { verifyCertificate } from '../../src-main/pki/verify.js';

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await createRootCa({ subject: { O: 'Lab', CN: 'Review CA' }, key: 'ec:P-256' });
});

function keyUsageDetail(der: Uint8Array): string {
  const result = verifyCertificate(der, { trustAnchors: [ca.certificate], purpose: 'serverAuth' });
  expect(result.ok).toBe(true);
  return result.checks.find((check) => check.name === 'key-usage' && check.certificateIndex === 0)!.detail;
}

describe('the key usage check of a leaf', () => {
  it('an EC key with keyEncipherment only: passes as OpenSSL checks it, and says TLS 1.2 servers and browsers refuse it', async () => {
    const der = (await issueCertificate(ca, { subject: { CN: 'ec.lab.test' }, key: 'ec:P-256', keyUsage: ['keyEncipherment'] })).certificate;
    const detail = keyUsageDetail(der);
    expect(detail).toContain('allows a TLS handshake as OpenSSL checks it, but its EC key can only sign');
    expect(cautionsForCertificate(der, 'server')).toEqual([expect.stringContaining('Its key usage lacks Digital Signature, and an EC key can only sign')]);
  });

  it('a leaf with keyCertSign: passes, and names the strict check that refuses it', async () => {
    const der = (await issueCertificate(ca, { subject: { CN: 'signer.lab.test' }, key: 'ec:P-256', keyUsage: ['digitalSignature', 'keyCertSign'] })).certificate;
    expect(keyUsageDetail(der)).toContain('keyCertSign on a certificate that is not a CA is refused by strict checkers (openssl verify -x509_strict)');
  });

  it('a sound server certificate: the plain sentence, and no caution', async () => {
    const der = (await issueCertificate(ca, { subject: { CN: 'www.lab.test' }, key: 'ec:P-256' })).certificate;
    expect(keyUsageDetail(der)).toBe('The keyUsage of "CN=www.lab.test" (digitalSignature) allows a TLS handshake.');
    expect(cautionsForCertificate(der, 'server')).toEqual([]);
    expect(cautionsForCertificate(ca.certificate, 'ca')).toEqual([]);
  });
});

describe('a trust store whose CA has the right name but another key', () => {
  it('says the CA of that name did not sign it, instead of "no certificate named ..."', async () => {
    const lookAlike = await createRootCa({ subject: { O: 'Lab', CN: 'Review CA' }, key: 'ec:P-256' });
    const der = (await issueCertificate(ca, { subject: { CN: 'www.lab.test' }, key: 'ec:P-256' })).certificate;
    const result = verifyCertificate(der, { trustAnchors: [lookAlike.certificate] });
    expect(result.ok).toBe(false);
    expect(result.failed?.name).toBe('chain');
    expect(result.failed?.detail).toContain('The trust store holds a CA of that name, but with another key');
    expect(result.failed?.detail).toContain('a name proves nothing, only the key does');
    expect(result.failed?.detail).not.toContain('No certificate named');
  });
});
