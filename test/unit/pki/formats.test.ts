// PKCS#12 round trips and the errors of importPkiData, without external tools (the integration
// test has OpenSSL judge the same files).
import { beforeAll, describe, expect, it } from 'vitest';
import { type CertificateAuthority, certificatePem, createRootCa, issueCertificate } from '../../../src-main/pki/certificates.js';
import { PkiError } from '../../../src-main/pki/errors.js';
import { exportPkcs12, importPkiData } from '../../../src-main/pki/formats.js';
import { KEY_SPEC_NAMES, exportPrivateKeyPem, publicKeyDer } from '../../../src-main/pki/keys.js';
import { caughtPkiError } from '../../support/pkiErrors';

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await createRootCa({ subject: '/O=Lab/CN=Formats Root', key: 'ec:P-256' });
});

const caught = caughtPkiError;

const text = (value: string) => new TextEncoder().encode(value);

describe('PKCS#12 round trip', () => {
  it.each(KEY_SPEC_NAMES.filter((spec) => spec !== 'rsa:4096' && spec !== 'rsa:3072'))('%s, modern and legacy', async (spec) => {
    const leaf = await issueCertificate(ca, { subject: { CN: 'www.bank32.com' }, key: spec });
    for (const legacy of [false, true]) {
      const p12 = exportPkcs12({ certificate: leaf.certificate, privateKey: leaf.privateKey, chain: [ca.certificate], password: 'correct horse', friendlyName: 'Bank Ü', legacy });
      const items = importPkiData(p12, { passphrase: 'correct horse', fileName: 'bank.p12' });
      expect(items.description).toBe(
        legacy ? 'PKCS#12 (3DES, PKCS#12 KDF, SHA-1 MAC): 1 key, 2 certificates' : 'PKCS#12 (AES-256-CBC, PBKDF2, SHA-256 MAC): 1 key, 2 certificates',
      );
      expect(items.certificates.map((c) => Buffer.from(c.der))).toEqual([Buffer.from(leaf.certificate), Buffer.from(ca.certificate)]);
      expect(items.certificates[0].friendlyName).toBe('Bank Ü');
      expect(items.pairs).toEqual([{ certificateIndex: 0, keyIndex: 0 }]);
      expect(Buffer.from(publicKeyDer(items.privateKeys[0]))).toEqual(Buffer.from(publicKeyDer(leaf.privateKey)));
      expect(caught(() => importPkiData(p12, { passphrase: 'Correct horse', fileName: 'bank.p12' })).message).toMatch(
        /^The passphrase does not open "bank.p12": the PKCS#12 integrity check \(SHA-(1|256) MAC\) fails with it\./,
      );
      expect(caught(() => importPkiData(p12)).code).toBe('PASSPHRASE_REQUIRED');
    }
  });

  it('two exports of the same input differ (fresh salts and IVs)', async () => {
    const a = exportPkcs12({ certificate: ca.certificate, privateKey: ca.privateKey, password: 'pw' });
    const b = exportPkcs12({ certificate: ca.certificate, privateKey: ca.privateKey, password: 'pw' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });
});

describe('importPkiData', () => {
  it('pairs keys and certificates by public key, whatever the order', async () => {
    const one = await issueCertificate(ca, { subject: { CN: 'one.test' }, key: 'ec:P-256' });
    const two = await issueCertificate(ca, { subject: { CN: 'two.test' }, key: 'ed25519' });
    const bundle = exportPrivateKeyPem(two.privateKey) + one.pem + certificatePem(ca.certificate) + exportPrivateKeyPem(one.privateKey, 'pw') + two.pem;
    const items = importPkiData(text(bundle), { passphrase: 'pw' });
    expect(items.description).toBe('PEM: 3 certificates, 1 key, 1 encrypted key');
    expect(items.pairs).toEqual([
      { certificateIndex: 0, keyIndex: 1 },
      { certificateIndex: 2, keyIndex: 0 },
    ]);
  });

  it('names the PEM block that is broken', () => {
    const broken = certificatePem(ca.certificate).replace(/\n[A-Za-z0-9+/]{64}\n/, '\nAAAA\n');
    const error = caught(() => importPkiData(text(`${certificatePem(ca.certificate)}${broken}`)));
    expect(error.message).toMatch(/^In the "CERTIFICATE" block on line \d+: /);
  });

  it('reports a truncated DER certificate with offsets', () => {
    const der = ca.certificate;
    const error = caught(() => importPkiData(der.subarray(0, 100), { fileName: 'ca.der' }));
    expect(error.code).toBe('TRUNCATED_DER');
    expect(error.message).toMatch(new RegExp(`^"ca.der" is truncated: the SEQUENCE at offset 0 announces ${der.length} bytes, but the data ends at offset 100, ${der.length - 100} bytes short\\. The cut falls inside the `));
  });

  it('refuses what is neither PEM nor DER with one sentence that says so', () => {
    expect(caught(() => importPkiData(text('just some notes\n'))).message).toMatch(/^This file is not a certificate, key, CSR or PKCS#12: this file is text/);
    expect(caught(() => importPkiData(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).message).toMatch(/starts with 0xff\.$/);
    expect(caught(() => importPkiData(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05))).message).toMatch(/is DER, but of no kind the workbench knows \(its top level is SEQUENCE \{ INTEGER \}\)/);
    expect(caught(() => importPkiData(text('-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n'))).message).toMatch(/holds a public key only \(PEM "PUBLIC KEY"\).*Import the certificate/);
  });

  it('damaged files give a PkiError, never a crash', () => {
    const p12 = exportPkcs12({ certificate: ca.certificate, privateKey: ca.privateKey, password: 'pw' });
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (const base of [ca.certificate, p12]) {
      for (let i = 0; i < 120; i++) {
        const bytes = Uint8Array.from(base);
        for (let j = 0; j < 3; j++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        const input = i % 5 === 0 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
        try {
          importPkiData(input, { passphrase: 'pw' });
        } catch (error) {
          expect(error).toBeInstanceOf(PkiError);
        }
      }
    }
  });
});

describe('BER PKCS#12 (indefinite lengths, OCTET STRINGs in pieces, as Windows and Java may write)', () => {
  /** Re-encodes DER as BER: every constructed value with an indefinite length, long OCTET STRINGs in 64-byte pieces. */
  function toBer(der: Uint8Array): Uint8Array {
    const out: number[] = [];
    const walk = (bytes: Uint8Array, start: number, end: number) => {
      let pos = start;
      while (pos < end) {
        const tag = bytes[pos];
        let at = pos + 1;
        let length = bytes[at++];
        if (length & 0x80) {
          const count = length & 0x7f;
          length = 0;
          for (let i = 0; i < count; i++) length = length * 256 + bytes[at++];
        }
        const contents = bytes.subarray(at, at + length);
        if (tag & 0x20) {
          out.push(tag, 0x80);
          walk(bytes, at, at + length);
          out.push(0, 0);
        } else if (tag === 0x04 && length > 64) {
          out.push(0x24, 0x80);
          for (let i = 0; i < length; i += 64) {
            const piece = contents.subarray(i, Math.min(length, i + 64));
            out.push(0x04, piece.length, ...piece);
          }
          out.push(0, 0);
        } else {
          out.push(...bytes.subarray(pos, at + length));
        }
        pos = at + length;
      }
    };
    walk(der, 0, der.length);
    return Uint8Array.from(out);
  }

  it('reads back, with pairs, for modern and legacy encryption', async () => {
    const leaf = await issueCertificate(ca, { subject: { CN: 'ber.test' }, key: 'ec:P-256' });
    for (const legacy of [false, true]) {
      const der = exportPkcs12({ certificate: leaf.certificate, privateKey: leaf.privateKey, chain: [ca.certificate], password: 'pw', legacy });
      const ber = toBer(der);
      expect(ber.length).toBeGreaterThan(der.length);
      expect(ber[1]).toBe(0x80);
      const items = importPkiData(ber, { passphrase: 'pw' });
      expect(items.pairs).toEqual([{ certificateIndex: 0, keyIndex: 0 }]);
      expect(items.certificates).toHaveLength(2);
    }
  });
});
