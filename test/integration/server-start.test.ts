// A server that cannot start says why and what to do; the CLI runs one until SIGTERM and prints
// a line per connection.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ServerConfig } from '../../src-main/api/serverTypes';
import { loopbackHost } from '../../src-main/sessions/tlsServer';
import { Workbench } from '../../src-main/workbench';
import { freePort } from '../support/ports';
import { run } from '../support/run';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';

const BIN = path.resolve('bin/tlslab.mjs');
let pki: ServerTestPki;
let wb: Workbench;
let dataDir: string;

beforeAll(async () => {
  pki = await makeServerPki();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-server-start-'));
  wb = new Workbench({ dataDir });
});

afterAll(async () => {
  await wb?.close();
});

function files(overrides: Partial<Extract<ServerConfig['identity'], { kind: 'files' }>> = {}): ServerConfig['identity'] {
  return { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key, ...overrides };
}

async function startError(config: Partial<ServerConfig>): Promise<{ code: string; message: string }> {
  try {
    await wb.servers.start({ port: 0, identity: files(), ...config });
  } catch (err) {
    const e = err as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error('the server started');
}

describe('failures to start', () => {
  it('port in use', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const e = await startError({ port });
    blocker.close();
    expect(e.code).toBe('PORT_IN_USE');
    expect(e.message).toBe(`port ${port} on 127.0.0.1 is already in use (another server, or one still running from before); stop it, or choose another port such as 4433`);
    expect(wb.servers.list().some((s) => s.port === port)).toBe(false);
  });

  it("port in use by one of this workbench's own servers: names it", async () => {
    const port = await freePort();
    const first = await wb.servers.start({ port, identity: files(), label: 'bank' });
    try {
      const e = await startError({ port });
      expect(e.code).toBe('PORT_IN_USE');
      expect(e.message).toBe(`port ${port} on 127.0.0.1 is already in use by this workbench's server 'bank'; stop or restart that one, or choose another port such as 4433`);
    } finally {
      await wb.servers.stop(first.id);
    }
  });

  it('a group OpenSSL does not know: one clear error, and the next server still loads its key', async () => {
    const e = await startError({ groups: 'X25519:nope' });
    expect(e.code).toBe('BAD_GROUPS');
    expect(e.message).toBe('the group list "X25519:nope" has a name OpenSSL does not know; use names like X25519, P-256, P-384');
    // OpenSSL kept an error from the refusal, which Node reported from the next key it read.
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(crypto.createPrivateKey({ key: privateKey.export({ format: 'der', type: 'pkcs8' }), format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('ec');
    const next = await wb.servers.start({ port: 0, identity: files() });
    expect(next.status).toBe('running');
    await wb.servers.stop(next.id);
  });

  it('a non-loopback address', async () => {
    const e = await startError({ host: '0.0.0.0' });
    expect(e.code).toBe('NOT_LOOPBACK');
    expect(e.message).toContain('use --host 127.0.0.1');
    // The replay server's address comes from --listen, and its refusal says so.
    expect(() => loopbackHost('0.0.0.0', '--listen')).toThrow(/"0\.0\.0\.0" is not one: use --listen 127\.0\.0\.1:PORT$/);
  });

  it('key not matching the certificate', async () => {
    const e = await startError({ identity: files({ keyPath: pki.bank.key }) });
    expect(e.code).toBe('KEY_MISMATCH');
    expect(e.message).toMatch(/^the server: the key does not match the certificate/);
  });

  it('wrong passphrase, missing passphrase, right passphrase', async () => {
    const wrong = await startError({ identity: files({ keyPath: pki.encryptedKey, keyPassphrase: 'nope' }) });
    expect(wrong.code).toBe('WRONG_PASSPHRASE');
    expect(wrong.message).toContain('the server: the passphrase does not open this private key');
    const missing = await startError({ identity: files({ keyPath: pki.encryptedKey }) });
    expect(missing.code).toBe('PASSPHRASE_REQUIRED');
    const ok = await wb.servers.start({ port: 0, identity: files({ keyPath: pki.encryptedKey, keyPassphrase: 'lab-secret' }) });
    expect(ok.status).toBe('running');
    expect(JSON.stringify(wb.servers.list())).not.toContain('lab-secret');
    await wb.servers.stop(ok.id);
  });

  it('missing SNI certificate file', async () => {
    const e = await startError({ sni: [{ name: 'www.example.lab', identity: files({ certPath: '/nonexistent/example.crt' }) }] });
    expect(e.code).toBe('FILE_NOT_FOUND');
    expect(e.message).toBe('the certificate file for www.example.lab /nonexistent/example.crt does not exist; check the path');
  });

  it('a cipher list OpenSSL does not know', async () => {
    const e = await startError({ ciphers: 'NOT-A-CIPHER' });
    expect(e.code).toBe('BAD_CIPHER_LIST');
  });

  // Below 1024 needs a privilege only where the kernel says so (containers often let anyone bind
  // from 0); as root the CLI is run as nobody, otherwise as the user running the tests.
  const sysctl = '/proc/sys/net/ipv4/ip_unprivileged_port_start';
  const unprivilegedFrom = fs.existsSync(sysctl) ? Number(fs.readFileSync(sysctl, 'utf8')) : 1024;
  it.skipIf(unprivilegedFrom <= 443)(`privileged port without the privilege (the CLI as an unprivileged user)${unprivilegedFrom <= 443 ? ` (skipped: any user may listen from port ${unprivilegedFrom} here)` : ''}`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-nobody-'));
    fs.chmodSync(dir, 0o777);
    for (const f of [pki.rsa.cert, pki.rsa.key]) fs.chmodSync(f, 0o644);
    fs.chmodSync(pki.dir, 0o755);
    const cli = [process.execPath, BIN, '--data-dir', dir, 'server', '--port', '443', '--cert', pki.rsa.cert, '--key', pki.rsa.key];
    const asNobody = process.getuid?.() === 0;
    const out = await run(asNobody ? 'setpriv' : cli[0], asNobody ? ['--reuid=65534', '--regid=65534', '--clear-groups', ...cli] : cli.slice(1), {
      env: { ...process.env, HOME: dir },
    });
    fs.chmodSync(pki.rsa.key, 0o600);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe('tlslab: port 443 is below 1024 and only an administrator may listen on it; use --port 4433 (and https://NAME:4433/ in the client) instead');
  });
});

function startCli(args: string[], dir = dataDir): Promise<{ child: ChildProcessWithoutNullStreams; lines: string[]; next: () => Promise<string> }> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dir, 'server', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buffer = '';
  let read = 0;
  child.stdout.on('data', (d) => {
    buffer += d;
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
      waiters.shift()?.(lines[read++]);
    }
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      if (read < lines.length) return resolve(lines[read++]);
      waiters.push(resolve);
      child.once('exit', () => reject(new Error(`tlslab server exited: ${stderr}`)));
    });
  return Promise.resolve({ child, lines, next });
}

describe('tlslab server', () => {
  it('serves until SIGTERM and prints one line per connection', async () => {
    const port = await freePort();
    const { child, next } = await startCli(['--port', String(port), '--cert', pki.rsa.cert, '--key', pki.encryptedKey, '--key-passphrase-file', writePassphrase(),
      '--sni', `www.example.lab=${pki.example.cert}:${pki.example.key}`]);
    expect(await next()).toBe(`listening on https://127.0.0.1:${port}/ (stop with Ctrl-C)`);
    expect(await next()).toMatch(/^ {2}default: CN=localhost \(issuer CN=Server Lab Root CA, O=TLS Lab\)$/);
    expect(await next()).toMatch(/^ {2}www\.example\.lab: CN=www\.example\.lab/);
    // Its CA is not in the workbench: the try-it lines say which certificate ca.pem must be.
    expect(await next()).toBe('  try it:');
    expect(await next()).toBe('    (ca.pem is the certificate of the CA that issued it, CN=Server Lab Root CA, O=TLS Lab; that CA is not in the workbench.)');
    expect(await next()).toBe(`    curl --cacert ca.pem --resolve localhost:${port}:127.0.0.1 https://localhost:${port}/`);
    const curl = await run('curl', ['-sS', '--cacert', pki.caCert, '--resolve', `www.example.lab:${port}:127.0.0.1`, `https://www.example.lab:${port}/`]);
    expect(curl.stdout).toContain('<h1>www.example.lab</h1>');
    expect(await next()).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+  sni=www\\.example\\.lab  TLSv1\\.3  TLS_AES_\\S+  ok \\(1 request\\)  session \\d+$`));
    await run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'www.bank32.com', '-CAfile', pki.otherCaCert, '-verify_return_error', '-tls1_2'], { input: '' });
    expect(await next()).toMatch(/sni=www\.bank32\.com {2}- {2}- {2}FAILED: the client ended the handshake with the alert "unknown_ca"/);
    child.kill('SIGTERM');
    expect(await next()).toBe('stopped (SIGTERM) after 2 connections, 1 failed');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('a certificate issued into the workbench alone serves at once, and the printed try-it commands work as they are', async () => {
    const cli = (...args: string[]) => run(process.execPath, [BIN, '--data-dir', dataDir, ...args]);
    expect((await cli('ca', 'create', 'Try Root')).code).toBe(0);
    // No --out-cert or --out-key: the certificate and its key stay in the workbench.
    const issued = await cli('cert', 'issue', '--ca', 'Try Root', '--cn', 'www.try.test');
    expect(issued.code).toBe(0);
    expect(issued.stdout).toContain('kept in the workbench with its key, as "www.try.test"');
    // The commands it suggests carry this workbench's --data-dir, so that they find what it made.
    expect(issued.stdout).toContain(`serve it: tlslab --data-dir ${dataDir} server --identity lab:www.try.test`);
    expect(issued.stdout).toContain(`write it to files: tlslab --data-dir ${dataDir} cert export www.try.test --format pem --with-key --out FILE`);
    const json = JSON.parse((await cli('cert', 'issue', '--ca', 'Try Root', '--cn', 'client one', '--client', '--json')).stdout);
    expect(json).toMatchObject({ certificate: { name: 'client one', kind: 'client' }, certificateFile: null, keyFile: null });

    const port = await freePort();
    const { child, next } = await startCli(['--port', String(port), '--identity', 'lab:www.try.test']);
    expect(await next()).toBe(`listening on https://127.0.0.1:${port}/ (stop with Ctrl-C)`);
    expect(await next()).toMatch(/^ {2}default: CN=www\.try\.test \(issuer CN=Try Root, chain of 2\)$/);
    expect(await next()).toBe('  try it:');
    const exportLine = await next();
    expect(exportLine).toBe(`    tlslab --data-dir ${dataDir} ca export 'Try Root' --out ca.pem`);
    const curlLine = await next();
    expect(curlLine).toBe(`    curl --cacert ca.pem --resolve www.try.test:${port}:127.0.0.1 https://www.try.test:${port}/`);
    // Both lines, run by a shell exactly as printed (tlslab being this checkout's command).
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-try-it-'));
    const script = `tlslab() { "${process.execPath}" "${BIN}" "$@"; }\n${exportLine.trim()} >/dev/null && ${curlLine.trim()} -sS`;
    const shell = await run('sh', ['-c', script], { cwd });
    expect(shell.stderr).toBe('');
    expect(shell.stdout).toContain('<html');
    expect(fs.readFileSync(path.join(cwd, 'ca.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(await next()).toMatch(/sni=www\.try\.test {2}TLSv1\.3 .* ok \(1 request\)/);
    child.kill('SIGTERM');
    expect(await next()).toBe('stopped (SIGTERM) after 1 connection, 0 failed');
  });

  it('the "Start here" commands of tlslab --help work as printed, one after the other (on another port)', async () => {
    const help = (await run(process.execPath, [BIN, '--help'])).stdout;
    const start = help.slice(help.indexOf('Start here'));
    const commands = [...start.matchAll(/^ {2}(tlslab .*?)(?: {2,}.*)?$/gm)].map((m) => m[1].trim());
    expect(commands.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual([
      'tlslab ca create', 'tlslab cert issue', 'tlslab server --identity', 'tlslab client www.bank32.com:4433', 'tlslab sessions list', 'tlslab engine',
    ]);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-start-here-'));
    const sh = (line: string) => run('sh', ['-c', `tlslab() { "${process.execPath}" "${BIN}" --data-dir "${home}" "$@"; }\n${line}`]);
    for (const line of commands.slice(0, 2)) expect((await sh(line)).code).toBe(0);
    const port = await freePort();
    const words = commands[2].split(' ').slice(2);
    const { child, next } = await startCli([...words, '--port', String(port)], home);
    expect(await next()).toBe(`listening on https://127.0.0.1:${port}/ (stop with Ctrl-C)`);
    const client = await sh(commands[3].replace(':4433', `:${port}`));
    expect(client.stderr).toBe('');
    expect(client.stdout).toMatch(/^Verification: verified: trusted chain, hostname matches$/m);
    expect(client.stdout).toContain('Bank32');
    expect((await sh(commands[4])).stdout).toMatch(/client +ok +TLSv1\.3 +www\.bank32\.com:\d+/);
    child.kill('SIGTERM');
  });

  it('a self-signed certificate with its name in the CN only: the try-it command uses that name and trusts the certificate itself, and works as printed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-self-signed-'));
    const made = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '30', '-subj', '/CN=www.selfsigned.test']);
    expect(made.code).toBe(0);
    const port = await freePort();
    const { child, next } = await startCli(['--port', String(port), '--cert', path.join(dir, 'cert.pem'), '--key', path.join(dir, 'key.pem')]);
    // A failed expectation must not leave the server running.
    onTestFinished(() => void child.kill('SIGTERM'));
    expect(await next()).toBe(`listening on https://127.0.0.1:${port}/ (stop with Ctrl-C)`);
    expect(await next()).toBe('  default: CN=www.selfsigned.test (issuer CN=www.selfsigned.test)');
    expect(await next()).toBe('  try it:');
    expect(await next()).toBe("    (ca.pem is the server's certificate itself (CN=www.selfsigned.test): it is self-signed, so it is its own CA.)");
    const curlLine = (await next()).trim();
    expect(curlLine).toBe(`curl --cacert ca.pem --resolve www.selfsigned.test:${port}:127.0.0.1 https://www.selfsigned.test:${port}/`);
    // As the hint says: the certificate saved as ca.pem, and the command run as printed.
    fs.copyFileSync(path.join(dir, 'cert.pem'), path.join(dir, 'ca.pem'));
    const shell = await run('sh', ['-c', `${curlLine} -sS`], { cwd: dir });
    expect(shell.stderr).toBe('');
    expect(shell.stdout).toContain('<html');
    expect(await next()).toMatch(/sni=www\.selfsigned\.test {2}TLSv1\.3 .* ok \(1 request\)/);
    child.kill('SIGTERM');
    expect(await next()).toBe('stopped (SIGTERM) after 1 connection, 0 failed');
  });

  it('--json prints one JSON object per line', async () => {
    const port = await freePort();
    const { child, next } = await startCli(['--port', String(port), '--cert', pki.rsa.cert, '--key', pki.rsa.key, '--echo', '--json']);
    const listening = JSON.parse(await next());
    expect(listening).toMatchObject({ event: 'listening', server: { address: `127.0.0.1:${port}`, status: 'running', config: { responder: { kind: 'echo' } } } });
    await run('curl', ['-sS', '--cacert', pki.caCert, `https://localhost:${port}/x`]);
    const connection = JSON.parse(await next());
    expect(connection).toMatchObject({ event: 'connection', sni: 'localhost', version: 'TLSv1.3', outcome: 'ok', requests: 1, error: null });
    child.kill('SIGINT');
    expect(JSON.parse(await next())).toEqual({ event: 'stopped', signal: 'SIGINT', connections: 1, failed: 0 });
  });

  it('an encrypted key without a passphrase file and no terminal is a clear error', async () => {
    const out = await run(process.execPath, [BIN, '--data-dir', dataDir, 'server', '--port', '0', '--cert', pki.rsa.cert, '--key', pki.encryptedKey]);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe(`tlslab: the key ${pki.encryptedKey} is encrypted; give its passphrase with --key-passphrase-file FILE (or run in a terminal to be asked)`);
  });
});

function writePassphrase(): string {
  const file = path.join(pki.dir, 'passphrase.txt');
  fs.writeFileSync(file, 'lab-secret\n', { mode: 0o600 });
  return file;
}
