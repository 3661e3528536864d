import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PkiError } from '../../../src-main/pki/errors.js';
import { describeKey, exportPrivateKeyPem, generateKeyPair, importPrivateKey, publicKeyDer } from '../../../src-main/pki/keys.js';
import { makeTempDir, openssl, opensslOk, type TempDir } from './openssl.js';

let dir: TempDir;
beforeAll(() => {
  dir = makeTempDir('tlslab-keys-');
  opensslOk(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', dir.file('rsa.pem')]);
  opensslOk(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', dir.file('ec.pem')]);
});
afterAll(() => dir.remove());

function pkeyPublicDer(path: string, passin?: string): Uint8Array {
  const args = ['pkey', '-in', path, '-pubout', '-outform', 'DER', '-out', dir.file('pub.der')];
  if (passin) args.push('-passin', `pass:${passin}`);
  opensslOk(args);
  return new Uint8Array(readFileSync(dir.file('pub.der')));
}

function pkiErrorOf(action: () => unknown): PkiError {
  try {
    action();
  } catch (error) {
    if (error instanceof PkiError) return error;
    throw error;
  }
  throw new Error('expected a PkiError');
}

describe('keys made by openssl import into the workbench', () => {
  const cases: Array<{ title: string; args: string[]; source: 'rsa.pem' | 'ec.pem'; passphrase?: string; firstLine: RegExp }> = [
    { title: 'PKCS#1 RSA PEM', source: 'rsa.pem', args: ['rsa', '-traditional'], firstLine: /BEGIN RSA PRIVATE KEY/ },
    { title: 'SEC1 EC PEM', source: 'ec.pem', args: ['ec'], firstLine: /BEGIN EC PRIVATE KEY/ },
    {
      title: 'legacy encrypted PEM (AES-256-CBC, Proc-Type/DEK-Info)',
      source: 'rsa.pem',
      args: ['rsa', '-traditional', '-aes256', '-passout', 'pass:lab-secret'],
      passphrase: 'lab-secret',
      firstLine: /BEGIN RSA PRIVATE KEY/,
    },
    {
      title: 'legacy encrypted PEM (DES-EDE3-CBC)',
      source: 'ec.pem',
      args: ['ec', '-des3', '-passout', 'pass:lab-secret'],
      passphrase: 'lab-secret',
      firstLine: /BEGIN EC PRIVATE KEY/,
    },
    {
      title: 'encrypted PKCS#8 (openssl pkcs8 -topk8)',
      source: 'rsa.pem',
      args: ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', 'pass:lab-secret'],
      passphrase: 'lab-secret',
      firstLine: /BEGIN ENCRYPTED PRIVATE KEY/,
    },
  ];

  cases.forEach((keyCase, index) => {
    it(`reads ${keyCase.title}`, () => {
      const out = dir.file(`converted-${index}.pem`);
      opensslOk([...keyCase.args, '-in', dir.file(keyCase.source), '-out', out]);
      const pem = readFileSync(out, 'utf8');
      expect(pem).toMatch(keyCase.firstLine);
      const key = importPrivateKey(pem, keyCase.passphrase);
      expect(Buffer.from(publicKeyDer(key)).equals(Buffer.from(pkeyPublicDer(dir.file(keyCase.source))))).toBe(true);
      if (keyCase.passphrase) {
        expect(pkiErrorOf(() => importPrivateKey(pem, 'not-it')).code).toBe('WRONG_PASSPHRASE');
        expect(pkiErrorOf(() => importPrivateKey(pem)).code).toBe('PASSPHRASE_REQUIRED');
      }
    });
  });

  it('refuses a DSA key with UNSUPPORTED_KEY_TYPE', () => {
    const result = openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024', '-out', dir.file('dsa-params.pem')]);
    expect(result.status).toBe(0);
    opensslOk(['genpkey', '-paramfile', dir.file('dsa-params.pem'), '-out', dir.file('dsa.pem')]);
    const error = pkiErrorOf(() => importPrivateKey(readFileSync(dir.file('dsa.pem'), 'utf8')));
    expect(error.code).toBe('UNSUPPORTED_KEY_TYPE');
    expect(error.message).toMatch(/DSA key/);
  });
});

describe('keys exported by the workbench open in openssl', () => {
  it.each(['rsa:2048', 'ec:P-256', 'ed25519'])('an encrypted %s export opens with `openssl pkey -passin`', async (spec) => {
    const { privateKey } = await generateKeyPair(spec);
    const path = dir.file(`export-${spec.replace(':', '-')}.pem`, exportPrivateKeyPem(privateKey, 'export pass'));
    const text = opensslOk(['pkey', '-in', path, '-passin', 'pass:export pass', '-noout', '-text']);
    expect(text).toMatch(describeKey(privateKey).type === 'RSA' ? /Private-Key: \(2048 bit/ : /Private-Key|ED25519 Private-Key/);
    expect(Buffer.from(pkeyPublicDer(path, 'export pass')).equals(Buffer.from(publicKeyDer(privateKey)))).toBe(true);
    const asn1 = opensslOk(['asn1parse', '-in', path]);
    expect(asn1).toMatch(/aes-256-cbc/);
    expect(openssl(['pkey', '-in', path, '-passin', 'pass:wrong', '-noout']).status).not.toBe(0);
  });
});
