// The certificate workshop from the command line, with OpenSSL, curl and Python's ssl as judges.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, tlslabInProcess } from '../support/cliInProcess';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { openssl, opensslOk } from './pki/openssl';
import { WAIT_DEADLINE_MS } from '../support/waitUntil';

let dataDir: string;
let work: string;

/** Runs tlslab in this process against the test's data folder, capturing what it prints. */
const tlslab = (args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> => tlslabInProcess(dataDir, args, env);

async function ok(args: string[], env: Record<string, string | undefined> = {}): Promise<string> {
  const run = await tlslab(args, env);
  if (run.status !== 0) throw new Error(`tlslab ${args.join(' ')} exited ${run.status}: ${run.stderr}${run.stdout}`);
  return run.stdout;
}

function file(name: string): string {
  return path.join(work, name);
}

function python(script: string, args: string[]): { status: number; out: string } {
  const run = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: run.status ?? -1, out: `${run.stdout}${run.stderr}` };
}

const PY_CLIENT = `
import socket, ssl, sys
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
assert ctx.check_hostname
with socket.create_connection(('127.0.0.1', port)) as raw:
    with ctx.wrap_socket(raw, server_hostname=host) as tls:
        print('OK', tls.version(), tls.getpeercert()['subject'])
`;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-workshop-cli-'));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-workshop-files-'));
});

describe('every key type: a workbench CA and a server certificate that OpenSSL accepts', () => {
  for (const key of ['rsa:2048', 'rsa:3072', 'rsa:4096', 'ec:P-256', 'ec:P-384', 'ed25519']) {
    it(`${key}: openssl verify -CAfile passes and x509 -text shows the SANs and usages asked for`, async () => {
      const tag = key.replace(':', '-');
      await ok(['ca', 'create', `Root ${tag}`, '--subject', `/C=US/O=Model CA LTD./CN=Root ${tag}`, '--key', key]);
      await ok(['ca', 'export', `Root ${tag}`, '--out', file(`${tag}-ca.pem`)]);
      await ok([
        'cert', 'issue', '--ca', `Root ${tag}`, '--cn', `www.${tag}.test`, '--key', key,
        '--san', `DNS:www.${tag}.test,DNS:*.api.${tag}.test,IP:127.0.0.1,email:admin@${tag}.test`,
        '--out-cert', file(`${tag}.pem`), '--out-key', file(`${tag}.key`),
      ]);
      expect(opensslOk(['verify', '-CAfile', file(`${tag}-ca.pem`), file(`${tag}.pem`)])).toContain(': OK');
      const text = opensslOk(['x509', '-in', file(`${tag}.pem`), '-noout', '-text']);
      expect(text).toContain(`DNS:www.${tag}.test`);
      expect(text).toContain(`DNS:*.api.${tag}.test`);
      expect(text).toContain('IP Address:127.0.0.1');
      expect(text).toContain(`email:admin@${tag}.test`);
      expect(text).toContain('TLS Web Server Authentication');
      expect(text).toMatch(/Key Usage: critical\n\s+Digital Signature/);
      expect(fs.statSync(file(`${tag}.key`)).mode & 0o777).toBe(0o600);
      // The key on disk belongs to the certificate.
      const certKey = opensslOk(['x509', '-in', file(`${tag}.pem`), '-noout', '-pubkey']);
      const keyPub = opensslOk(['pkey', '-in', file(`${tag}.key`), '-pubout']);
      expect(keyPub).toBe(certKey);
    });
  }

  it('a client certificate carries clientAuth and overridden usages as asked', async () => {
    await ok(['cert', 'issue', '--ca', 'Root ec-P-256', '--cn', 'student1', '--client', '--key-usage', 'digitalSignature,keyAgreement', '--out-cert', file('client.pem'), '--out-key', file('client.key')]);
    const text = opensslOk(['x509', '-in', file('client.pem'), '-noout', '-text']);
    expect(text).toContain('TLS Web Client Authentication');
    expect(text).toContain('Digital Signature, Key Agreement');
    expect(opensslOk(['verify', '-purpose', 'sslclient', '-CAfile', file('ec-P-256-ca.pem'), file('client.pem')])).toContain(': OK');
  });
});

describe('a chain through an intermediate', () => {
  it('verifies with -untrusted, and the tree lists the intermediate under its root with what it issued', async () => {
    await ok(['ca', 'create', 'Chain Root', '--cn', 'Chain Root', '--o', 'Lab', '--key', 'ec:P-384', '--pathlen', '1']);
    await ok(['ca', 'create', 'Chain Issuing', '--subject', '/O=Lab/CN=Chain Issuing CA', '--parent', 'Chain Root', '--pathlen', '0']);
    await ok(['cert', 'issue', '--ca', 'Chain Issuing', '--cn', 'www.bank32.com', '--out-cert', file('bank.pem'), '--out-key', file('bank.key'), '--chain-out', file('bank-chain.pem')]);
    await ok(['ca', 'export', 'Chain Root', '--out', file('chain-root.pem')]);
    await ok(['ca', 'export', 'Chain Issuing', '--out', file('chain-issuing.pem')]);
    expect(opensslOk(['verify', '-CAfile', file('chain-root.pem'), '-untrusted', file('chain-issuing.pem'), file('bank.pem')])).toContain(': OK');
    expect(openssl(['verify', '-CAfile', file('chain-root.pem'), file('bank.pem')]).status).not.toBe(0);
    expect(opensslOk(['x509', '-in', file('chain-issuing.pem'), '-noout', '-text'])).toMatch(/CA:TRUE, pathlen:0/);
    const tree = JSON.parse(await ok(['ca', 'list', '--json']));
    const root = tree.cas.find((c: { name: string }) => c.name === 'Chain Root');
    expect(root.children[0].name).toBe('Chain Issuing');
    expect(root.children[0].issued.map((c: { name: string }) => c.name)).toEqual(['www.bank32.com']);
    expect(tree.keyProtection.status).toBe('not-protected');
    expect(await ok(['ca', 'list'])).toMatch(/NOT protected.*\("tlslab passphrase set"\)/);
  });
});

describe('name constraints', () => {
  it('a CA limited to .lab.test: openssl accepts a leaf inside and refuses one outside', async () => {
    await ok(['ca', 'create', 'Constrained', '--cn', 'Constrained CA', '--key', 'ec:P-256', '--permit', 'DNS:.lab.test']);
    await ok(['ca', 'export', 'Constrained', '--out', file('constrained.pem')]);
    expect(opensslOk(['x509', '-in', file('constrained.pem'), '-noout', '-text'])).toMatch(/Name Constraints: critical\n\s+Permitted:\n\s+DNS:\.lab\.test/);
    await ok(['cert', 'issue', '--ca', 'Constrained', '--cn', 'www.lab.test', '--out-cert', file('inside.pem'), '--out-key', file('inside.key')]);
    await ok(['cert', 'issue', '--ca', 'Constrained', '--cn', 'www.bank32.com', '--name', 'outside', '--out-cert', file('outside.pem'), '--out-key', file('outside.key')]);
    expect(opensslOk(['verify', '-CAfile', file('constrained.pem'), file('inside.pem')])).toContain(': OK');
    const outside = openssl(['verify', '-CAfile', file('constrained.pem'), file('outside.pem')]);
    expect(outside.status).not.toBe(0);
    expect(outside.stdout + outside.stderr).toContain('permitted subtree violation');
  });
});

describe('serving a workbench certificate', () => {
  let server: RunningPeer;
  beforeAll(async () => {
    await ok(['ca', 'create', 'Serve Root', '--cn', 'Serve Root CA']);
    await ok(['ca', 'export', 'Serve Root', '--out', file('serve-ca.pem')]);
    await ok(['cert', 'issue', '--ca', 'Serve Root', '--cn', 'www.bank32.com', '--san', 'DNS:www.bank32.com', '--out-cert', file('serve.pem'), '--out-key', file('serve.key')]);
    server = await startOpensslServer(file('serve.pem'), file('serve.key'));
  });
  afterAll(async () => server?.stop());

  it('curl --cacert accepts it', () => {
    const run = spawnSync('curl', ['-sS', '--cacert', file('serve-ca.pem'), '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, `https://www.bank32.com:${server.port}/`], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('s_server');
  });

  it("Python's ssl accepts it with check_hostname on, and refuses another name", () => {
    const good = python(PY_CLIENT, ['www.bank32.com', String(server.port), file('serve-ca.pem')]);
    expect(good.out).toContain('OK');
    const bad = python(PY_CLIENT, ['www.example.com', String(server.port), file('serve-ca.pem')]);
    expect(bad.status).not.toBe(0);
    expect(bad.out).toMatch(/Hostname mismatch|doesn't match/);
  });

  it('tlslab client --ca lab:NAME trusts the workbench CA', async () => {
    const run = await tlslab(['client', `www.bank32.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', 'lab:Serve Root', '--json']);
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.verified).toBe(true);
    const other = await tlslab(['client', `www.bank32.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', 'lab:Chain Root']);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/not verified/);
    // The one error line names the workbench CA that did issue it, and the flag that trusts it.
    expect(other.stderr.trim().split('\n')).toHaveLength(1);
    expect(other.stderr).toContain(`the certificate was issued by this workbench's CA "Serve Root", which the trust store does not hold; if that is the CA you mean to trust (and not a man in the middle's), add --ca 'lab:Serve Root'`);
    const system = await tlslab(['client', `www.bank32.com:${server.port}`, '--connect-to', '127.0.0.1']);
    expect(system.status).toBe(1);
    expect(system.stderr).toContain(`--ca 'lab:Serve Root'`);
    // Flags that take a CA's name accept the lab:NAME form the trust-store flags use.
    expect(await ok(['cert', 'issue', '--ca', 'lab:Serve Root', '--cn', 'lab-form.bank32.com'])).toMatch(/^Issued "lab-form\.bank32\.com": CN=lab-form\.bank32\.com by CN=Serve Root/);
    const missing = await tlslab(['client', `www.bank32.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', 'lab:No Such CA']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no certificate or CA named "No Such CA"');
  });
});

describe('CSRs', () => {
  it('an openssl req CSR with SANs is signed with its extensions copied, and not copied without the flag', async () => {
    opensslOk([
      'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('req.key'), '-out', file('req.csr'),
      '-subj', '/O=Bank/CN=shop.bank32.com', '-addext', 'subjectAltName=DNS:shop.bank32.com,DNS:pay.bank32.com,IP:10.0.0.7',
    ]);
    const signed = JSON.parse(await ok(['csr', 'sign', file('req.csr'), '--ca', 'Serve Root', '--copy-extensions', '--out', file('req.pem'), '--json']));
    expect(signed.copiedExtensions).toContain('2.5.29.17');
    expect(signed.extensionNames['2.5.29.17']).toBe('subjectAltName');
    const text = opensslOk(['x509', '-in', file('req.pem'), '-noout', '-text']);
    expect(text).toContain('DNS:shop.bank32.com, DNS:pay.bank32.com, IP Address:10.0.0.7');
    expect(opensslOk(['verify', '-CAfile', file('serve-ca.pem'), file('req.pem')])).toContain(': OK');
    await ok(['csr', 'sign', file('req.csr'), '--ca', 'Serve Root', '--out', file('req-nocopy.pem'), '--name', 'shop without copy']);
    const plain = opensslOk(['x509', '-in', file('req-nocopy.pem'), '-noout', '-text']);
    expect(plain).not.toContain('pay.bank32.com');
  });

  it('a workbench CSR is signed by openssl x509 -req', async () => {
    await ok(['csr', 'create', '--cn', 'api.bank32.com', '--san', 'DNS:api.bank32.com', '--key', 'ec:P-256', '--out-csr', file('wb.csr'), '--out-key', file('wb.key')]);
    expect(fs.statSync(file('wb.key')).mode & 0o777).toBe(0o600);
    opensslOk(['req', '-in', file('wb.csr'), '-noout', '-verify']);
    opensslOk(['req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ossl-ca.key'), '-out', file('ossl-ca.pem'), '-subj', '/CN=OpenSSL CA', '-days', '2']);
    opensslOk(['x509', '-req', '-in', file('wb.csr'), '-CA', file('ossl-ca.pem'), '-CAkey', file('ossl-ca.key'), '-CAcreateserial', '-out', file('wb.pem'), '-days', '2', '-copy_extensions', 'copy']);
    expect(opensslOk(['x509', '-in', file('wb.pem'), '-noout', '-text'])).toContain('DNS:api.bank32.com');
    expect(opensslOk(['verify', '-CAfile', file('ossl-ca.pem'), file('wb.pem')])).toContain(': OK');
    const shown = JSON.parse(await ok(['csr', 'show', file('wb.csr'), '--json']));
    expect(shown.kind).toBe('csr');
    expect(shown.signatureValid).toBe(true);
  });

  it('csr show and cert show say an empty file is empty', async () => {
    fs.writeFileSync(file('empty.csr'), '');
    for (const command of ['csr', 'cert']) {
      const run = await tlslab([command, 'show', file('empty.csr')]);
      expect(run.status).not.toBe(0);
      expect(run.stderr.trim()).toMatch(/^tlslab: (The certificate signing request file|"empty.csr") is empty: there is (nothing to read|no certificate or CSR to show)\. Check that you chose the right file\.$/);
    }
  });
});

describe('show, hash, verify, trust-dir', () => {
  it('cert hash prints the hash alone, as openssl does (both hashes)', async () => {
    expect(await ok(['cert', 'hash', file('serve.pem')])).toBe(opensslOk(['x509', '-in', file('serve.pem'), '-noout', '-subject_hash']));
    expect(await ok(['cert', 'hash', file('serve.pem'), '--old'])).toBe(opensslOk(['x509', '-in', file('serve.pem'), '-noout', '-subject_hash_old']));
  });

  it('cert show explains each field and gives fingerprints, hashes and the ASN.1 tree in JSON', async () => {
    const text = await ok(['cert', 'show', file('serve.pem')]);
    expect(text).toContain('Serial number:');
    expect(text).toMatch(/SHA-256 fingerprint: [0-9A-F:]{95}/);
    const json = JSON.parse(await ok(['cert', 'show', file('serve.pem'), '--json']));
    const fp = opensslOk(['x509', '-in', file('serve.pem'), '-noout', '-fingerprint', '-sha256']).trim().split('=')[1];
    expect(json.fingerprints.sha256.toUpperCase()).toBe(fp);
    expect(json.asn1.children.length).toBe(3);
    expect(json.fields.every((f: { explanation: string }) => f.explanation.length > 0)).toBe(true);
  });

  it('cert verify names each check, and the failing one for a hostname mismatch and a later moment', async () => {
    const good = JSON.parse(await ok(['cert', 'verify', file('serve.pem'), '--trust', file('serve-ca.pem'), '--host', 'www.bank32.com', '--json']));
    expect(good.ok).toBe(true);
    expect(good.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['signature', 'validity', 'hostname']));
    const wrongHost = await tlslab(['cert', 'verify', file('serve.pem'), '--trust', 'lab:Serve Root', '--host', 'www.example.com']);
    expect(wrongHost.status).toBe(1);
    expect(wrongHost.stdout).toMatch(/FAIL hostname/);
    expect(wrongHost.stdout).toContain('www.bank32.com');
    const later = JSON.parse((await tlslab(['cert', 'verify', file('bank.pem'), '--trust', file('chain-root.pem'), '--chain', file('bank-chain.pem'), '--at', '2200-01-01T00:00:00Z', '--json'])).stdout);
    expect(later.ok).toBe(false);
    expect(later.failed.name).toBe('validity');
  });

  it("trust-dir writes hash links that Python's capath accepts; without the link it fails", async () => {
    const dir = file('capath');
    const written = JSON.parse(await ok(['trust-dir', dir, 'lab:Serve Root', '--json'])).written as string[];
    const hash = opensslOk(['x509', '-in', file('serve-ca.pem'), '-noout', '-subject_hash']).trim();
    expect(written.map((f) => path.basename(f))).toEqual([`${hash}.0`]);
    const server = await startOpensslServer(file('serve.pem'), file('serve.key'));
    try {
      const script = `
import socket, ssl, sys
ctx = ssl.create_default_context()
ctx.load_verify_locations(capath=sys.argv[2])
with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as raw:
    with ctx.wrap_socket(raw, server_hostname='www.bank32.com') as tls:
        print('OK', tls.version())
`;
      expect(python(script, [String(server.port), dir]).out).toContain('OK');
      fs.renameSync(path.join(dir, `${hash}.0`), path.join(dir, 'ca.pem'));
      const without = python(script, [String(server.port), dir]);
      expect(without.status).not.toBe(0);
      expect(without.out).toContain('CERTIFICATE_VERIFY_FAILED');
    } finally {
      await server.stop();
    }
  });
});

describe('exports', () => {
  it('a PKCS#12 with chain opens with openssl pkcs12 -info -passin; an encrypted key opens with openssl pkey -passin; both 0600', async () => {
    fs.writeFileSync(file('p12pass'), 'p12 secret\n');
    await ok(['cert', 'export', 'www.bank32.com', '--format', 'p12', '--with-key', '--passphrase-file', file('p12pass'), '--out', file('bank.p12')]);
    const info = opensslOk(['pkcs12', '-info', '-in', file('bank.p12'), '-passin', 'pass:p12 secret', '-nodes']);
    expect(info.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    expect(info).toContain('PRIVATE KEY');
    expect(fs.statSync(file('bank.p12')).mode & 0o777).toBe(0o600);
    await ok(['cert', 'export', 'www.bank32.com', '--format', 'key', '--passphrase-file', file('p12pass'), '--out', file('bank-enc.key')]);
    expect(fs.readFileSync(file('bank-enc.key'), 'utf8')).toContain('ENCRYPTED PRIVATE KEY');
    opensslOk(['pkey', '-in', file('bank-enc.key'), '-passin', 'pass:p12 secret', '-noout']);
    expect(fs.statSync(file('bank-enc.key')).mode & 0o777).toBe(0o600);
  });

  it("takes the window's and the API's format names too: chain-pem is chain, key-pem is key", async () => {
    await ok(['cert', 'export', 'www.bank32.com', '--format', 'chain-pem', '--out', file('bank-chain-alias.pem')]);
    await ok(['cert', 'export', 'www.bank32.com', '--format', 'chain', '--out', file('bank-chain.pem')]);
    expect(fs.readFileSync(file('bank-chain-alias.pem'), 'utf8')).toBe(fs.readFileSync(file('bank-chain.pem'), 'utf8'));
    expect(fs.readFileSync(file('bank-chain.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)!.length).toBeGreaterThan(1);
    await ok(['cert', 'export', 'www.bank32.com', '--format', 'key-pem', '--out', file('bank-alias.key')]);
    expect(fs.readFileSync(file('bank-alias.key'), 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(fs.statSync(file('bank-alias.key')).mode & 0o777).toBe(0o600);
  });

  it('an existing world-readable file gets mode 0600 when a key is exported over it', async () => {
    fs.writeFileSync(file('old.key'), 'old', { mode: 0o644 });
    fs.chmodSync(file('old.key'), 0o644);
    await ok(['ca', 'export', 'Serve Root', '--with-key', '--out', file('old.key')]);
    expect(fs.statSync(file('old.key')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file('old.key'), 'utf8')).toMatch(/BEGIN CERTIFICATE[\s\S]+BEGIN PRIVATE KEY/);
  });

  it('"-" writes to standard output, and the message goes to standard error', async () => {
    const run = await tlslab(['ca', 'export', 'Serve Root', '--out', '-']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    fs.writeFileSync(file('from-stdout.pem'), run.stdout);
    expect(opensslOk(['x509', '-in', file('from-stdout.pem'), '-noout', '-subject'])).toContain('Serve Root CA');
    expect(run.stderr).toBe('Wrote standard output\n');
  });

  it('a link is written through: the file it points to gets the export (0600 for a key), the link stays', async () => {
    fs.writeFileSync(file('linked-real.key'), 'old', { mode: 0o644 });
    fs.symlinkSync(file('linked-real.key'), file('linked.key'));
    await ok(['ca', 'export', 'Serve Root', '--with-key', '--out', file('linked.key')]);
    expect(fs.lstatSync(file('linked.key')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(file('linked-real.key'), 'utf8')).toMatch(/BEGIN CERTIFICATE[\s\S]+BEGIN PRIVATE KEY/);
    expect(fs.statSync(file('linked-real.key')).mode & 0o777).toBe(0o600);
  });

  it('a pipe (as /dev/stdout is) is written into, not replaced by a file', async () => {
    const fifo = file('out.fifo');
    spawnSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let read = '';
    reader.stdout.on('data', (d: Buffer) => (read += d.toString()));
    const ended = new Promise<void>((resolve) => reader.once('close', () => resolve()));
    // Should the pipe be replaced, cat would wait for a writer forever: it is stopped then.
    const guard = setTimeout(() => reader.kill(), WAIT_DEADLINE_MS);
    try {
      const run = await tlslab(['cert', 'issue', '--ca', 'Serve Root', '--cn', 'piped.lab.test', '--out-cert', fifo, '--out-key', file('piped.key')]);
      expect(run.status).toBe(0);
      await ended;
      expect(fs.statSync(fifo).isFIFO()).toBe(true);
      expect(read).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('Issued "piped.lab.test"');
    } finally {
      clearTimeout(guard);
      reader.kill();
    }
  });

  it('a DER export is what openssl reads with -inform DER', async () => {
    await ok(['ca', 'export', 'Serve Root', '--format', 'der', '--out', file('serve-ca.der')]);
    expect(opensslOk(['x509', '-inform', 'DER', '-in', file('serve-ca.der'), '-noout', '-subject'])).toContain('Serve Root CA');
  });
});

describe('bad input: one clear error each, nothing half written', () => {
  it('not PEM', async () => {
    fs.writeFileSync(file('junk.txt'), 'hello, this is not a certificate\n');
    const run = await tlslab(['cert', 'show', file('junk.txt')]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/not PEM|not a certificate/i);
    const imported = await tlslab(['import', file('junk.txt')]);
    expect(imported.status).toBe(1);
    expect(imported.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('truncated DER', async () => {
    const der = fs.readFileSync(file('serve-ca.der'));
    fs.writeFileSync(file('cut.der'), der.subarray(0, der.length - 40));
    const run = await tlslab(['cert', 'hash', file('cut.der')]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/truncated|cut off|ends|short/i);
  });

  it('a key that does not match: no pair, nothing kept', async () => {
    opensslOk(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file('stray.key')]);
    const before = JSON.parse(await ok(['ca', 'list', '--json']));
    const run = JSON.parse(await ok(['import', file('stray.key'), '--json']));
    expect(run.keysMatched).toBe(0);
    expect(run.keysUnmatched).toBe(1);
    expect(JSON.parse(await ok(['ca', 'list', '--json']))).toEqual(before);
  });

  it('a wrong passphrase for an encrypted key', async () => {
    opensslOk(['genrsa', '-aes256', '-passout', 'pass:right one', '-out', file('enc.key'), '2048']);
    fs.writeFileSync(file('wrongpass'), 'wrong one\n');
    const run = await tlslab(['import', file('enc.key'), '--passphrase-file', file('wrongpass')]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/passphrase/i);
  });

  it('an unsupported key type', async () => {
    const run = await tlslab(['ca', 'create', 'Weak', '--key', 'rsa:1024']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/rsa:2048/);
    const dsa = await tlslab(['cert', 'issue', '--ca', 'Serve Root', '--cn', 'x', '--key', 'dsa', '--out-cert', file('x.pem'), '--out-key', file('x.key')]);
    expect(dsa.status).toBe(2);
    expect(fs.existsSync(file('x.pem'))).toBe(false);
  });

  it('an output that cannot be written leaves no file and no certificate behind', async () => {
    const before = JSON.parse(await ok(['ca', 'list', '--json']));
    const run = await tlslab(['cert', 'issue', '--ca', 'Serve Root', '--cn', 'half.bank32.com', '--out-cert', file('half.pem'), '--out-key', path.join(work, 'missing-folder', 'half.key')]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('folder does not exist');
    expect(fs.existsSync(file('half.pem'))).toBe(false);
    expect(fs.readdirSync(work).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(await ok(['ca', 'list', '--json']))).toEqual(before);
  });
});

describe('the workbench passphrase on the command line', () => {
  it('keys cannot be used without it (one clear error) and work with TLSLAB_PASSPHRASE or --workbench-passphrase-file', async () => {
    fs.writeFileSync(file('wbpass'), 'class of 2026 lab\n');
    expect(await ok(['passphrase', 'set', '--passphrase-file', file('wbpass')])).toContain('encrypted with the workbench passphrase');
    expect(await ok(['passphrase', 'status'])).toContain('locked');
    const locked = await tlslab(['cert', 'issue', '--ca', 'Serve Root', '--cn', 'locked.bank32.com', '--out-cert', file('locked.pem'), '--out-key', file('locked.key')], { TLSLAB_PASSPHRASE: undefined });
    expect(locked.status).toBe(1);
    expect(locked.stderr.trim().split('\n')).toHaveLength(1);
    expect(locked.stderr).toContain('workbench passphrase');
    expect(fs.existsSync(file('locked.pem'))).toBe(false);
    const wrong = await tlslab(['ca', 'export', 'Serve Root', '--with-key', '--out', file('wrong.pem')], { TLSLAB_PASSPHRASE: 'nope' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('workbench passphrase is wrong');
    await ok(['cert', 'issue', '--ca', 'Serve Root', '--cn', 'locked.bank32.com', '--out-cert', file('locked.pem'), '--out-key', file('locked.key')], { TLSLAB_PASSPHRASE: 'class of 2026 lab' });
    await ok(['ca', 'export', 'Serve Root', '--format', 'key', '--out', file('serve-root.key'), '--workbench-passphrase-file', file('wbpass')]);
    expect(opensslOk(['verify', '-CAfile', file('serve-ca.pem'), file('locked.pem')])).toContain(': OK');
    expect(await ok(['about'])).toMatch(/Keys: private keys are encrypted/);
  });
});
