// A PKCS#12 file without a MAC (openssl pkcs12 -nomac) has nothing but the cipher's padding to say
// a password is wrong, and a wrong password passes that check about one time in 256. Hundreds of
// such files, each with its own salt: every one must ask for the password, none may call noise a key.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { importPkiData } from '../../../src-main/pki/formats';
import { caughtPkiError } from '../../support/pkiErrors';

describe('PKCS#12 without a MAC', () => {
  it('opened without the password, or with a wrong one, says so every time, whatever the salt', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date();
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: 'commonName', value: 'nomac.lab' }]);
    cert.setIssuer([{ name: 'commonName', value: 'nomac.lab' }]);
    cert.sign(key, forge.md.sha256.create());
    const codes = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      // One iteration: the salt is what varies, and the test stays quick.
      const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], 'dees', { useMac: false, algorithm: 'aes128', count: 1 });
      const bytes = Uint8Array.from(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
      for (const passphrase of [undefined, 'wrong']) {
        const code = caughtPkiError(() => importPkiData(bytes, { fileName: 'nomac.p12', passphrase })).code;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      if (i === 0) expect(importPkiData(bytes, { fileName: 'nomac.p12', passphrase: 'dees' }).pairs).toHaveLength(1);
    }
    expect(Object.fromEntries(codes)).toEqual({ PASSPHRASE_REQUIRED: 600, WRONG_PASSPHRASE: 600 });
  });
});
