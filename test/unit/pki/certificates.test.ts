import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  readAuthorityKeyIdentifier,
  readBasicConstraints,
  readExtendedKeyUsage,
  readKeyUsage,
  readSubjectKeyIdentifier,
  parseCertificateDer,
} from '../../../src-main/pki/certificateDer.js';
import {
  type CertificateAuthority,
  createIntermediateCa,
  createRootCa,
  forgeLeafCertificate,
  issueCertificate,
} from '../../../src-main/pki/certificates.js';
import { PkiError } from '../../../src-main/pki/errors.js';
import { describeCertificate } from '../../../src-main/pki/certificateInfo.js';
import { inspectCertificate } from '../../../src-main/pki/inspect.js';
import { LeafTemplate } from '../../../src-main/workshop/leafTemplate.js';
import { describeKey, generateKeyPair, keyMatchesCertificate, publicKeyDer } from '../../../src-main/pki/keys.js';

async function pkiError(action: () => Promise<unknown>): Promise<PkiError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof PkiError) return error;
    throw error;
  }
  throw new Error('expected a PkiError');
}

function x509(der: Uint8Array): X509Certificate {
  return new X509Certificate(der);
}

let root: CertificateAuthority;
beforeAll(async () => {
  root = await createRootCa({ subject: '/C=US/O=Model CA LTD./CN=www.modelCA.com', key: 'ec:P-256' });
});

describe('root CA', () => {
  it('is self-signed, CA:TRUE, may sign certificates, and names itself as asked', () => {
    const cert = x509(root.certificate);
    expect(cert.subject).toBe('C=US\nO=Model CA LTD.\nCN=www.modelCA.com');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    const parts = parseCertificateDer(root.certificate);
    expect(readBasicConstraints(parts)).toEqual({ ca: true, pathLength: undefined });
    expect(readKeyUsage(parts)).toEqual(['keyCertSign', 'cRLSign']);
    expect(readAuthorityKeyIdentifier(parts)).toBe(readSubjectKeyIdentifier(parts));
    expect(keyMatchesCertificate(root.privateKey, root.certificate)).toBe(true);
  });

  it('lasts ten years by default and starts a little in the past', () => {
    const parts = parseCertificateDer(root.certificate);
    const days = (parts.notAfter.getTime() - parts.notBefore.getTime()) / 86_400_000;
    expect(days).toBe(3650);
    expect(parts.notBefore.getTime()).toBeLessThan(Date.now());
  });

  it('records a path length', async () => {
    const ca = await createRootCa({ subject: { CN: 'Limited' }, key: 'ed25519', pathLength: 0 });
    expect(readBasicConstraints(parseCertificateDer(ca.certificate))).toEqual({ ca: true, pathLength: 0 });
    const error = await pkiError(() => createIntermediateCa(ca, { subject: { CN: 'Below' }, key: 'ed25519' }));
    expect(error.code).toBe('NOT_A_CA');
    expect(error.message).toMatch(/path length 0/);
  });

  it('refuses an empty subject and a bad validity', async () => {
    expect((await pkiError(() => createRootCa({ subject: '/', key: 'ed25519' }))).code).toBe('BAD_SUBJECT');
    expect((await pkiError(() => createRootCa({ subject: '/CN=x', key: 'ed25519', days: 0 }))).code).toBe('BAD_VALIDITY');
  });
});

describe('issuing certificates', () => {
  it('makes a server certificate whose issuer is exactly the CA subject, with SKI/AKI and a 16-byte serial', async () => {
    const leaf = await issueCertificate(root, {
      subject: { CN: 'www.bank32.com' },
      subjectAltNames: 'DNS:www.bank32.com,DNS:*.bank32.com,IP:127.0.0.1',
      key: 'rsa:2048',
    });
    const parts = parseCertificateDer(leaf.certificate);
    const caParts = parseCertificateDer(root.certificate);
    expect(Buffer.from(parts.issuer.encoded).equals(Buffer.from(caParts.subject.encoded))).toBe(true);
    expect(readAuthorityKeyIdentifier(parts)).toBe(readSubjectKeyIdentifier(caParts));
    expect(parts.serialNumber.contents.length).toBe(16);
    expect(parts.serialNumber.contents[0]).toBeLessThan(0x80);
    const cert = x509(leaf.certificate);
    expect(cert.verify(x509(root.certificate).publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:www.bank32.com, DNS:*.bank32.com, IP Address:127.0.0.1');
    expect(cert.checkHost('login.bank32.com')).toBe('*.bank32.com');
    expect(cert.checkHost('www.bank33.com')).toBeUndefined();
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(readKeyUsage(parts)).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(readExtendedKeyUsage(parts)).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(readBasicConstraints(parts)).toEqual({ ca: false, pathLength: undefined });
    expect(leaf.chain).toEqual([root.certificate]);
    expect(keyMatchesCertificate(leaf.privateKey, leaf.pem)).toBe(true);
  });

  it('writes IPv6 names the same way in the certificate lists as in the inspector (::1, not 0:0:0:0:0:0:0:1)', async () => {
    const leaf = await issueCertificate(root, { subject: { CN: 'localhost' }, subjectAltNames: 'DNS:localhost,IP:::1,IP:fe80::a:1,IP:127.0.0.1', key: 'ec:P-256' });
    expect(describeCertificate(leaf.certificate).subjectAltNames).toEqual(['DNS:localhost', 'IP:::1', 'IP:fe80::a:1', 'IP:127.0.0.1']);
    const inspected = inspectCertificate(leaf.certificate).extensions.find((e) => e.oid === '2.5.29.17');
    expect(inspected?.value).toContain('IP:::1');
    expect(inspected?.value).toContain('IP:fe80::a:1');
  });

  it('gives two certificates different serials', async () => {
    const a = await issueCertificate(root, { subject: { CN: 'a.test' }, key: 'ed25519' });
    const b = await issueCertificate(root, { subject: { CN: 'a.test' }, key: 'ed25519' });
    expect(x509(a.certificate).serialNumber).not.toBe(x509(b.certificate).serialNumber);
  });

  it('puts the CN of a server certificate into the SANs when none are given', async () => {
    const leaf = await issueCertificate(root, { subject: { CN: 'intranet.lab' }, key: 'ec:P-256' });
    expect(x509(leaf.certificate).subjectAltName).toBe('DNS:intranet.lab');
    expect(readKeyUsage(parseCertificateDer(leaf.certificate))).toEqual(['digitalSignature']);
  });

  it('makes a client certificate with clientAuth and no SAN from the CN', async () => {
    const leaf = await issueCertificate(root, { subject: { CN: 'Alice Student' }, profile: 'client', key: 'ec:P-256' });
    const parts = parseCertificateDer(leaf.certificate);
    expect(readExtendedKeyUsage(parts)).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(x509(leaf.certificate).subjectAltName).toBeUndefined();
  });

  it('lets usages be overridden', async () => {
    const leaf = await issueCertificate(root, {
      subject: { CN: 'both.lab' },
      keyUsage: ['digitalSignature', 'keyAgreement'],
      extendedKeyUsage: ['serverAuth', 'clientAuth', '1.3.6.1.5.5.7.3.4'],
      key: 'ec:P-256',
    });
    const parts = parseCertificateDer(leaf.certificate);
    expect(readKeyUsage(parts)).toEqual(['digitalSignature', 'keyAgreement']);
    expect(readExtendedKeyUsage(parts)).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4']);
  });

  it('uses a given key and a given validity', async () => {
    const { privateKey } = await generateKeyPair('ec:P-384');
    const notBefore = new Date('2030-01-01T00:00:00Z');
    const leaf = await issueCertificate(root, { subject: { CN: 'later.lab' }, key: privateKey, notBefore, days: 10 });
    expect(leaf.privateKey).toBe(privateKey);
    const cert = x509(leaf.certificate);
    expect(new Date(cert.validFrom).toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2030-01-11T00:00:00.000Z');
  });

  it('refuses to issue from a certificate that is not a CA', async () => {
    const leaf = await issueCertificate(root, { subject: { CN: 'leaf.lab' }, key: 'ed25519' });
    const error = await pkiError(() =>
      issueCertificate({ certificate: leaf.certificate, privateKey: leaf.privateKey, chain: [] }, { subject: { CN: 'x' } }),
    );
    expect(error.code).toBe('NOT_A_CA');
    expect(error.message).toMatch(/is not a CA/);
  });

  it('refuses a CA whose key does not match its certificate', async () => {
    const { privateKey } = await generateKeyPair('ec:P-256');
    const error = await pkiError(() => issueCertificate({ ...root, privateKey }, { subject: { CN: 'x.lab' } }));
    expect(error.code).toBe('KEY_MISMATCH');
    expect(error.message).toMatch(/does not match the certificate/);
  });

  it('refuses a malformed SAN before making any key', async () => {
    const error = await pkiError(() => issueCertificate(root, { subject: { CN: 'x' }, subjectAltNames: 'DNS:bad_name!' }));
    expect(error.code).toBe('BAD_SAN');
  });

  it('signs through an intermediate and returns the chain nearest first', async () => {
    const intermediate = await createIntermediateCa(root, { subject: { O: 'Lab', CN: 'Lab Issuing CA' }, key: 'ec:P-384', pathLength: 0 });
    const leaf = await issueCertificate(intermediate, { subject: { CN: 'deep.lab' }, key: 'ec:P-256' });
    expect(leaf.chain).toEqual([intermediate.certificate, root.certificate]);
    expect(x509(leaf.certificate).verify(x509(intermediate.certificate).publicKey)).toBe(true);
    expect(x509(intermediate.certificate).verify(x509(root.certificate).publicKey)).toBe(true);
  });
});

describe('forging leaf certificates', () => {
  it('names the host when there is no template', async () => {
    const forged = await forgeLeafCertificate({ ca: root, hostname: 'www.bank32.com' });
    const cert = x509(forged.certificate);
    expect(cert.subject).toBe('CN=www.bank32.com');
    expect(cert.subjectAltName).toBe('DNS:www.bank32.com');
    expect(cert.verify(x509(root.certificate).publicKey)).toBe(true);
    // An ECDSA CA forges ECDSA leaves of the same curve.
    expect(describeKey(forged.privateKey).spec).toBe('ec:P-256');
  });

  it('copies CN, O and SANs from a template and adds the host when the template does not cover it', async () => {
    const real = await issueCertificate(root, {
      subject: { O: 'Bank 32 Inc.', OU: 'Web', CN: 'bank32.com' },
      subjectAltNames: 'DNS:bank32.com,DNS:*.bank32.com',
      key: 'ed25519',
    });
    const covered = await forgeLeafCertificate({ ca: root, hostname: 'www.bank32.com', template: real.pem });
    expect(x509(covered.certificate).subject).toBe('O=Bank 32 Inc.\nCN=bank32.com');
    expect(x509(covered.certificate).subjectAltName).toBe('DNS:bank32.com, DNS:*.bank32.com');
    const uncovered = await forgeLeafCertificate({ ca: root, hostname: '10.0.0.7', template: real.certificate });
    expect(x509(uncovered.certificate).subjectAltName).toBe('IP Address:10.0.0.7, DNS:bank32.com, DNS:*.bank32.com');
  });

  it('never starts before its CA: a CA made a minute ago forges leaves from its own start, not two days back', async () => {
    const fresh = await createRootCa({ subject: { CN: 'Fresh MITM CA' }, key: 'ec:P-256', notBefore: new Date() });
    const caStart = parseCertificateDer(fresh.certificate).notBefore.getTime();
    const slow = await forgeLeafCertificate({ ca: fresh, hostname: 'www.bank32.com' });
    expect(parseCertificateDer(slow.certificate).notBefore.getTime()).toBeGreaterThanOrEqual(caStart);
    const { privateKey } = await generateKeyPair('ec:P-256');
    const fast = (await LeafTemplate.create(fresh, privateKey)).forge('shop.lab');
    expect(parseCertificateDer(fast.certificate).notBefore.getTime()).toBeGreaterThanOrEqual(caStart);
    // An older CA's leaves still start two days back, for clients whose clock is behind.
    const seasoned = await createRootCa({ subject: { CN: 'Seasoned MITM CA' }, key: 'ec:P-256', notBefore: new Date(Date.now() - 10 * 24 * 60 * 60 * 1000) });
    const older = parseCertificateDer((await forgeLeafCertificate({ ca: seasoned, hostname: 'a.lab' })).certificate).notBefore.getTime();
    expect(Date.now() - older).toBeGreaterThan(47 * 60 * 60 * 1000);
  });

  it('reuses the given leaf key', async () => {
    const { privateKey } = await generateKeyPair('rsa:2048');
    const a = await forgeLeafCertificate({ ca: root, hostname: 'a.lab', leafKey: privateKey });
    const b = await forgeLeafCertificate({ ca: root, hostname: 'b.lab', leafKey: privateKey });
    expect(Buffer.from(publicKeyDer(x509(a.certificate).publicKey))).toEqual(Buffer.from(publicKeyDer(privateKey)));
    expect(keyMatchesCertificate(privateKey, b.certificate)).toBe(true);
    expect(x509(a.certificate).serialNumber).not.toBe(x509(b.certificate).serialNumber);
  });
});
