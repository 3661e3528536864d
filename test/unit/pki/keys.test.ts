import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PkiError } from '../../../src-main/pki/errors.js';
import {
  KEY_SPEC_NAMES,
  describeKey,
  exportPrivateKeyDer,
  exportPrivateKeyPem,
  formatKeySpec,
  generateKeyPair,
  importPrivateKey,
  parseKeySpec,
} from '../../../src-main/pki/keys.js';

function errorOf(action: () => unknown): PkiError {
  try {
    action();
  } catch (error) {
    if (error instanceof PkiError) return error;
    throw error;
  }
  throw new Error('expected a PkiError');
}

describe('key specs', () => {
  it('reads every offered name and writes it back the same', () => {
    for (const name of KEY_SPEC_NAMES) expect(formatKeySpec(parseKeySpec(name))).toBe(name);
  });

  it('accepts common aliases', () => {
    expect(parseKeySpec('RSA4096')).toEqual({ kind: 'rsa', bits: 4096 });
    expect(parseKeySpec('ec:prime256v1')).toEqual({ kind: 'ec', curve: 'P-256' });
    expect(parseKeySpec('ecdsa:secp384r1')).toEqual({ kind: 'ec', curve: 'P-384' });
    expect(parseKeySpec('Ed25519')).toEqual({ kind: 'ed25519' });
  });

  it('refuses a weak RSA size and says why', () => {
    const error = errorOf(() => parseKeySpec('rsa:1024'));
    expect(error.code).toBe('BAD_KEY_SPEC');
    expect(error.message).toMatch(/rsa:2048, rsa:3072 or rsa:4096/);
    expect(error.message).toMatch(/under 2048 bits/);
  });

  it('lists the choices for an unknown key type', () => {
    const error = errorOf(() => parseKeySpec('dsa:2048'));
    expect(error.message).toContain('rsa:2048, rsa:3072, rsa:4096, ec:P-256, ec:P-384, ed25519');
    expect(errorOf(() => parseKeySpec('ec:secp256k1')).message).toMatch(/ec:P-256 or ec:P-384/);
  });
});

describe('generating keys', () => {
  it.each(KEY_SPEC_NAMES)('makes a %s key that describes itself as that type', async (name) => {
    const { privateKey, publicKey } = await generateKeyPair(name);
    expect(describeKey(privateKey).spec).toBe(name);
    expect(describeKey(publicKey).spec).toBe(name);
  });

  it('keeps the event loop running while an RSA 4096 key is made', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let ticksWhenDone = -1;
    await generateKeyPair('rsa:4096').then(() => {
      ticksWhenDone = ticks;
    });
    clearInterval(timer);
    // A blocking generator would let no timer run until it returned.
    expect(ticksWhenDone).toBeGreaterThan(0);
  });
});

describe('importing and exporting private keys', () => {
  it('round-trips a plain PKCS#8 PEM', async () => {
    const { privateKey } = await generateKeyPair('ec:P-256');
    const pem = exportPrivateKeyPem(privateKey);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(importPrivateKey(pem).equals(privateKey)).toBe(true);
  });

  it('encrypts with a passphrase and opens only with that passphrase', async () => {
    const { privateKey } = await generateKeyPair('ed25519');
    const pem = exportPrivateKeyPem(privateKey, 'correct horse');
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(importPrivateKey(pem, 'correct horse').equals(privateKey)).toBe(true);

    const wrong = errorOf(() => importPrivateKey(pem, 'Correct horse'));
    expect(wrong.code).toBe('WRONG_PASSPHRASE');
    expect(wrong.message).toMatch(/passphrase does not open this private key/);

    const missing = errorOf(() => importPrivateKey(pem));
    expect(missing.code).toBe('PASSPHRASE_REQUIRED');
  });

  it('reads PKCS#1 and SEC1 PEM and DER', async () => {
    const rsa = (await generateKeyPair('rsa:2048')).privateKey;
    const ec = (await generateKeyPair('ec:P-384')).privateKey;
    const pkcs1Pem = rsa.export({ type: 'pkcs1', format: 'pem' }) as string;
    const sec1Pem = ec.export({ type: 'sec1', format: 'pem' }) as string;
    expect(pkcs1Pem).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect(sec1Pem).toMatch(/BEGIN EC PRIVATE KEY/);
    expect(importPrivateKey(pkcs1Pem).equals(rsa)).toBe(true);
    expect(importPrivateKey(sec1Pem).equals(ec)).toBe(true);
    expect(importPrivateKey(new Uint8Array(rsa.export({ type: 'pkcs1', format: 'der' }))).equals(rsa)).toBe(true);
    expect(importPrivateKey(new Uint8Array(ec.export({ type: 'sec1', format: 'der' }))).equals(ec)).toBe(true);
    expect(importPrivateKey(exportPrivateKeyDer(ec)).equals(ec)).toBe(true);
  });

  it('reads an encrypted PKCS#8 DER key with its passphrase', async () => {
    const { privateKey } = await generateKeyPair('ec:P-256');
    const der = privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-128-cbc', passphrase: 'pw' });
    expect(importPrivateKey(new Uint8Array(der), 'pw').equals(privateKey)).toBe(true);
    expect(errorOf(() => importPrivateKey(new Uint8Array(der), 'nope')).code).toBe('WRONG_PASSPHRASE');
  });

  it('says plain text is not a key', () => {
    const error = errorOf(() => importPrivateKey('hello, I am not a key'));
    expect(error.code).toBe('NOT_PEM');
    expect(error.message).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('says a certificate file is not a key', () => {
    const certificate = '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n';
    const error = errorOf(() => importPrivateKey(certificate));
    expect(error.code).toBe('NOT_A_KEY');
    expect(error.message).toContain('"CERTIFICATE"');
  });

  it('says a truncated PEM was cut off', async () => {
    const pem = exportPrivateKeyPem((await generateKeyPair('ec:P-256')).privateKey);
    const error = errorOf(() => importPrivateKey(pem.slice(0, 80)));
    expect(error.code).toBe('NOT_PEM');
    expect(error.message).toMatch(/cut off/);
  });

  it('refuses a key type it cannot use, naming it', () => {
    const x25519 = createPrivateKey({
      key: Buffer.from('302e020100300506032b656e04220420' + '11'.repeat(32), 'hex'),
      format: 'der',
      type: 'pkcs8',
    });
    const pem = x25519.export({ type: 'pkcs8', format: 'pem' }) as string;
    const error = errorOf(() => importPrivateKey(pem));
    expect(error.code).toBe('UNSUPPORTED_KEY_TYPE');
    expect(error.message).toMatch(/X25519 key/);
  });
});
