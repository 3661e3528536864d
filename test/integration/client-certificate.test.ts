// The workbench's client presenting a certificate of its own (client authentication), judged by
// openssl s_server -Verify -verify_return_error (which prints the certificate it got in its page)
// and by the workbench's own server requiring one from a workshop CA.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientSessionRequest, SessionDetail } from '../../src-main/api/types';
import { serverTryCommand } from '../../src-main/api/tryIt';
import { Workbench } from '../../src-main/workbench';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { run } from '../support/run';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';
import { loopbackGet } from '../support/clientRequest';
import { waitUntil } from '../support/waitUntil';

let pki: ServerTestPki;
let wb: Workbench;
let dataDir: string;
const peers: RunningPeer[] = [];

beforeAll(async () => {
  pki = await makeServerPki();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-client-cert-'));
  wb = new Workbench({ dataDir });
});

afterAll(async () => {
  await wb?.close();
  for (const peer of peers) await peer.stop();
});

/** openssl s_server that requires a client certificate from the test's client CA and ends the handshake on a bad one. */
async function requiringServer(): Promise<RunningPeer> {
  const peer = await startOpensslServer(pki.rsa.cert, pki.rsa.key, ['-www', '-Verify', '1', '-verify_return_error', '-CAfile', pki.clientCaCert]);
  peers.push(peer);
  return peer;
}

const request = (port: number, overrides: Partial<ClientSessionRequest> = {}): ClientSessionRequest => loopbackGet('localhost', port, pki.caCert, overrides);

const notes = (s: SessionDetail) => s.connections[0].timeline.filter((e) => e.kind === 'note').map((e) => (e as { text: string }).text);

describe('a client certificate', () => {
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version}: a server that requires one lets the client in with one from its CA, and the session keeps it`, async () => {
      const peer = await requiringServer();
      const s = await wb.runClient(request(peer.port, { maxVersion: version, clientCertificate: { kind: 'files', certPath: pki.client.cert, keyPath: pki.client.key } }));
      expect(s.status).toBe('ok');
      expect(s.version).toBe(version);
      // s_server -www prints the client certificate it received in its page.
      expect(s.response?.text).toContain('Client certificate');
      expect(s.response?.text).toContain('CN=alice');
      expect(s.connections[0].localCertificates.map((c) => c.subject)).toEqual(['CN=alice, O=TLS Lab students']);
      expect(notes(s).some((n) => n.startsWith('client certificate: CN=alice'))).toBe(true);
      // The server's CertificateRequest names the CA it wants (TLS 1.3: encrypted, read from the key log).
      const [conn] = await wb.decryptSession({ id: s.id });
      expect(conn.handshake.find((m) => m.name === 'CertificateRequest')?.summary).toBe('asks the client for a certificate from CN=Client Lab CA');
    });

    it(`${version}: without one, the session says the server asked for a client certificate`, async () => {
      const peer = await requiringServer();
      const s = await wb.runClient(request(peer.port, { maxVersion: version }));
      expect(s.status).toBe('failed');
      expect(s.error?.code).toBe('CLIENT_CERTIFICATE_REQUIRED');
      expect(s.error?.message).toContain('the server asked for a client certificate and this client had none to send');
      expect(s.error?.message).toContain(version === 'TLSv1.3' ? '"certificate_required"' : '"handshake_failure"');
    });

    it(`${version}: with one from a CA the server does not trust, the session says it refused the certificate`, async () => {
      const peer = await requiringServer();
      const s = await wb.runClient(request(peer.port, { maxVersion: version, clientCertificate: { kind: 'files', certPath: pki.strangerClient.cert, keyPath: pki.strangerClient.key } }));
      expect(s.status).toBe('failed');
      expect(s.error?.code).toBe('CLIENT_CERTIFICATE_REFUSED');
      expect(s.error?.message).toContain('"unknown_ca": it does not trust the CA that issued it');
    });
  }

  it('a key passphrase opens an encrypted key and is not kept with the session; a wrong one is one clear error', async () => {
    const peer = await requiringServer();
    const spec = { kind: 'files' as const, certPath: pki.rsa.cert, keyPath: pki.encryptedKey };
    const opened = await wb.runClient(request(peer.port, { clientCertificate: { ...spec, keyPassphrase: 'lab-secret' } }));
    // The key opened: the certificate was offered (a server certificate, which this server refuses as a client's).
    expect(opened.error?.code).toBe('CLIENT_CERTIFICATE_REFUSED');
    expect(opened.connections[0].localCertificates).toHaveLength(1);
    const row = wb.sessions.getSession(opened.id);
    expect(JSON.stringify(row?.request)).not.toContain('lab-secret');
    expect(fs.readFileSync(path.join(dataDir, 'workbench.sqlite')).includes('lab-secret')).toBe(false);

    const wrong = await wb.runClient(request(peer.port, { clientCertificate: { ...spec, keyPassphrase: 'not-it' } }));
    expect(wrong.status).toBe('failed');
    expect(wrong.error?.message).toMatch(/passphrase/);
  });

  it('a replay asks again for the passphrase of an encrypted key file: without it one clear error, with it the same answer', async () => {
    const peer = await requiringServer();
    const encrypted = path.join(dataDir, 'alice-encrypted.key');
    await run('openssl', ['pkey', '-in', pki.client.key, '-aes256', '-passout', 'pass:lab-secret', '-out', encrypted]);
    const spec = { kind: 'files' as const, certPath: pki.client.cert, keyPath: encrypted, keyPassphrase: 'lab-secret' };
    const original = await wb.runClient(request(peer.port, { clientCertificate: spec }));
    expect(original.status).toBe('ok');

    const without = await wb.replay.replayClient({ id: original.id });
    expect(without.error?.code).toBe('PASSPHRASE_REQUIRED');
    const withIt = await wb.replay.replayClient({ id: original.id, tls: { clientKeyPassphrase: 'lab-secret' } });
    expect(withIt.replay.status).toBe('ok');
    expect(withIt.replayed.httpStatus).toBe('HTTP/1.0 200 ok');
    expect(fs.readFileSync(path.join(dataDir, 'workbench.sqlite')).includes('lab-secret')).toBe(false);

    const bin = path.resolve(__dirname, '..', '..', 'bin', 'tlslab.mjs');
    const noFile = await run(process.execPath, [bin, '--data-dir', dataDir, 'replay', String(original.id)]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain("the original's client key is encrypted and a recording does not keep passphrases: give it with --key-passphrase-file FILE");
    const passFile = path.join(dataDir, 'pass.txt');
    fs.writeFileSync(passFile, 'lab-secret\n');
    const withFile = await run(process.execPath, [bin, '--data-dir', dataDir, 'replay', String(original.id), '--key-passphrase-file', passFile]);
    expect(withFile.code).toBe(0);
    expect(withFile.stdout).toMatch(/session \d+ ok/);
  });

  it('from the workshop (lab:NAME), to the workbench server that requires one from the workshop CA', async () => {
    await wb.workshop.createCa({ name: 'Students CA', subject: '/O=TLS Lab/CN=Students CA', key: 'ec:P-256' });
    await wb.workshop.issue({ ca: 'Students CA', name: 'bob', subject: { CN: 'bob' }, profile: 'client', key: 'ec:P-256' });
    const server = await wb.servers.start({
      port: 0,
      identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key },
      clientAuth: { ca: { kind: 'lab', name: 'Students CA' }, require: true },
    });
    try {
      const s = await wb.runClient(request(server.port, { clientCertificate: { kind: 'lab', name: 'bob' } }));
      expect(s.status).toBe('ok');
      expect(s.response?.text).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(s.connections[0].localCertificates.map((c) => c.subject)).toEqual(['CN=bob', 'O=TLS Lab, CN=Students CA']);
      // The server's own session of the same connection shows the client it let in.
      await wb.writer.written();
      const serverSide = wb.listSessions(20).find((x) => x.kind === 'server' && x.target === server.address);
      expect((await wb.session(serverSide!.id)).server?.clientCertificate?.subject).toBe('CN=bob');
      // A replay presents the same certificate, and the server answers it the same.
      const replay = await wb.replay.replayClient({ id: s.id });
      expect(replay.replay.status).toBe('ok');
      expect(replay.diff.identical).toBe(true);

      // The server card's try-it command works as printed, with client.pem as tlslab cert export writes it.
      const bin = path.resolve(__dirname, '..', '..', 'bin', 'tlslab.mjs');
      const here = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-client-cert-try-'));
      await run(process.execPath, [bin, '--data-dir', dataDir, 'cert', 'export', 'bob', '--format', 'pem', '--with-key', '--out', path.join(here, 'client.pem')]);
      fs.copyFileSync(pki.caCert, path.join(here, 'ca.pem')); // the CA of this server's own certificate
      const command = serverTryCommand({ ...server, names: [{ name: null, certificate: { subjectAltNames: ['DNS:localhost'] }, chainLength: 1 }] } as never).split(' ');
      expect(command).toContain('--cert');
      const curl = await run(command[0], ['-sS', ...command.slice(1)], { cwd: here });
      expect(curl.stderr).toBe('');
      expect(curl.stdout).toMatch(/^<!doctype html>/i);

      // A certificate from the right CA, but made for a server: the server's session says so.
      await wb.workshop.issue({ ca: 'Students CA', name: 'students-www', subject: { CN: 'www.students.lab' }, key: 'ec:P-256' });
      const wrongKind = await wb.runClient(request(server.port, { clientCertificate: { kind: 'lab', name: 'students-www' } }));
      expect(wrongKind.status).toBe('failed');
      // The server's session ends once it has seen the client go, after its alert reached the client.
      const refused = await waitUntil(`a failed session for the server on ${server.address}`, async () => {
        await wb.writer.written();
        return wb.listSessions(50).find((x) => x.kind === 'server' && x.target === server.address && x.status === 'failed');
      });
      expect(wrongKind.error?.message).toContain('unsupported_certificate');
      expect(refused.error?.message).toContain("the client's certificate is not for client authentication (its extended key usage lacks clientAuth)");
    } finally {
      await wb.servers.stop(server.id);
    }
  });

  it('tlslab client --cert/--key presents it and prints it; a missing key file is one clear line', async () => {
    const peer = await requiringServer();
    const bin = path.resolve(__dirname, '..', '..', 'bin', 'tlslab.mjs');
    const base = ['--data-dir', dataDir, 'client', `localhost:${peer.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--get', '/'];
    const ok = await run(process.execPath, [bin, ...base, '--cert', pki.client.cert, '--key', pki.client.key]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Client certificate (presented when the server asks for one):\n  [0] subject: CN=alice, O=TLS Lab students');
    const json = await run(process.execPath, [bin, ...base, '--identity', 'lab:bob', '--json']);
    // bob (from the workshop test above) is not from this server's client CA: refused, and said so.
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as { clientCertificates: { subject: string }[]; error: { code: string } };
    expect(result.clientCertificates.map((c) => c.subject)).toEqual(['CN=bob', 'O=TLS Lab, CN=Students CA']);
    expect(result.error.code).toBe('CLIENT_CERTIFICATE_REFUSED');
    const missing = await run(process.execPath, [bin, ...base, '--cert', pki.client.cert, '--key', path.join(dataDir, 'nope.key')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('nope.key does not exist');
    const half = await run(process.execPath, [bin, ...base, '--cert', pki.client.cert]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('a client certificate takes both --cert FILE and --key FILE');
  });
});
