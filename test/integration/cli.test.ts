// The tlslab command as a script would use it: real process, real exit codes, --json.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tlslab.mjs');
let pki: TestPki;
let server: RunningPeer;
let dataDir: string;

function tlslab(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  pki = makeTestPki();
  server = await startOpensslServer(pki.serverCert, pki.serverKey);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-cli-'));
});
afterAll(async () => server?.stop());

describe('tlslab client', () => {
  it('prints what the lab client prints and exits 0 on success', () => {
    const r = tlslab(['client', `www.bank32.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--get', '/', '--data-dir', dataDir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Version: TLSv1\.3/);
    expect(r.stdout).toMatch(/Cipher: +TLS_AES_\d+_GCM_SHA\d+ \(OpenSSL: TLS_AES/);
    expect(r.stdout).toContain('subject: CN=www.bank32.com');
    expect(r.stdout).toContain('Verification: verified');
    expect(r.stdout).toContain('HTTP/1.0 200 ok');
  });

  it('an https:// URL pasted from a browser fetches its path', () => {
    const r = tlslab(['client', `https://www.bank32.com:${server.port}/`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--data-dir', dataDir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('HTTP/1.0 200 ok');
    const plain = tlslab(['client', `http://www.bank32.com:${server.port}/`, '--data-dir', dataDir]);
    expect(plain.status).not.toBe(0);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    expect(plain.stderr).toContain('uses http://, and the workbench\'s client speaks TLS');
  });

  it('output piped into a reader that stops early (| head) ends quietly, without an EPIPE stack trace', async () => {
    const www = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-cli-www-'));
    fs.writeFileSync(path.join(www, 'big.txt'), 'a'.repeat(3_000_000));
    const big = await startOpensslServer(pki.serverCert, pki.serverKey, ['-WWW'], { cwd: www });
    try {
      const run = tlslab(['client', `www.bank32.com:${big.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--get', '/big.txt', '--json', '--data-dir', dataDir]);
      const id = (JSON.parse(run.stdout) as { sessionId: number }).sessionId;
      // The shell's `| head -1`: read one line, then close the pipe.
      const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" sessions show ${id} --decrypt --data-dir "${dataDir}" | head -1`], { encoding: 'utf8', timeout: 60_000 });
      expect(piped.stdout).toMatch(/^connection \d+ \(client\): \d+ protected records/);
      expect(piped.stderr).not.toMatch(/EPIPE|Unhandled|node:events/);
    } finally {
      await big.stop();
      fs.rmSync(www, { recursive: true, force: true });
    }
  });

  it('hosts set keeps a name, an internationalised one as clients send it, and says so', () => {
    const set = tlslab(['hosts', 'set', 'Bücher.example', '127.0.0.1', '--data-dir', dataDir]);
    expect(set.status).toBe(0);
    expect(set.stdout).toBe('Bücher.example (kept as xn--bcher-kva.example) -> 127.0.0.1\n');
    expect(tlslab(['hosts', 'list', '--data-dir', dataDir]).stdout).toContain('127.0.0.1\txn--bcher-kva.example');
    expect(tlslab(['hosts', 'set', 'www.bank32.com', '127.0.0.1', '--data-dir', dataDir]).stdout).toBe('www.bank32.com -> 127.0.0.1\n');
  });

  it('--json gives one object with the session id, version, cipher, verified, error and certificates', () => {
    const r = tlslab(['client', `www.bank32.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--max-version', 'TLSv1.2', '--json', '--data-dir', dataDir]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sessionId).toBeGreaterThan(0);
    expect(out.version).toBe('TLSv1.2');
    expect(out.cipher.openssl).toMatch(/ECDHE-RSA-AES(128|256)-GCM-SHA(256|384)/);
    expect(out.verified).toBe(true);
    expect(out.error).toBeNull();
    expect(out.peerCertificates[0].subject).toBe('CN=www.bank32.com');
  });

  it('exits non-zero with the verification reason on one line', () => {
    const r = tlslab(['client', `www.example.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--get', '/', '--data-dir', dataDir]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tlslab: not verified: hostname mismatch.*www\.bank32\.com.*\(recorded as session \d+\); .*--no-check-hostname/);
    // The report on stdout says it once, as the verification result, not again as an error line.
    expect(r.stdout.match(/hostname mismatch/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/^Verification: not verified: hostname mismatch/m);
    expect(r.stdout).not.toMatch(/^Error:/m);
    // No empty response: it says the request never went out.
    expect(r.stdout).toMatch(/^Request not sent: the session failed before it could go out\.$/m);
    expect(r.stdout).not.toContain('Response (');
    const id = /session (\d+)\)/.exec(lines[0])![1];
    const shown = tlslab(['sessions', 'show', id, '--data-dir', dataDir]).stdout;
    // `sessions show`: the header's verification line is the error; no second line repeats it.
    expect(shown).toMatch(/^Verification: not verified: hostname mismatch/m);
    expect(shown).not.toMatch(/^Error:/m);
  });

  it('a refused connection: the report on stdout, the reason once, on stderr', () => {
    const r = tlslab(['client', 'www.bank32.com:1', '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--data-dir', dataDir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^Session \d+ \(client\) www\.bank32\.com:1 -> 127\.0\.0\.1:1: failed$/m);
    expect(r.stdout).not.toMatch(/refused/i);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tlslab: .*refused.*\(recorded as session \d+\)$/m);
    const id = /session (\d+)\)$/m.exec(r.stderr)![1];
    expect(tlslab(['sessions', 'show', id, '--data-dir', dataDir]).stdout).toMatch(/^Error: .*refused/im);
  });

  it('a name nothing resolves: one line with the two ways to give it an address, and the first one works', () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-cli-hosts-'));
    const args = ['client', `lab-site.invalid:${server.port}`, '--ca', pki.caCert, '--no-check-hostname', '--data-dir', own];
    const r = tlslab(args);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(
      /^tlslab: the name lab-site\.invalid does not resolve to an address \(recorded as session \d+\); give it one with tlslab --data-dir \S+ hosts set lab-site\.invalid 127\.0\.0\.1 \(the workbench's \/etc\/hosts\), or add --connect-to 127\.0\.0\.1 to this command$/,
    );
    // The window's words ("connect to" field) are not what a terminal user reads.
    expect(r.stderr).not.toContain('"connect to"');
    expect(tlslab(['hosts', 'set', 'lab-site.invalid', '127.0.0.1', '--data-dir', own]).status).toBe(0);
    const again = tlslab(args);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    fs.rmSync(own, { recursive: true, force: true });
  });

  it('--no-check-hostname lets the same mismatch through', () => {
    const r = tlslab(['client', `www.example.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--no-check-hostname', '--json', '--data-dir', dataDir]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).verification.summary).toContain('hostname check off');
  });

  it('reads the data folder from TLSLAB_HOME and lists sessions newest first', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-home-'));
    tlslab(['client', `www.bank32.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert], { TLSLAB_HOME: home });
    tlslab(['client', `www.bank32.com:1`, '--connect-to', '127.0.0.1', '--ca', pki.caCert], { TLSLAB_HOME: home });
    const list = JSON.parse(tlslab(['sessions', 'list', '--json'], { TLSLAB_HOME: home }).stdout);
    expect(list).toHaveLength(2);
    expect(list[0].status).toBe('failed');
    expect(list[1].status).toBe('ok');
    expect(fs.existsSync(path.join(home, 'workbench.sqlite'))).toBe(true);
  });

  it('sessions show prints records with direction, type, names and lengths, the key log and PEM', () => {
    const id = JSON.parse(tlslab(['client', `www.bank32.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--max-version', 'TLSv1.2', '--json', '--data-dir', dataDir]).stdout).sessionId;
    const r = tlslab(['sessions', 'show', String(id), '--data-dir', dataDir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/#1 +C->S +Handshake +TLS 1\.[02] +\d+ +ClientHello/);
    expect(r.stdout).toMatch(/S->C +Handshake +TLS 1\.2 +\d+ +ServerHello/);
    expect(r.stdout).toMatch(/CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}/);
    expect(r.stdout).toContain('-----BEGIN CERTIFICATE-----');
    const json = JSON.parse(tlslab(['sessions', 'show', String(id), '--json', '--data-dir', dataDir]).stdout);
    expect(json.connections[0].timeline.some((e: { kind: string }) => e.kind === 'record')).toBe(true);
  });

  it('a usage error and an unknown session each give one clear line', () => {
    const bad = tlslab(['client', 'www.bank32.com', '--max-version', 'TLSv9', '--data-dir', dataDir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('use TLSv1.2 or TLSv1.3');
    const missing = tlslab(['sessions', 'show', '424242', '--data-dir', dataDir]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe('tlslab: there is no session 424242; list the sessions to see their numbers');
  });
});
