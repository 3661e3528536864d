// The teacher's hand-out, end to end from the command line: a teacher's workbench (one data
// folder) makes CAs and identities and records a session, hands them out as files, and a
// student's fresh workbench (another data folder) takes them in. Every file that holds a private
// key or a session's secrets is readable by its owner only and the command says what it holds;
// names, chains and keys arrive whole; OpenSSL's own PKCS#12 files come in too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, tlslabInProcess } from '../support/cliInProcess';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { opensslOk } from './pki/openssl';

let tmp: string;
let teacher: string;
let student: string;
let peer: RunningPeer | undefined;

const run = (dataDir: string, args: string[]): Promise<CliRun> => tlslabInProcess(dataDir, args);

async function ok(dataDir: string, args: string[]): Promise<string> {
  const result = await run(dataDir, args);
  if (result.status !== 0) throw new Error(`tlslab ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

const file = (name: string): string => path.join(tmp, name);
const mode = (name: string): number => fs.statSync(file(name)).mode & 0o777;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-handout-'));
  teacher = path.join(tmp, 'teacher');
  student = path.join(tmp, 'student');
  fs.writeFileSync(file('pass.txt'), 'class of 2026\n');
  // A CA whose workbench name is not its CN: the hand-out's instructions use the name.
  await ok(teacher, ['ca', 'create', 'Class CA', '--cn', 'Bank32 Trust Services', '--o', 'Lab']);
  await ok(teacher, ['cert', 'issue', '--ca', 'Class CA', '--cn', 'www.bank32.com', '--name', 'bank-server', '--san', 'DNS:www.bank32.com,DNS:bank32.com']);
});

afterAll(async () => {
  await peer?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the teacher exports identities', () => {
  it('a PKCS#12 with --with-key of a certificate whose key the workbench lacks is refused, and no file is written', async () => {
    // The CA's certificate alone, imported into the student's workbench: no key there.
    await ok(teacher, ['ca', 'export', 'Class CA', '--out', file('class-ca.pem')]);
    expect(await ok(student, ['import', file('class-ca.pem')])).not.toMatch(/^Keys:/m);
    const result = await run(student, ['cert', 'export', 'Bank32 Trust Services', '--format', 'p12', '--with-key', '--passphrase-file', file('pass.txt'), '--out', file('no-key.p12')]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/no private key for "Bank32 Trust Services"/);
    expect(fs.existsSync(file('no-key.p12'))).toBe(false);
  });

  it('a PKCS#12 without --with-key says it holds no key and how to include it', async () => {
    const out = await ok(teacher, ['cert', 'export', 'bank-server', '--format', 'p12', '--passphrase-file', file('pass.txt'), '--out', file('certs-only.p12')]);
    expect(out).toMatch(/certificates only, no private key: add --with-key/);
    expect(opensslOk(['pkcs12', '-in', file('certs-only.p12'), '-passin', `file:${file('pass.txt')}`, '-nokeys', '-info'])).not.toContain('Shrouded Keybag');
  });

  it('cert issue --out-key says whether the key file is encrypted and that it is mode 0600', async () => {
    const plain = await ok(teacher, ['cert', 'issue', '--ca', 'Class CA', '--cn', 'mail.bank32.com', '--out-key', file('mail.key')]);
    expect(plain).toContain(`key: ${file('mail.key')} (UNENCRYPTED; readable by you only, mode 0600)`);
    expect(mode('mail.key')).toBe(0o600);
    const encrypted = await ok(teacher, ['cert', 'issue', '--ca', 'Class CA', '--cn', 'vpn.bank32.com', '--out-key', file('vpn.key'), '--key-passphrase-file', file('pass.txt')]);
    expect(encrypted).toContain(`key: ${file('vpn.key')} (encrypted; readable by you only, mode 0600)`);
  });

  it('a key export says whether the key in it is encrypted, and the file is mode 0600', async () => {
    const plain = await ok(teacher, ['cert', 'export', 'bank-server', '--format', 'key', '--out', file('plain.key')]);
    expect(plain).toMatch(/holds the private key UNENCRYPTED/);
    expect(mode('plain.key')).toBe(0o600);
    const encrypted = await ok(teacher, ['cert', 'export', 'bank-server', '--format', 'pem', '--with-key', '--passphrase-file', file('pass.txt'), '--out', file('bank-enc.pem')]);
    expect(encrypted).toMatch(/holds the private key, encrypted with the passphrase/);
    expect(fs.readFileSync(file('bank-enc.pem'), 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(mode('bank-enc.pem')).toBe(0o600);
    expect(await ok(teacher, ['cert', 'export', 'bank-server', '--format', 'chain', '--with-key', '--out', file('chain.pem')]).catch((e: Error) => e.message)).toMatch(
      /--with-key applies to --format pem and p12/,
    );
    expect(fs.existsSync(file('chain.pem'))).toBe(false);
  });

  it('the PKCS#12 carries the CA under its workbench name: the student\'s workbench calls it "Class CA", as the hand-out does', async () => {
    const out = await ok(teacher, ['cert', 'export', 'bank-server', '--format', 'p12', '--with-key', '--passphrase-file', file('pass.txt'), '--out', file('bank.p12')]);
    expect(out).toMatch(/holds the private key, encrypted with the PKCS#12 password/);
    expect(mode('bank.p12')).toBe(0o600);
    const info = opensslOk(['pkcs12', '-in', file('bank.p12'), '-passin', `file:${file('pass.txt')}`, '-nokeys']);
    expect(info).toContain('friendlyName: bank-server');
    expect(info).toContain('friendlyName: Class CA');

    const fresh = path.join(tmp, 'fresh-student');
    const imported = await ok(fresh, ['import', file('bank.p12'), '--passphrase-file', file('pass.txt')]);
    expect(imported).toContain('Class CA: O=Lab, CN=Bank32 Trust Services');
    expect(imported).toContain('bank-server: CN=www.bank32.com (with its key)');
    // The key was encrypted in the file; the student learns how the workbench keeps it now.
    expect(imported).toMatch(/^Keys: private keys are NOT protected: they are stored unencrypted/m);
    const verified = await ok(fresh, ['cert', 'verify', 'lab:bank-server', '--trust', 'lab:Class CA', '--host', 'bank32.com']);
    expect(verified).toContain('Verified.');
  });

  it('the CA imported first as PEM, then as PKCS#12 with its key: the import says the key is now kept with it', async () => {
    await ok(teacher, ['ca', 'export', 'Class CA', '--format', 'p12', '--with-key', '--passphrase-file', file('pass.txt'), '--out', file('class-ca.p12')]);
    const out = await ok(student, ['import', file('class-ca.p12'), '--passphrase-file', file('pass.txt')]);
    expect(out).toContain("is already stored as 'Bank32 Trust Services'; it keeps that name, and the name 'Class CA' given for it was not used");
    expect(out).toMatch(/\+ the key is kept with its certificate or request in the workbench/);
    // With its key the student's workbench can sign with it (what the proxy needs).
    const forged = await ok(student, ['cert', 'forge', 'www.bank32.com', '--ca', 'Bank32 Trust Services', '--out-cert', file('forged.pem'), '--out-key', file('forged.key')]);
    expect(forged).toContain('Forged CN=www.bank32.com');
    expect(forged).toContain(`key: ${file('forged.key')} (UNENCRYPTED; readable by you only, mode 0600)`);
    expect(mode('forged.key')).toBe(0o600);
  });
});

describe('the student imports what OpenSSL made', () => {
  let made: { leaf: string; leafKey: string; ca: string };

  beforeAll(() => {
    const caKey = file('ossl-ca.key');
    const ca = file('ossl-ca.pem');
    opensslOk(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', ca, '-subj', '/CN=OpenSSL Class CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE']);
    const leafKey = file('ossl-leaf.key');
    opensslOk(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', leafKey, '-out', file('ossl-leaf.csr'), '-subj', '/CN=leaf.lab']);
    fs.writeFileSync(file('ossl-ext.cnf'), 'subjectAltName=DNS:leaf.lab\n');
    const leaf = file('ossl-leaf.pem');
    opensslOk(['x509', '-req', '-in', file('ossl-leaf.csr'), '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', leaf, '-days', '30', '-extfile', file('ossl-ext.cnf')]);
    made = { leaf, leafKey, ca };
  });

  it('--name names the certificate with the key, not the CA of the chain that comes with it', async () => {
    opensslOk(['pkcs12', '-export', '-in', made.leaf, '-inkey', made.leafKey, '-certfile', made.ca, '-passout', 'pass:pw', '-out', file('ossl-chain.p12')]);
    const dataDir = path.join(tmp, 'named');
    const out = await ok(dataDir, ['import', file('ossl-chain.p12'), '--passphrase-file', await passFile('pw'), '--name', 'my-server']);
    expect(out).toContain('my-server: CN=leaf.lab (with its key)');
    expect(out).toContain('OpenSSL Class CA: CN=OpenSSL Class CA');
  });

  it('a PEM that openssl pkcs12 -nodes took out of a PKCS#12 keeps the friendly names', async () => {
    opensslOk(['pkcs12', '-export', '-in', made.leaf, '-inkey', made.leafKey, '-certfile', made.ca, '-name', 'web server', '-caname', 'class root', '-passout', 'pass:pw', '-out', file('ossl-named.p12')]);
    const pem = file('ossl-named.pem');
    opensslOk(['pkcs12', '-in', file('ossl-named.p12'), '-passin', 'pass:pw', '-nodes', '-out', pem]);
    expect(fs.readFileSync(pem, 'utf8')).toContain('friendlyName: web server');
    const out = await ok(path.join(tmp, 'from-pem'), ['import', pem]);
    expect(out).toContain('web server: CN=leaf.lab (with its key)');
    expect(out).toContain('class root: CN=OpenSSL Class CA');
  });
});

describe('an OpenSSL capath folder handed out, then added to', () => {
  it('a CA made again with the same name goes in as HASH.1 next to the old HASH.0; writing the same CA again adds nothing', async () => {
    const capath = file('capath');
    const first = JSON.parse(await ok(teacher, ['trust-dir', capath, 'lab:Class CA', '--json'])) as { written: string[] };
    expect(first.written.map((f) => path.basename(f))).toEqual([expect.stringMatching(/^[0-9a-f]{8}\.0$/)]);
    const hash = path.basename(first.written[0]).slice(0, 8);

    // Next year's teacher makes the CA again: same subject, new key, same subject hash.
    const nextYear = path.join(tmp, 'next-year');
    await ok(nextYear, ['ca', 'create', 'Class CA', '--cn', 'Bank32 Trust Services', '--o', 'Lab']);
    await ok(nextYear, ['cert', 'issue', '--ca', 'Class CA', '--cn', 'www.bank32.com', '--out-cert', file('next-year-server.pem')]);
    const second = JSON.parse(await ok(nextYear, ['trust-dir', capath, 'lab:Class CA', '--json'])) as { written: string[] };
    expect(second.written.map((f) => path.basename(f))).toEqual([`${hash}.1`]);
    const again = JSON.parse(await ok(teacher, ['trust-dir', capath, 'lab:Class CA', '--json'])) as { written: string[] };
    expect(again.written.map((f) => path.basename(f))).toEqual([`${hash}.0`]);
    expect(fs.readdirSync(capath).sort()).toEqual([`${hash}.0`, `${hash}.1`]);

    // OpenSSL trusts both years' servers through the one folder.
    await ok(teacher, ['cert', 'export', 'bank-server', '--out', file('this-year-server.pem')]);
    expect(opensslOk(['verify', '-CApath', capath, file('this-year-server.pem')])).toContain(': OK');
    expect(opensslOk(['verify', '-CApath', capath, file('next-year-server.pem')])).toContain(': OK');
  });
});

describe('session hand-out', () => {
  it('a bundle, a key log and a HAR are mode 0600 and the command says what private thing each holds', async () => {
    await ok(teacher, ['cert', 'export', 'bank-server', '--format', 'chain', '--out', file('server-chain.pem')]);
    peer = await startOpensslServer(file('server-chain.pem'), file('plain.key'), ['-www']);
    const client = await run(teacher, ['client', `www.bank32.com:${peer.port}`, '--connect-to', '127.0.0.1', '--ca', file('class-ca.pem'), '--get', '/', '--json']);
    expect(client.status).toBe(0);
    const id = (JSON.parse(client.stdout) as { sessionId: number }).sessionId;

    const bundle = await ok(teacher, ['sessions', 'export', String(id), '--format', 'bundle', '--out', file('lesson.tlslab')]);
    expect(bundle).toMatch(/holds the session's secrets: whoever has it can decrypt the recorded traffic/);
    expect(mode('lesson.tlslab')).toBe(0o600);
    const json = JSON.parse(await ok(teacher, ['sessions', 'export', String(id), '--format', 'keylog', '--out', file('lesson.keys'), '--json'])) as { secret: boolean };
    expect(json.secret).toBe(true);
    expect(mode('lesson.keys')).toBe(0o600);
    const certificates = await ok(teacher, ['sessions', 'export', String(id), '--format', 'pem', '--out', file('lesson-certs.pem')]);
    expect(certificates).not.toMatch(/secrets/);
    // A HAR holds no keys, but the decrypted requests and answers: private all the same.
    const har = await ok(teacher, ['sessions', 'export', String(id), '--format', 'har', '--out', file('lesson.har')]);
    expect(har).toMatch(/holds the decrypted requests and answers in clear/);
    expect(har).not.toMatch(/secrets/);
    expect(mode('lesson.har')).toBe(0o600);
    const harJson = JSON.parse(await ok(teacher, ['sessions', 'export', String(id), '--format', 'har', '--out', file('lesson2.har'), '--json'])) as { secret: boolean; plaintext: boolean };
    expect(harJson).toMatchObject({ secret: false, plaintext: true });

    // The student opens it and reads the traffic: the key log travels in the bundle.
    const imported = JSON.parse(await ok(student, ['sessions', 'import', file('lesson.tlslab'), '--json'])) as { id: number; keylogLines: number };
    expect(imported.keylogLines).toBeGreaterThan(0);
    const shown = await ok(student, ['sessions', 'show', String(imported.id), '--decrypt']);
    expect(shown).toContain('GET / HTTP/1.1');
  });

  it('export --tag: every session of a lab in one hand-out, oldest first, and one clear line when no session has the tag', async () => {
    const second = await run(teacher, ['client', `www.bank32.com:${peer!.port}`, '--connect-to', '127.0.0.1', '--ca', file('class-ca.pem'), '--get', '/', '--json']);
    expect(second.status).toBe(0);
    const listed = JSON.parse(await ok(teacher, ['sessions', 'list', '--json'])) as { id: number }[];
    const ids = listed.map((s) => s.id).sort((a, b) => a - b).slice(-2);
    for (const id of ids) await ok(teacher, ['sessions', 'tag', String(id), 'lab-1']);

    const written = await ok(teacher, ['sessions', 'export', '--tag', 'lab-1', '--format', 'bundle', '-o', file('lab-1.tlslab')]);
    expect(written).toContain('a hand-out of 2 sessions');
    expect(written.indexOf(`session ${ids[0]}`)).toBeLessThan(written.indexOf(`session ${ids[1]}`));
    const imported = await ok(path.join(tmp, 'tagged-student'), ['sessions', 'import', file('lab-1.tlslab')]);
    expect(imported).toMatch(/Show them with: tlslab .*sessions show \d+ \(and \d+\)/);

    const untagged = await run(teacher, ['sessions', 'export', '--tag', 'lab-9', '--format', 'bundle', '-o', file('lab-9.tlslab')]);
    expect(untagged.status).toBe(1);
    expect(untagged.stderr).toContain('no session has the tag lab-9; tag them first (tlslab sessions tag ID lab-9)');
    expect(fs.existsSync(file('lab-9.tlslab'))).toBe(false);
    const one = await run(teacher, ['sessions', 'export', '--tag', 'lab-1', '--format', 'pcapng', '-o', file('lab-1.pcapng')]);
    expect(one.stderr).toContain('--format pcapng holds one session and 2 were given (with --tag lab-1): use --format bundle');
    const nothing = await run(teacher, ['sessions', 'export', '--format', 'bundle', '-o', file('none.tlslab')]);
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toContain('give the session numbers to export, or --tag TAG');
  });
});

describe('what a student who forgets a step is told', () => {
  it('ca export --help says which file a student trusts and which one another workbench signs with', async () => {
    const help = (await run(teacher, ['ca', 'export', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('the PEM is what clients trust');
    expect(help).toContain('(tlslab proxy --ca) needs its key: --format p12 --with-key');
  });

  it('the other files of a hand-out given to tlslab import (a bundle, a key log, the capath folder) are each told where they go', async () => {
    const dataDir = path.join(tmp, 'mixed-up');
    const bundle = await run(dataDir, ['import', file('lesson.tlslab')]);
    expect(bundle.status).not.toBe(0);
    expect(bundle.stderr).toContain('"lesson.tlslab" is a TLS Lab session bundle');
    expect(bundle.stderr).toContain('tlslab sessions import lesson.tlslab');
    const keylog = await run(dataDir, ['import', file('lesson.keys')]);
    expect(keylog.stderr).toContain('"lesson.keys" is a TLS key log (SSLKEYLOGFILE)');
    expect(keylog.stderr).toContain('--keylog lesson.keys');
    const folder = await run(dataDir, ['import', file('capath')]);
    expect(folder.stderr).toContain('A trust folder of HASH.0 files is used as it is');
    const files = fs.readdirSync(file('capath')).map((name) => path.join(file('capath'), name));
    expect(await ok(dataDir, ['import', ...files])).toContain('Bank32 Trust Services');
  });

  it('a PKCS#12 imported without its password: the error says how to give it', async () => {
    const result = await run(path.join(tmp, 'forgetful'), ['import', file('bank.p12')]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/protected by a password/);
    expect(result.stderr).toMatch(/Pass it with --passphrase-file FILE/);
  });

  it('signing with a CA whose key was not handed out: the error names the PKCS#12 way to bring the key', async () => {
    const dataDir = path.join(tmp, 'certificate-only');
    await ok(dataDir, ['import', file('class-ca.pem')]);
    const result = await run(dataDir, ['cert', 'forge', 'www.bank32.com', '--ca', 'Bank32 Trust Services', '--out-cert', file('f.pem'), '--out-key', file('f.key')]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/no private key for "Bank32 Trust Services" \(only its certificate is here\)/);
    expect(result.stderr).toMatch(/a PKCS#12 file that holds it/);
  });

  it('an empty passphrase file for a PKCS#12 with an empty password: told that none is needed, and it imports without one', async () => {
    const made = file('ossl-empty.p12');
    opensslOk(['pkcs12', '-export', '-in', file('ossl-leaf.pem'), '-inkey', file('ossl-leaf.key'), '-passout', 'pass:', '-out', made]);
    fs.writeFileSync(file('empty.txt'), '');
    const dataDir = path.join(tmp, 'empty-password');
    const refused = await run(dataDir, ['import', made, '--passphrase-file', file('empty.txt')]);
    expect(refused.stderr).toMatch(/opens without --passphrase-file/);
    expect(await ok(dataDir, ['import', made])).toContain('leaf.lab: CN=leaf.lab (with its key)');
  });
});

async function passFile(passphrase: string): Promise<string> {
  const name = file(`pass-${passphrase}.txt`);
  fs.writeFileSync(name, `${passphrase}\n`);
  return name;
}
