// Files made by other tools, as a teacher or a student makes them with Debian's openssl, brought
// into the workbench with `tlslab import` / `tlslab cert show`, and what the workbench gives out
// opened again by openssl. openssl is the judge of what a file holds and which passphrase opens it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPkiData } from '../../../src-main/pki/formats';
import { tlslabInProcess } from '../../support/cliInProcess';
import { caughtPkiError } from '../../support/pkiErrors';
import { openssl, opensslOk } from './openssl';

let work: string;

const tlslab = tlslabInProcess;

/** A fresh, empty workbench data folder. */
function freshHome(): string {
  return fs.mkdtempSync(path.join(work, 'home-'));
}

function file(name: string, contents?: string | Uint8Array): string {
  const full = path.join(work, name);
  if (contents !== undefined) fs.writeFileSync(full, contents);
  return full;
}

const caught = caughtPkiError;

/** openssl pkcs12 -export of the server certificate and key, with extra options. */
function p12(name: string, options: string[], password = 'dees'): Uint8Array {
  const out = file(name);
  opensslOk(['pkcs12', '-export', '-in', file('server.pem'), '-inkey', file('server.key'), '-out', out, '-passout', `pass:${password}`, ...options]);
  return new Uint8Array(fs.readFileSync(out));
}

async function listJson(home: string): Promise<{ others: Array<{ name: string; hasPrivateKey: boolean }> }> {
  const run = await tlslab(home, ['cert', 'list', '--json']);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-foreign-'));
  // A teacher's CA and a server certificate, made the way the lab sheet makes them.
  opensslOk(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-subj', '/CN=Teacher Root CA', '-days', '30']);
  opensslOk(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=www.bank32.com']);
  opensslOk(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '30']);
  file('pw.txt', 'dees\n');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('tlslab import with several files', () => {
  it('a key given before its certificate is kept with it (`tlslab import server.key server.pem`)', async () => {
    const home = freshHome();
    const run = await tlslab(home, ['import', file('server.key'), file('server.pem')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/not kept/);
    const list = await listJson(home);
    expect(list.others).toEqual([expect.objectContaining({ name: 'www.bank32.com', hasPrivateKey: true })]);
  });

  it('a key the workbench already keeps is not reported as lost; a stranger key says what to do', async () => {
    const home = freshHome();
    expect((await tlslab(home, ['import', file('server.pem'), file('server.key')])).status).toBe(0);
    const again = await tlslab(home, ['import', file('server.key')]);
    expect(again.stdout).not.toMatch(/not kept/);
    const stranger = await tlslab(home, ['import', file('ca.key')]);
    expect(stranger.status).toBe(0);
    expect(stranger.stdout).toMatch(/not kept: import the certificate with it/);
  });
});

describe('passphrase files as `openssl -passin file:` reads them', () => {
  it('a Windows (CRLF) passphrase file opens a PKCS#12 made with that same file, and one made with the typed passphrase', async () => {
    file('pw-crlf.txt', 'dees\r\n');
    opensslOk(['pkcs12', '-export', '-in', file('server.pem'), '-inkey', file('server.key'), '-out', file('crlf.p12'), '-passout', `file:${file('pw-crlf.txt')}`]);
    opensslOk(['pkcs12', '-export', '-in', file('server.pem'), '-inkey', file('server.key'), '-out', file('typed.p12'), '-passout', 'pass:dees']);
    // openssl keeps the "\r": the file made with it opens with "dees\r", not with "dees".
    expect(openssl(['pkcs12', '-in', file('crlf.p12'), '-noout', '-passin', 'pass:dees']).status).not.toBe(0);
    for (const p12 of ['crlf.p12', 'typed.p12']) {
      const run = await tlslab(freshHome(), ['import', file(p12), '--passphrase-file', file('pw-crlf.txt')]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/with its key/);
    }
  });

  it('an empty first line is an empty passphrase, as for openssl', async () => {
    file('pw-empty.txt', '\n');
    opensslOk(['pkcs12', '-export', '-in', file('server.pem'), '-inkey', file('server.key'), '-out', file('empty.p12'), '-passout', `file:${file('pw-empty.txt')}`]);
    const run = await tlslab(freshHome(), ['import', file('empty.p12'), '--passphrase-file', file('pw-empty.txt')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/with its key/);
  });

  it('export refuses a CRLF passphrase file in one line rather than write a file openssl opens with another passphrase', async () => {
    const home = freshHome();
    expect((await tlslab(home, ['import', file('server.pem'), file('server.key')])).status).toBe(0);
    const run = await tlslab(home, ['cert', 'export', 'www.bank32.com', '--format', 'p12', '--with-key', '--passphrase-file', file('pw-crlf.txt'), '--out', file('out-crlf.p12')]);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/Windows line ending/);
    expect(fs.existsSync(file('out-crlf.p12'))).toBe(false);
    // Trailing spaces are part of the passphrase for both.
    file('pw-spaces.txt', 'dees  \n');
    const spaced = await tlslab(home, ['cert', 'export', 'www.bank32.com', '--format', 'p12', '--with-key', '--passphrase-file', file('pw-spaces.txt'), '--out', file('out-spaces.p12')]);
    expect(spaced.status, spaced.stderr).toBe(0);
    expect(openssl(['pkcs12', '-in', file('out-spaces.p12'), '-noout', '-passin', `file:${file('pw-spaces.txt')}`]).status).toBe(0);
  });
});

describe('PKCS#12 files openssl makes', () => {
  it('-nomac without a password given: "give the password", not "the passphrase does not open it"', () => {
    const bytes = p12('nomac.p12', ['-nomac']);
    const missing = caught(() => importPkiData(bytes, { fileName: 'nomac.p12' }));
    expect(missing.code).toBe('PASSPHRASE_REQUIRED');
    expect(missing.message).toMatch(/"nomac\.p12" is a PKCS#12 file protected by a password/);
    expect(caught(() => importPkiData(bytes, { fileName: 'nomac.p12', passphrase: 'wrong' })).code).toBe('WRONG_PASSPHRASE');
    const items = importPkiData(bytes, { fileName: 'nomac.p12', passphrase: 'dees' });
    expect(items.pairs).toHaveLength(1);
    expect(items.description).toMatch(/no MAC/);
  });

  it.each(['CAMELLIA-256-CBC', 'ARIA-128-CBC'])('-certpbe/-keypbe %s opens', (cipher) => {
    const bytes = p12(`${cipher}.p12`, ['-certpbe', cipher, '-keypbe', cipher]);
    const info = openssl(['pkcs12', '-info', '-noout', '-in', file(`${cipher}.p12`), '-passin', 'pass:dees']);
    expect(info.stderr + info.stdout).toContain(cipher);
    const items = importPkiData(bytes, { fileName: `${cipher}.p12`, passphrase: 'dees' });
    expect(items.certificates).toHaveLength(1);
    expect(items.pairs).toHaveLength(1);
    expect(items.description).toContain(cipher.replace('CAMELLIA', 'Camellia'));
  });

  it('RC4 (-legacy -certpbe PBE-SHA1-RC4-128) is named in one sentence that says how to convert the file', () => {
    const bytes = p12('rc4.p12', ['-legacy', '-certpbe', 'PBE-SHA1-RC4-128']);
    const error = caught(() => importPkiData(bytes, { fileName: 'rc4.p12', passphrase: 'dees' }));
    expect(error.message).toMatch(/RC4-128/);
    expect(error.message).not.toMatch(/1\.2\.840/);
    expect(error.message).toMatch(/openssl pkcs12 -legacy -in/);
  });
});

describe('PEM oddities', () => {
  it('a TRUSTED CERTIFICATE (openssl x509 -trustout -setalias) keeps its alias as the name, and its certificate is the one openssl sees', () => {
    opensslOk(['x509', '-in', file('ca.pem'), '-trustout', '-addtrust', 'serverAuth', '-setalias', 'Teacher trusted', '-out', file('trusted.pem')]);
    const items = importPkiData(new Uint8Array(fs.readFileSync(file('trusted.pem'))), { fileName: 'trusted.pem' });
    expect(items.certificates).toHaveLength(1);
    expect(items.certificates[0].friendlyName).toBe('Teacher trusted');
    opensslOk(['x509', '-in', file('trusted.pem'), '-outform', 'DER', '-out', file('trusted.der')]);
    expect(Buffer.from(items.certificates[0].der).equals(fs.readFileSync(file('trusted.der')))).toBe(true);
  });

  it('a public key alone (openssl pkey -pubout), PEM or DER, says so and what to import instead', () => {
    opensslOk(['pkey', '-in', file('server.key'), '-pubout', '-out', file('pub.pem')]);
    opensslOk(['pkey', '-in', file('server.key'), '-pubout', '-outform', 'DER', '-out', file('pub.der')]);
    for (const name of ['pub.pem', 'pub.der']) {
      const error = caught(() => importPkiData(new Uint8Array(fs.readFileSync(file(name))), { fileName: name }));
      expect(error.code).toBe('NOT_A_KEY');
      expect(error.message).toMatch(new RegExp(`"${name.replace('.', '\\.')}" holds a public key only`));
      expect(error.message).toMatch(/Import the certificate/);
    }
  });
});

describe('tlslab cert show on files other tools make', () => {
  const fingerprint = (args: string[]) => opensslOk([...args, '-noout', '-fingerprint', '-sha256']).trim().replace(/^.*=/, '');

  it('a TRUSTED CERTIFICATE shows its certificate, with the fingerprint openssl x509 prints', async () => {
    opensslOk(['x509', '-in', file('ca.pem'), '-trustout', '-addtrust', 'serverAuth', '-out', file('show-trusted.pem')]);
    const run = await tlslab(freshHome(), ['cert', 'show', file('show-trusted.pem'), '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).fingerprints.sha256.toUpperCase()).toBe(fingerprint(['x509', '-in', file('show-trusted.pem')]));
  });

  it('a PKCS#7 bundle (openssl crl2pkcs7), PEM or DER, shows its first certificate', async () => {
    fs.writeFileSync(file('show-chain.pem'), fs.readFileSync(file('server.pem'), 'utf8') + fs.readFileSync(file('ca.pem'), 'utf8'));
    opensslOk(['crl2pkcs7', '-nocrl', '-certfile', file('show-chain.pem'), '-out', file('show.p7b')]);
    opensslOk(['crl2pkcs7', '-nocrl', '-certfile', file('show-chain.pem'), '-outform', 'DER', '-out', file('show-der.p7b')]);
    for (const name of ['show.p7b', 'show-der.p7b']) {
      const run = await tlslab(freshHome(), ['cert', 'show', file(name), '--json']);
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).fingerprints.sha256.toUpperCase()).toBe(fingerprint(['x509', '-in', file('server.pem')]));
    }
  });

  it('a PKCS#12 file and an empty file: one line each that says what the file is and what to do', async () => {
    p12('show.p12', []);
    file('show-empty.pem', '');
    const pkcs12 = await tlslab(freshHome(), ['cert', 'show', file('show.p12')]);
    expect(pkcs12.status).toBe(1);
    expect(pkcs12.stderr.trim().split('\n')).toHaveLength(1);
    expect(pkcs12.stderr).toMatch(/"show\.p12" is a PKCS#12 file.*tlslab import show\.p12/);
    const empty = await tlslab(freshHome(), ['cert', 'show', file('show-empty.pem')]);
    expect(empty.status).toBe(1);
    expect(empty.stderr.trim().split('\n')).toHaveLength(1);
    expect(empty.stderr).toMatch(/"show-empty\.pem" is empty/);
  });
});

describe('encrypted keys name their file when the passphrase is missing or wrong', () => {
  it.each([
    ['pkcs8 -v2 aes-256-cbc', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc']],
    ['legacy PEM (ec -des3)', ['ec', '-des3']],
  ])('%s', (_title, args) => {
    opensslOk([...args, '-in', file('server.key'), '-out', file('named-enc.key'), '-passout', 'pass:dees']);
    const bytes = new Uint8Array(fs.readFileSync(file('named-enc.key')));
    const missing = caught(() => importPkiData(bytes, { fileName: 'named-enc.key' }));
    expect(missing.code).toBe('PASSPHRASE_REQUIRED');
    expect(missing.message).toContain('The private key in "named-enc.key"');
    const wrong = caught(() => importPkiData(bytes, { fileName: 'named-enc.key', passphrase: 'nope' }));
    expect(wrong.code).toBe('WRONG_PASSPHRASE');
    expect(wrong.message).toContain('the private key in "named-enc.key"');
    expect(importPkiData(bytes, { fileName: 'named-enc.key', passphrase: 'dees' }).privateKeys).toHaveLength(1);
  });
});
