import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../../src-main/pki/inspect.js';
import { makeTempDir, opensslOk, type TempDir } from './openssl.js';

let dir: TempDir;
beforeAll(() => {
  dir = makeTempDir('tlslab-inspect-');
});
afterAll(() => dir.remove());

/** A TLS-encoded SCT list with one v1 SCT (RFC 6962, Section 3.3), wrapped in an OCTET STRING. */
function sctListExtensionHex(): string {
  const sct = Buffer.concat([
    Buffer.from([0]), // v1
    Buffer.alloc(32, 0xab), // log id
    (() => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(1_700_000_000_000n);
      return b;
    })(),
    Buffer.from([0, 0]), // no extensions
    Buffer.from([4, 3]), // sha256, ecdsa
    Buffer.from([0, 4, 1, 2, 3, 4]), // signature
  ]);
  const entry = Buffer.concat([Buffer.from([sct.length >> 8, sct.length & 0xff]), sct]);
  const list = Buffer.concat([Buffer.from([entry.length >> 8, entry.length & 0xff]), entry]);
  return Buffer.concat([Buffer.from([0x04, list.length]), list]).toString('hex');
}

function makeRealWorldStyle(name: string, keyArgs: string[]): string {
  const config = dir.file(
    `${name}.cnf`,
    [
      '[req]',
      'distinguished_name = dn',
      'x509_extensions = ext',
      '[dn]',
      '[ext]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth, clientAuth',
      'subjectAltName = DNS:www.bank32.com, DNS:bank32.com, IP:192.0.2.10',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      'authorityInfoAccess = OCSP;URI:http://ocsp.lab.test, caIssuers;URI:http://ca.lab.test/issuer.crt',
      'crlDistributionPoints = URI:http://crl.lab.test/lab.crl',
      'certificatePolicies = 2.23.140.1.2.1, @cps',
      `1.3.6.1.4.1.11129.2.4.2 = DER:${sctListExtensionHex()}`,
      '1.2.3.4.5 = ASN1:UTF8String:a private extension',
      '1.2.3.4.6 = critical, DER:0500',
      'nsComment = "OpenSSL Generated Certificate"',
      '[cps]',
      'policyIdentifier = 1.3.6.1.4.1.44947.1.1.1',
      'CPS.1 = "http://cps.lab.test"',
    ].join('\n'),
  );
  const path = dir.file(`${name}.pem`);
  opensslOk([
    'req', '-config', config, '-x509', '-new', ...keyArgs, '-nodes', '-keyout', dir.file(`${name}.key`),
    '-subj', '/C=US/O=Bank 32 Inc./CN=www.bank32.com', '-days', '90', '-out', path,
  ]);
  return path;
}

describe.each([
  ['RSA', ['-newkey', 'rsa:2048'], 'RSA 2048 bits', 'sha256WithRSAEncryption'],
  ['ECDSA', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'EC P-256 (256 bits)', 'ecdsa-with-SHA256'],
] as const)('inspecting a real-world-style %s certificate made by openssl', (name, keyArgs, keySummary, algorithm) => {
  it('decodes what it knows, shows the rest raw, and agrees with openssl on fingerprints, serial and hashes', () => {
    const path = makeRealWorldStyle(name, [...keyArgs]);
    const pem = readFileSync(path, 'utf8');
    const result = inspect(pem);

    expect(result.kind).toBe('certificate');
    expect(result.subject).toBe('C=US, O=Bank 32 Inc., CN=www.bank32.com');
    expect(result.publicKey.summary).toBe(keySummary);
    expect(result.signatureAlgorithm).toBe(algorithm);
    expect(result.signatureValid).toBe(true);

    const sha256 = opensslOk(['x509', '-in', path, '-noout', '-fingerprint', '-sha256']).trim().split('=')[1];
    const sha1 = opensslOk(['x509', '-in', path, '-noout', '-fingerprint', '-sha1']).trim().split('=')[1];
    expect(result.fingerprints).toEqual({ sha1, sha256 });
    const serial = opensslOk(['x509', '-in', path, '-noout', '-serial']).trim().split('=')[1];
    expect(result.serialNumber?.replace(/:/g, '')).toBe(serial);
    const [hash, old] = opensslOk(['x509', '-in', path, '-noout', '-subject_hash', '-subject_hash_old']).trim().split('\n');
    expect([result.subjectHash, result.subjectHashOld]).toEqual([hash, old]);

    const byOid = new Map(result.extensions.map((extension) => [extension.oid, extension]));
    expect(byOid.get('2.5.29.19')).toMatchObject({ label: 'Basic Constraints', value: 'CA:FALSE', critical: true, decoded: true });
    expect(byOid.get('2.5.29.15')?.value).toBe('Digital Signature, Key Encipherment');
    expect(byOid.get('2.5.29.37')?.value).toBe('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(byOid.get('2.5.29.17')?.value).toBe('DNS:www.bank32.com, DNS:bank32.com, IP:192.0.2.10');
    expect(byOid.get('1.3.6.1.5.5.7.1.1')?.details).toEqual(['OCSP - http://ocsp.lab.test', 'CA Issuers - http://ca.lab.test/issuer.crt']);
    expect(byOid.get('2.5.29.31')?.value).toBe('URI:http://crl.lab.test/lab.crl');
    expect(byOid.get('2.5.29.32')?.details).toEqual([
      'Policy: DV (domain validated) (2.23.140.1.2.1)',
      'Policy: 1.3.6.1.4.1.44947.1.1.1',
      '  CPS: http://cps.lab.test',
    ]);
    expect(byOid.get('1.3.6.1.4.1.11129.2.4.2')).toMatchObject({ value: '1 SCT', decoded: true });
    expect(byOid.get('1.3.6.1.4.1.11129.2.4.2')?.details?.[0]).toBe(
      `SCT v1 from log ${Buffer.alloc(32, 0xab).toString('base64')} at 2023-11-14T22:13:20.000Z`,
    );
    expect(byOid.get('2.16.840.1.113730.1.13')?.value).toBe('OpenSSL Generated Certificate');
    const ski = opensslOk(['x509', '-in', path, '-noout', '-ext', 'subjectKeyIdentifier']).trim().split('\n').pop()?.trim();
    expect(byOid.get('2.5.29.14')?.value).toBe(ski);

    // Unknown extensions: shown raw with their OID, critical ones flagged.
    expect(byOid.get('1.2.3.4.5')).toMatchObject({ label: 'Unknown extension 1.2.3.4.5', decoded: false, critical: false, rawHex: '0c1361207072697661746520657874656e73696f6e' });
    expect(byOid.get('1.2.3.4.6')?.explanation).toMatch(/critical: a client that does not understand it must reject/);
    for (const extension of result.extensions) expect(extension.explanation.length).toBeGreaterThan(20);
  });
});

describe('inspecting damaged extensions', () => {
  it('shows a known extension with an undecodable value raw instead of failing', () => {
    const config = dir.file(
      'broken.cnf',
      ['[req]', 'distinguished_name = dn', 'x509_extensions = ext', '[dn]', '[ext]', 'keyUsage = DER:0500', 'subjectAltName = DER:300402020101'].join('\n'),
    );
    const path = dir.file('broken.pem');
    opensslOk(['req', '-config', config, '-x509', '-new', '-newkey', 'ed25519', '-nodes', '-keyout', dir.file('broken.key'), '-subj', '/CN=broken', '-out', path]);
    const result = inspect(readFileSync(path));
    const keyUsage = result.extensions.find((extension) => extension.oid === '2.5.29.15');
    expect(keyUsage).toMatchObject({ decoded: false, rawHex: '0500' });
    expect(keyUsage?.explanation).toMatch(/could not decode this keyUsage extension/);
    expect(result.extensions.find((extension) => extension.oid === '2.5.29.17')?.value).toBe('INTEGER:0101');
  });
});
