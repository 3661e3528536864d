// verifyCertificate on workbench certificates, without external judges (the integration test
// compares with `openssl verify`): hostname rules, the order of checks, and damaged input.
import { beforeAll, describe, expect, it } from 'vitest';
import { type CertificateAuthority, createRootCa, issueCertificate } from '../../../src-main/pki/certificates.js';
import { PkiError } from '../../../src-main/pki/errors.js';
import { verifyCertificate } from '../../../src-main/pki/verify.js';

let ca: CertificateAuthority;
let wildcard: Uint8Array;
let cnOnly: Uint8Array;

beforeAll(async () => {
  ca = await createRootCa({ subject: '/O=Lab/CN=Unit Root', key: 'ec:P-256' });
  wildcard = (
    await issueCertificate(ca, {
      subject: { CN: 'www.other.test' },
      subjectAltNames: 'DNS:*.bank32.com,DNS:Exact.Test,DNS:*.com,IP:127.0.0.1,IP:::1',
      key: 'ec:P-256',
    })
  ).certificate;
  cnOnly = (await issueCertificate(ca, { subject: { CN: 'cn.lab.test' }, subjectAltNames: [], key: 'ec:P-256' })).certificate;
});

describe('hostname check (RFC 6125 as OpenSSL and Python apply it)', () => {
  const cases: Array<[string, boolean]> = [
    ['www.bank32.com', true],
    ['LOGIN.BANK32.COM', true],
    ['www.bank32.com.', true],
    ['bank32.com', false],
    ['a.b.bank32.com', false],
    ['exact.test', true],
    ['anything.com', false], // "*.com" is not a valid wildcard: it needs two labels after the star
    ['www.other.test', false], // the CN is not used when DNS SANs exist
    ['127.0.0.1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['127.0.0.2', false],
  ];
  it.each(cases)('%s → %s', (host, ok) => {
    const result = verifyCertificate(wildcard, { trustAnchors: [ca.certificate], hostname: host });
    expect(result.checks.find((check) => check.name === 'hostname')?.ok).toBe(ok);
    expect(result.ok).toBe(ok);
  });

  it('the mismatch message lists every DNS and IP name', () => {
    const result = verifyCertificate(wildcard, { trustAnchors: [ca.certificate], hostname: 'evil.example' });
    expect(result.failed?.detail).toBe(
      'The certificate is valid for DNS:*.bank32.com, DNS:Exact.Test, DNS:*.com, IP:127.0.0.1, IP:::1, not for evil.example. ' +
        'Connect with one of those names, or reissue the certificate with DNS:evil.example.',
    );
  });

  it('without SANs the CN is the name, and the message says so', () => {
    expect(verifyCertificate(cnOnly, { trustAnchors: [ca.certificate], hostname: 'cn.lab.test' }).ok).toBe(true);
    const miss = verifyCertificate(cnOnly, { trustAnchors: [ca.certificate], hostname: 'other.lab.test' });
    expect(miss.failed?.detail).toContain('valid for CN=cn.lab.test, not for other.lab.test');
    // An IP address never matches a CN.
    const ipCn = verifyCertificate(cnOnly, { trustAnchors: [ca.certificate], hostname: '10.0.0.1' });
    expect(ipCn.failed?.detail).toMatch(/an address matches only an IP SAN/);
  });
});

describe('the result', () => {
  it('failed is the first failed check in OpenSSL order: a hostname mismatch comes before an expiry', async () => {
    const expired = await issueCertificate(ca, {
      subject: { CN: 'old.lab.test' },
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2020-02-01T00:00:00Z'),
      key: 'ec:P-256',
    });
    const result = verifyCertificate(expired.certificate, { trustAnchors: [ca.certificate], hostname: 'new.lab.test' });
    expect(result.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['hostname', 'validity']);
    expect(result.failed).toBe(result.checks.find((check) => !check.ok));
    expect(result.failed?.name).toBe('hostname');
  });

  it('purpose "any" (the default) runs no usage checks on the leaf; serverAuth does', () => {
    const any = verifyCertificate(wildcard, { trustAnchors: [ca.certificate] });
    expect(any.checks.some((check) => check.name === 'extended-key-usage')).toBe(false);
    const server = verifyCertificate(wildcard, { trustAnchors: [ca.certificate], purpose: 'serverAuth' });
    expect(server.checks.filter((check) => check.certificateIndex === 0).map((check) => check.name)).toEqual([
      'critical-extension',
      'key-usage',
      'extended-key-usage',
      'signature',
      'validity',
    ]);
    expect(server.ok).toBe(true);
  });

  it('the chain lists subject, issuer and SHA-256 fingerprint, leaf first', () => {
    const result = verifyCertificate(wildcard, { trustAnchors: [ca.certificate] });
    expect(result.anchored).toBe(true);
    expect(result.chain.map((entry) => [entry.subject, entry.issuer])).toEqual([
      ['CN=www.other.test', 'O=Lab, CN=Unit Root'],
      ['O=Lab, CN=Unit Root', 'O=Lab, CN=Unit Root'],
    ]);
    expect(result.chain[0].fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('an invalid moment is refused; an empty hostname means no hostname check', () => {
    expect(() => verifyCertificate(wildcard, { trustAnchors: [ca.certificate], at: new Date('not a date') })).toThrow(/not a valid date/);
    const result = verifyCertificate(wildcard, { trustAnchors: [ca.certificate], hostname: ' ' });
    expect(result.checks.some((check) => check.name === 'hostname')).toBe(false);
  });

  it('damaged certificates give a PkiError, never a crash', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 120; i++) {
      const bytes = Uint8Array.from(wildcard);
      for (let j = 0; j < 3; j++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const input = i % 5 === 0 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
      for (const run of [
        () => verifyCertificate(input, { trustAnchors: [ca.certificate], hostname: 'www.bank32.com', purpose: 'serverAuth' }),
        () => verifyCertificate(wildcard, { trustAnchors: [input], intermediates: [input] }),
      ]) {
        try {
          const result = run();
          expect(typeof result.ok).toBe('boolean');
        } catch (error) {
          expect(error).toBeInstanceOf(PkiError);
        }
      }
    }
  });
});
