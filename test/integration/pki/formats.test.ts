// PKCS#12, encrypted keys and "anything a student may bring", judged by OpenSSL: our PKCS#12
// opens with `openssl pkcs12 -info`, OpenSSL's (modern and -legacy) opens with importPkiData, our
// encrypted keys open with `openssl pkey`, and OpenSSL's legacy PEM / PKCS#8 keys open here.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CertificateAuthority, certificatePem, createIntermediateCa, createRootCa, issueCertificate } from '../../../src-main/pki/certificates.js';
import { exportPkcs12, importPkiData } from '../../../src-main/pki/formats.js';
import { exportPrivateKeyPem, generateKeyPair, publicKeyDer } from '../../../src-main/pki/keys.js';
import { makeTempDir, openssl, opensslOk, type TempDir } from './openssl.js';
import { caughtPkiError } from '../../support/pkiErrors';

let dir: TempDir;
let root: CertificateAuthority;
let intermediate: CertificateAuthority;

beforeAll(async () => {
  dir = makeTempDir('tlslab-formats-');
  root = await createRootCa({ subject: '/O=Lab/CN=Lab Root', key: 'rsa:2048' });
  intermediate = await createIntermediateCa(root, { subject: '/O=Lab/CN=Lab Issuing', key: 'ec:P-384' });
});
afterAll(() => dir.remove());

const read = (path: string) => new Uint8Array(readFileSync(path));

/** openssl's binary output (DER) as bytes; the shared helper decodes stdout as UTF-8. */
function opensslDer(args: string[], input?: string): Uint8Array {
  const result = spawnSync('openssl', args, { input, env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${result.stderr.toString()}`);
  return new Uint8Array(result.stdout);
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const caught = caughtPkiError;

/** The SPKI (DER, hex) of every key and certificate in `openssl pkcs12 -info -nodes` output. */
function publicKeysIn(pemText: string): { certificates: string[]; keys: string[] } {
  const certificates = [...pemText.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) =>
    Buffer.from(new X509Certificate(m[0]).publicKey.export({ type: 'spki', format: 'der' })).toString('hex'),
  );
  const keys = [...pemText.matchAll(/-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----/g)].map((m) =>
    hex(opensslDer(['pkey', '-pubout', '-outform', 'DER'], m[0])),
  );
  return { certificates, keys };
}

describe('PKCS#12 export opens with `openssl pkcs12 -info -nodes -passin`', () => {
  it.each([
    ['rsa:2048', false],
    ['ec:P-256', false],
    ['ed25519', false],
    ['rsa:2048', true],
    ['ec:P-256', true],
  ] as const)('%s key with chain, legacy=%s', async (spec, legacy) => {
    const leaf = await issueCertificate(intermediate, { subject: { CN: 'www.bank32.com' }, key: spec });
    const password = 'Lab pässword 1';
    const p12 = exportPkcs12({
      certificate: leaf.certificate,
      privateKey: leaf.privateKey,
      chain: [intermediate.certificate, root.certificate],
      password,
      friendlyName: 'www.bank32.com',
      legacy,
    });
    const file = dir.file(`export-${spec.replace(':', '')}-${legacy}.p12`, p12);
    const info = openssl(['pkcs12', '-info', '-nodes', '-in', file, '-passin', `pass:${password}`]);
    expect(info.status).toBe(0);
    const text = info.stdout + info.stderr;
    expect(text).toContain(legacy ? 'MAC: sha1, Iteration 2048' : 'MAC: sha256, Iteration 2048');
    expect(text).toContain(
      legacy ? 'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC' : 'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256',
    );
    expect(text).toContain(legacy ? 'PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC' : 'PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC');
    expect(text).toContain('friendlyName: www.bank32.com');
    expect(text.match(/subject=/g)).toHaveLength(3);
    // The key OpenSSL decrypted is the leaf's key.
    const keys = publicKeysIn(text);
    expect(keys.keys).toEqual([Buffer.from(publicKeyDer(leaf.privateKey)).toString('hex')]);
    expect(keys.certificates[0]).toBe(keys.keys[0]);

    const wrong = openssl(['pkcs12', '-info', '-nodes', '-in', file, '-passin', 'pass:nope']);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/mac verify (failure|error)/i);
  });

  it('a certificate without a key exports too (a trust bundle)', () => {
    const file = dir.file('ca-only.p12', exportPkcs12({ certificate: root.certificate, password: 'x1' }));
    const text = opensslOk(['pkcs12', '-info', '-nodes', '-in', file, '-passin', 'pass:x1']);
    expect(text).toContain('subject=O = Lab, CN = Lab Root');
    expect(text).not.toContain('PRIVATE KEY');
  });

  it('refuses a key that does not belong to the certificate, and an empty password', async () => {
    const stranger = await generateKeyPair('ec:P-256');
    expect(caught(() => exportPkcs12({ certificate: root.certificate, privateKey: stranger.privateKey, password: 'x' })).code).toBe('KEY_MISMATCH');
    expect(caught(() => exportPkcs12({ certificate: root.certificate, password: '' })).code).toBe('BAD_OPTION');
  });
});

describe('PKCS#12 made by `openssl pkcs12 -export` imports', () => {
  function opensslP12(name: string, keyArgs: string[], exportArgs: string[], password = 'secret'): { file: string; cert: string; key: string } {
    const key = dir.file(`${name}.key`);
    const cert = dir.file(`${name}.crt`);
    opensslOk(['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-subj', `/CN=${name}.lab.test`, '-days', '5', '-out', cert]);
    const chain = dir.file('chain-for-p12.pem', certificatePem(intermediate.certificate) + certificatePem(root.certificate));
    const file = dir.file(`${name}.p12`);
    opensslOk(['pkcs12', '-export', '-in', cert, '-inkey', key, '-certfile', chain, '-name', `${name} friendly`, '-passout', `pass:${password}`, ...exportArgs, '-out', file]);
    return { file, cert, key };
  }

  const legacyProvider = openssl(['list', '-providers', '-provider', 'legacy']).status === 0;

  it.each([
    ['modern-rsa', ['-newkey', 'rsa:2048'], [], /^PKCS#12 \(AES-256-CBC, PBKDF2, SHA-256 MAC\): 1 key, 3 certificates$/],
    ['modern-ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], [], /^PKCS#12 \(AES-256-CBC, PBKDF2, SHA-256 MAC\): 1 key, 3 certificates$/],
    ['modern-ed25519', ['-newkey', 'ed25519'], [], /AES-256-CBC/],
    legacyProvider
      ? ['legacy-rsa', ['-newkey', 'rsa:2048'], ['-legacy'], /^PKCS#12 \(RC2-40 \+ 3DES, PKCS#12 KDF, SHA-1 MAC\): 1 key, 3 certificates$/]
      : ['legacy-rsa', ['-newkey', 'rsa:2048'], ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'], /3DES, PKCS#12 KDF, SHA-1 MAC/],
    legacyProvider
      ? ['legacy-ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-legacy'], /RC2-40 \+ 3DES/]
      : ['legacy-ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'], /3DES/],
    ['3des-sha1', ['-newkey', 'rsa:2048'], ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'], /^PKCS#12 \(3DES, PKCS#12 KDF, SHA-1 MAC\)/],
    ['aes128-sha512', ['-newkey', 'rsa:2048'], ['-keypbe', 'AES-128-CBC', '-certpbe', 'AES-128-CBC', '-macalg', 'sha512'], /^PKCS#12 \(AES-128-CBC, PBKDF2, SHA-512 MAC\)/],
  ] as Array<[string, string[], string[], RegExp]>)('%s', (name, keyArgs, exportArgs, description) => {
    const made = opensslP12(name, keyArgs, exportArgs);
    const items = importPkiData(read(made.file), { passphrase: 'secret', fileName: `${name}.p12` });
    expect(items.description).toMatch(description);
    expect(items.certificates).toHaveLength(3);
    expect(items.privateKeys).toHaveLength(1);
    const leafIndex = items.certificates.findIndex((certificate) => new X509Certificate(certificate.der).subject === `CN=${name}.lab.test`);
    expect(items.pairs).toEqual([{ certificateIndex: leafIndex, keyIndex: 0 }]);
    expect(items.certificates[leafIndex].friendlyName).toBe(`${name} friendly`);
    expect(hex(items.certificates[leafIndex].der)).toBe(hex(opensslDer(['x509', '-in', made.cert, '-outform', 'DER'])));
    // The key is the one openssl wrote.
    expect(hex(publicKeyDer(items.privateKeys[0]))).toBe(hex(opensslDer(['pkey', '-in', made.key, '-pubout', '-outform', 'DER'])));

    const wrong = caught(() => importPkiData(read(made.file), { passphrase: 'Secret', fileName: `${name}.p12` }));
    expect(wrong.code).toBe('WRONG_PASSPHRASE');
    expect(wrong.message).toMatch(new RegExp(`^The passphrase does not open "${name}.p12"`));
    const missing = caught(() => importPkiData(read(made.file), { fileName: `${name}.p12` }));
    expect(missing.code).toBe('PASSPHRASE_REQUIRED');
  });

  it('a PKCS#12 with an empty password opens without one', () => {
    const made = opensslP12('empty-pass', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], [], '');
    const items = importPkiData(read(made.file));
    expect(items.privateKeys).toHaveLength(1);
    expect(items.pairs).toHaveLength(1);
  });

  it('our own export reads back: RSA, EC and Ed25519, modern and legacy', async () => {
    for (const spec of ['rsa:2048', 'ec:P-384', 'ed25519'] as const) {
      const leaf = await issueCertificate(intermediate, { subject: { CN: 'round.trip' }, key: spec });
      for (const legacy of [false, true]) {
        const items = importPkiData(exportPkcs12({ certificate: leaf.certificate, privateKey: leaf.privateKey, chain: [intermediate.certificate], password: 'pw', friendlyName: 'Round Trip', legacy }), { passphrase: 'pw' });
        expect(items.pairs).toEqual([{ certificateIndex: 0, keyIndex: 0 }]);
        expect(items.certificates.map((certificate) => certificate.friendlyName)).toEqual(['Round Trip', undefined]);
        expect(Buffer.from(publicKeyDer(items.privateKeys[0]))).toEqual(Buffer.from(publicKeyDer(leaf.privateKey)));
      }
    }
  });
});

describe('encrypted keys', () => {
  it('exportPrivateKeyPem with a passphrase opens with `openssl pkey -passin`, and not without it', async () => {
    for (const spec of ['rsa:2048', 'ec:P-256', 'ed25519'] as const) {
      const { privateKey } = await generateKeyPair(spec);
      const file = dir.file(`enc-${spec.replace(':', '')}.pem`, exportPrivateKeyPem(privateKey, 'open sesame'));
      const spki = opensslDer(['pkey', '-in', file, '-passin', 'pass:open sesame', '-pubout', '-outform', 'DER']);
      expect(hex(spki)).toBe(hex(publicKeyDer(privateKey)));
      const wrong = openssl(['pkey', '-in', file, '-passin', 'pass:closed', '-noout']);
      expect(wrong.status).not.toBe(0);
      // ... and it comes back in through importPkiData.
      const items = importPkiData(read(file), { passphrase: 'open sesame' });
      expect(items.description).toBe('PEM: 1 encrypted key');
    }
  });

  it.each([
    ['genrsa -aes256 -traditional (legacy "Proc-Type: 4,ENCRYPTED" PEM)', (out: string) => opensslOk(['genrsa', '-aes256', '-traditional', '-passout', 'pass:hunter2', '-out', out, '2048']), /Proc-Type: 4,ENCRYPTED[\s\S]*DEK-Info: AES-256-CBC/],
    ['genrsa -aes256 (OpenSSL 3 writes encrypted PKCS#8)', (out: string) => opensslOk(['genrsa', '-aes256', '-passout', 'pass:hunter2', '-out', out, '2048']), /BEGIN ENCRYPTED PRIVATE KEY/],
    ['pkcs8 -topk8 -v2 aes256 of an EC key', (out: string) => {
      const plain = dir.file('ec-plain.pem');
      opensslOk(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', plain]);
      opensslOk(['pkcs8', '-topk8', '-v2', 'aes256', '-in', plain, '-passout', 'pass:hunter2', '-out', out]);
    }, /BEGIN ENCRYPTED PRIVATE KEY/],
    ['ec -des3 (legacy SEC1 PEM)', (out: string) => {
      const plain = dir.file('ec-plain2.pem');
      opensslOk(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', plain]);
      opensslOk(['ec', '-in', plain, '-des3', '-passout', 'pass:hunter2', '-out', out]);
    }, /BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED/],
  ] as Array<[string, (out: string) => void, RegExp]>)('%s imports with the passphrase, and fails clearly without it or with a wrong one', (title, make, shape) => {
    const file = dir.file(`legacy-${title.replace(/\W+/g, '-')}.pem`);
    make(file);
    expect(readFileSync(file, 'utf8')).toMatch(shape);
    const items = importPkiData(read(file), { passphrase: 'hunter2', fileName: 'server.key' });
    expect(items.privateKeys).toHaveLength(1);
    expect(items.description).toBe('PEM: 1 encrypted key');
    const spki = opensslDer(['pkey', '-in', file, '-passin', 'pass:hunter2', '-pubout', '-outform', 'DER']);
    expect(hex(publicKeyDer(items.privateKeys[0]))).toBe(hex(spki));

    const missing = caught(() => importPkiData(read(file), { fileName: 'server.key' }));
    expect(missing.code).toBe('PASSPHRASE_REQUIRED');
    expect(missing.message).toMatch(/encrypted with a passphrase/);
    const wrong = caught(() => importPkiData(read(file), { passphrase: 'hunter3', fileName: 'server.key' }));
    expect(wrong.code).toBe('WRONG_PASSPHRASE');
    expect(wrong.message).toMatch(/^The passphrase does not open/);
  });
});

describe('anything a student may bring', () => {
  it('a PEM bundle with certificates, a CSR and keys: keys pair with their certificates by public key; a stranger key pairs with nothing', () => {
    const key = dir.file('bundle.key');
    const cert = dir.file('bundle.crt');
    opensslOk(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', '/CN=bundle.lab.test', '-out', cert]);
    const csr = dir.file('bundle.csr');
    opensslOk(['req', '-new', '-key', key, '-subj', '/CN=bundle.lab.test', '-out', csr]);
    const stranger = dir.file('stranger.key');
    opensslOk(['genrsa', '-traditional', '-out', stranger, '2048']);
    const text =
      'subject=CN = bundle.lab.test\n' +
      readFileSync(cert, 'utf8') +
      certificatePem(intermediate.certificate) +
      readFileSync(stranger, 'utf8') +
      readFileSync(csr, 'utf8') +
      readFileSync(key, 'utf8') +
      opensslOk(['pkey', '-in', key, '-pubout']);
    const items = importPkiData(new TextEncoder().encode(text));
    expect(items.description).toBe('PEM: 2 certificates, 1 CSR, 2 keys, 1 public key (ignored)');
    expect(items.csrs).toHaveLength(1);
    expect(items.privateKeys.map((k) => k.asymmetricKeyType)).toEqual(['rsa', 'ec']);
    expect(items.pairs).toEqual([{ certificateIndex: 0, keyIndex: 1 }]);
  });

  it('a key that does not match the certificate gives no pair', () => {
    const items = importPkiData(new TextEncoder().encode(readFileSync(dir.file('bundle.crt'), 'utf8') + readFileSync(dir.file('stranger.key'), 'utf8')));
    expect(items.certificates).toHaveLength(1);
    expect(items.privateKeys).toHaveLength(1);
    expect(items.pairs).toEqual([]);
  });

  it('DER certificates, CSRs and keys (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1) are recognised', () => {
    const der = (args: string[]) => opensslDer(args);
    expect(importPkiData(der(['x509', '-in', dir.file('bundle.crt'), '-outform', 'DER'])).description).toBe('DER: 1 certificate');
    expect(importPkiData(der(['req', '-in', dir.file('bundle.csr'), '-outform', 'DER'])).description).toBe('DER: 1 CSR');
    expect(importPkiData(der(['pkcs8', '-topk8', '-nocrypt', '-in', dir.file('bundle.key'), '-outform', 'DER'])).description).toBe('DER: 1 PKCS#8 key');
    expect(importPkiData(der(['ec', '-in', dir.file('bundle.key'), '-outform', 'DER'])).description).toBe('DER: 1 SEC1 EC key');
    expect(importPkiData(der(['rsa', '-in', dir.file('stranger.key'), '-traditional', '-outform', 'DER'])).description).toBe('DER: 1 PKCS#1 RSA key');
    const encrypted = der(['pkcs8', '-topk8', '-v2', 'aes256', '-in', dir.file('bundle.key'), '-passout', 'pass:pw', '-outform', 'DER']);
    expect(importPkiData(encrypted, { passphrase: 'pw' }).description).toBe('DER: 1 encrypted PKCS#8 key');
    expect(caught(() => importPkiData(encrypted)).code).toBe('PASSPHRASE_REQUIRED');
    expect(caught(() => importPkiData(encrypted, { passphrase: 'no' })).code).toBe('WRONG_PASSPHRASE');
  });

  it('PKCS#7 certificate bundles (.p7b), PEM and DER', () => {
    const chain = dir.file('p7-chain.pem', certificatePem(intermediate.certificate) + certificatePem(root.certificate));
    const pem = opensslOk(['crl2pkcs7', '-nocrl', '-certfile', chain]);
    expect(importPkiData(new TextEncoder().encode(pem)).certificates.map((c) => Buffer.from(c.der))).toEqual([
      Buffer.from(intermediate.certificate),
      Buffer.from(root.certificate),
    ]);
    const der = opensslDer(['crl2pkcs7', '-nocrl', '-certfile', chain, '-outform', 'DER']);
    expect(importPkiData(der).description).toBe('PKCS#7: 2 certificates');
  });

  it('bad input gives one clear error each: not PEM, binary junk, truncated DER, unsupported key types', () => {
    const text = caught(() => importPkiData(new TextEncoder().encode('hello, this is my certificate, trust me\n'), { fileName: 'notes.txt' }));
    expect(text.message).toMatch(/^This file is not a certificate, key, CSR or PKCS#12: "notes.txt" is text \("hello, this is my certificate, trust me"\)/);

    const junk = caught(() => importPkiData(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), { fileName: 'photo.png' }));
    expect(junk.code).toBe('BAD_DER');
    expect(junk.message).toMatch(/^This file is not a certificate, key, CSR or PKCS#12: "photo.png" is neither PEM text .* starts with 0x89\.$/);

    const full = read(dir.file('export-ecP-256-false.p12'));
    const cut = caught(() => importPkiData(full.subarray(0, 700), { fileName: 'cut.p12', passphrase: 'x' }));
    expect(cut.code).toBe('TRUNCATED_DER');
    expect(cut.message).toContain(`"cut.p12" is truncated: the SEQUENCE at offset 0 announces ${full.length} bytes, but the data ends at offset 700, ${full.length - 700} bytes short.`);

    const certDer = opensslDer(['x509', '-in', dir.file('bundle.crt'), '-outform', 'DER']);
    const cutCert = caught(() => importPkiData(certDer.subarray(0, certDer.length - 10)));
    expect(cutCert.code).toBe('TRUNCATED_DER');
    expect(cutCert.message).toMatch(/The cut falls inside the BIT STRING that starts at offset \d+/);

    const dsa = dir.file('dsa.key');
    opensslOk(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:2048', '-out', dir.file('dsa.param')]);
    opensslOk(['genpkey', '-paramfile', dir.file('dsa.param'), '-out', dsa]);
    const unsupported = caught(() => importPkiData(read(dsa)));
    expect(unsupported.code).toBe('UNSUPPORTED_KEY_TYPE');
    expect(unsupported.message).toMatch(/DSA key/);
    const x25519 = dir.file('x25519.key');
    opensslOk(['genpkey', '-algorithm', 'X25519', '-out', x25519]);
    expect(caught(() => importPkiData(read(x25519))).code).toBe('UNSUPPORTED_KEY_TYPE');

    const onlyParams = caught(() => importPkiData(new TextEncoder().encode(opensslOk(['ecparam', '-name', 'prime256v1']))));
    expect(onlyParams.code).toBe('NOT_PEM');
    expect(onlyParams.message).toContain('only "EC PARAMETERS" blocks');
    expect(caught(() => importPkiData(new Uint8Array())).message).toMatch(/is empty/);
  });
});
