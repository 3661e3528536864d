// Client certificates, resumption and a client that rejects the certificate, as the server
// session records them, judged by openssl s_client.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig, ServerConnectionSummary, ServerInfo } from '../../src-main/api/serverTypes';
import { formatConnection } from '../../src-main/cli/serverCommand';
import { formatSessionDetail } from '../../src-main/cli/format';
import type { SessionDetail, TlsRecordEntry } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { interactiveSClient, startOpensslServer } from '../support/opensslServer';
import { run } from '../support/run';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';
import { isSessionOf } from '../support/serverSessions';
import { waitUntil } from '../support/waitUntil';

let pki: ServerTestPki;
let wb: Workbench;

beforeAll(async () => {
  pki = await makeServerPki();
  wb = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-server-hs-')) });
});

afterAll(async () => {
  await wb?.close();
});

function start(config: Partial<ServerConfig> = {}): Promise<ServerInfo> {
  return wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key }, ...config });
}

const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

function sClient(server: ServerInfo, args: string[], input = GET) {
  return run('openssl', ['s_client', '-connect', server.address, '-servername', 'localhost', '-ign_eof', ...args], { input });
}

async function sessionsOf(server: ServerInfo, count: number): Promise<SessionDetail[]> {
  const found = await waitUntil(`${count} finished session(s) for ${server.address}`, () => {
    const finished = wb.listSessions(100).filter((s) => isSessionOf(s, server) && s.status !== 'running');
    return finished.length >= count ? finished : null;
  });
  return Promise.all(found.reverse().map((s) => wb.session(s.id)));
}

function messages(s: SessionDetail, direction: TlsRecordEntry['direction']): string[] {
  return s.connections[0].timeline
    .filter((e): e is TlsRecordEntry => e.kind === 'record' && e.direction === direction)
    .flatMap((r) => r.messages);
}

describe('client certificates', () => {
  for (const version of ['-tls1_2', '-tls1_3']) {
    it(`required (${version}): a client without one fails and the session says why`, async () => {
      const server = await start({ clientAuth: { ca: { kind: 'file', path: pki.clientCaCert }, require: true } });
      const out = await sClient(server, ['-CAfile', pki.caCert, version]);
      expect(out.output).not.toContain('Bank32');
      const [s] = await sessionsOf(server, 1);
      expect(s.status).toBe('failed');
      expect(s.error?.code).toBe('CLIENT_CERT_MISSING');
      expect(s.error?.message).toContain('the client sent no certificate');
      expect(s.error?.message).toContain('client-ca.crt');
      expect(messages(s, 'server-to-client')).toContain(version === '-tls1_2' ? 'CertificateRequest' : 'ServerHello');
      await wb.servers.stop(server.id);
      // What the server asked for stays with the session once the server is gone.
      expect(s.server?.clientCertificatePolicy).toBe('required');
      expect(formatSessionDetail(await wb.session(s.id))).toContain('client certificate: none sent, and this server requires one');
    });
  }

  it('required: a client with a certificate from the CA succeeds and the session shows it', async () => {
    const server = await start({ clientAuth: { ca: { kind: 'file', path: pki.clientCaCert }, require: true } });
    const out = await sClient(server, ['-CAfile', pki.caCert, '-verify_return_error', '-cert', pki.client.cert, '-key', pki.client.key]);
    expect(out.output).toContain('Verify return code: 0 (ok)');
    expect(out.output).toContain('HTTP/1.1 200 OK');
    const [s] = await sessionsOf(server, 1);
    expect(s.status).toBe('ok');
    expect(s.server?.clientCertificate?.subject).toBe('CN=alice, O=TLS Lab students');
    expect(s.server?.clientCertificateAuthorized).toBe(true);
    expect(s.connections[0].peerCertificates[0].subject).toBe('CN=alice, O=TLS Lab students');
    expect(s.verification?.accepted).toBe(true);
    expect(s.verification?.summary).toContain('verified against');
    await wb.servers.stop(server.id);
  });

  it('required: a certificate from another CA is refused and the session names the reason', async () => {
    const server = await start({ clientAuth: { ca: { kind: 'file', path: pki.clientCaCert }, require: true } });
    const out = await sClient(server, ['-CAfile', pki.caCert, '-tls1_2', '-cert', pki.strangerClient.cert, '-key', pki.strangerClient.key]);
    expect(out.output).not.toContain('HTTP/1.1 200 OK');
    const [s] = await sessionsOf(server, 1);
    expect(s.status).toBe('failed');
    expect(s.server?.clientCertificate?.subject).toBe('CN=mallory');
    expect(s.server?.clientCertificateAuthorized).toBe(false);
    expect(s.error?.code).toBe('CLIENT_CERT_REJECTED');
    await wb.servers.stop(server.id);
  });

  for (const version of ['-tls1_2', '-tls1_3']) {
    it(`required (${version}): a certificate from another CA gets the client the alert an OpenSSL server sends, and openssl s_client names it`, async () => {
      const stranger = ['-CAfile', pki.caCert, version, '-cert', pki.strangerClient.cert, '-key', pki.strangerClient.key];
      const alertIn = (output: string) => /(?:tlsv1|sslv3|tlsv13) alert ([a-z ]+)/.exec(output)?.[1].trim() ?? null;
      const reference = await startOpensslServer(pki.rsa.cert, pki.rsa.key, ['-www', '-Verify', '1', '-verify_return_error', '-CAfile', pki.clientCaCert]);
      let expected: string | null;
      try {
        expected = alertIn((await run('openssl', ['s_client', '-connect', `127.0.0.1:${reference.port}`, '-servername', 'localhost', '-ign_eof', ...stranger], { input: GET })).output);
      } finally {
        await reference.stop();
      }
      expect(expected).toBe('unknown ca');
      const server = await start({ clientAuth: { ca: { kind: 'file', path: pki.clientCaCert }, require: true } });
      const out = await sClient(server, stranger);
      expect(alertIn(out.output)).toBe(expected);
      const [s] = await sessionsOf(server, 1);
      expect(s.error?.code).toBe('CLIENT_CERT_REJECTED');
      expect(s.verification?.alertSent).toBe('unknown_ca');
      await wb.servers.stop(server.id);
    });
  }

  it('requested, not required: a client without one is served', async () => {
    const server = await start({ clientAuth: { ca: { kind: 'file', path: pki.clientCaCert }, require: false } });
    const out = await sClient(server, ['-CAfile', pki.caCert]);
    expect(out.output).toContain('HTTP/1.1 200 OK');
    const [s] = await sessionsOf(server, 1);
    expect(s.status).toBe('ok');
    expect(s.server?.clientCertificate).toBeNull();
    expect(s.server?.clientCertificatePolicy).toBe('requested');
    expect(formatSessionDetail(s)).toContain('client certificate: none sent (asked for, not required)');
    await wb.servers.stop(server.id);
  });

  it('required, and the client refuses the server first: the session says the handshake ended before the client would have sent one', async () => {
    const server = await start({ clientAuth: { ca: { kind: 'file', path: pki.clientCaCert }, require: true } });
    await sClient(server, ['-CAfile', pki.otherCaCert, '-verify_return_error', '-tls1_3', '-cert', pki.client.cert, '-key', pki.client.key]);
    const [s] = await sessionsOf(server, 1);
    expect(s.status).toBe('failed');
    expect(s.server?.clientAlert).toBe('unknown_ca');
    expect(s.server?.clientCertificatePolicy).toBe('required');
    expect(formatSessionDetail(s)).toContain('client certificate: none received: the handshake ended before the client would have sent one (this server requires one)');
    await wb.servers.stop(server.id);
  });
});

describe('resumption', () => {
  for (const version of ['-tls1_2', '-tls1_3']) {
    it(`a second connection with the ticket resumes (${version}) and the timeline shows the shorter handshake`, async () => {
      const server = await start();
      const sess = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-sess-')), 'session.pem');
      const first = await sClient(server, ['-CAfile', pki.caCert, version, '-sess_out', sess]);
      expect(first.output).toContain('HTTP/1.1 200 OK');
      const second = await sClient(server, ['-CAfile', pki.caCert, version, '-sess_in', sess]);
      expect(second.output).toContain('Reused,');
      const [full, resumed] = await sessionsOf(server, 2);
      expect(full.server?.resumed).toBe(false);
      expect(resumed.server?.resumed).toBe(true);
      // Both connections named the server (s_client sends -connect's host, or -servername); the
      // resumed one keeps its name though OpenSSL reports none for a resumed TLS 1.2 session.
      expect(resumed.sni).toBe(full.sni);
      expect(resumed.sni).not.toBeNull();
      expect(resumed.connections[0].timeline.some((e) => e.kind === 'note' && e.text.startsWith('session resumed'))).toBe(true);
      if (version === '-tls1_2') {
        expect(messages(full, 'server-to-client')).toContain('Certificate');
        expect(messages(resumed, 'server-to-client')).not.toContain('Certificate');
        // Abbreviated handshake (RFC 5246, Section 7.3): ServerHello, then straight to ChangeCipherSpec.
        expect(messages(resumed, 'server-to-client')[0]).toBe('ServerHello');
        expect(messages(resumed, 'server-to-client')).toContain('ChangeCipherSpec');
        expect(messages(resumed, 'server-to-client')).not.toContain('ServerHelloDone');
        expect(messages(resumed, 'client-to-server')).not.toContain('ClientKeyExchange');
        expect(resumed.server?.keyExchange?.method).toBe('resumed');
        // The key schedule says where this connection's master secret came from, and opens it.
        const [keys] = await wb.sessionKeys({ id: resumed.id });
        expect(keys.notes.some((n) => n.startsWith('a resumed session (abbreviated handshake)'))).toBe(true);
        expect(keys.steps.filter((s) => s.title.includes('Finished check')).map((s) => s.note)).toEqual([
          'they match: these keys are the ones the peers used',
          'they match: these keys are the ones the peers used',
        ]);
        const [fullKeys] = await wb.sessionKeys({ id: full.id });
        expect(fullKeys.notes.some((n) => n.startsWith('a resumed session'))).toBe(false);
      } else {
        // TLS 1.3: the key schedule's note says the Early Secret came from the resumed PSK here.
        const [keys] = await wb.sessionKeys({ id: resumed.id });
        expect(keys.notes.some((n) => n.includes('the Early Secret comes from that PSK') && n.includes('fresh (EC)DHE'))).toBe(true);
        const [fullKeys] = await wb.sessionKeys({ id: full.id });
        expect(fullKeys.notes.some((n) => n.includes('the Early Secret comes from zeros (no PSK)'))).toBe(true);
      }
      // The server sends fewer handshake bytes without its certificate.
      const serverBytes = (s: SessionDetail) =>
        s.connections[0].timeline.filter((e): e is TlsRecordEntry => e.kind === 'record' && e.direction === 'server-to-client' && e.contentTypeName !== 'application_data').reduce((n, r) => n + r.length, 0);
      expect(serverBytes(resumed)).toBeLessThan(serverBytes(full));
      await wb.servers.stop(server.id);
    });
  }
});

describe('resumption without tickets (TLS 1.2)', () => {
  it('a second connection resumes by session ID, as with openssl s_server -no_ticket', async () => {
    const server = await start({ tickets: false });
    const sess = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-sess-')), 'session.pem');
    const first = await sClient(server, ['-CAfile', pki.caCert, '-tls1_2', '-sess_out', sess]);
    expect(first.output).toContain('HTTP/1.1 200 OK');
    // No ticket in the first handshake: the session ID is what the client keeps.
    expect(first.output).not.toMatch(/TLS session ticket:/);
    const second = await sClient(server, ['-CAfile', pki.caCert, '-tls1_2', '-sess_in', sess]);
    expect(second.output).toContain('Reused,');
    const [full, resumed] = await sessionsOf(server, 2);
    expect(messages(full, 'server-to-client')).not.toContain('NewSessionTicket');
    expect(full.server?.resumed).toBe(false);
    expect(resumed.server?.resumed).toBe(true);
    expect(messages(resumed, 'server-to-client')).not.toContain('Certificate');
    await wb.servers.stop(server.id);
  });
});

describe('renegotiation (TLS 1.2)', () => {
  it('a client that renegotiates mid-connection is served on, and the recording decrypts across both handshakes', async () => {
    const server = await start({ responder: { kind: 'echo' } });
    // s_client renegotiates when a read of its stdin is "R" on a line of its own (OpenSSL's
    // interactive commands): each line goes once s_client has acted on the one before (the server
    // echoed it, or s_client said RENEGOTIATING), never by a sleep that a slow handshake outlasts
    // (the R would then come in the same read as the request and be sent as data).
    const out = await interactiveSClient(['-connect', server.address, '-servername', 'localhost', '-tls1_2', '-CAfile', pki.caCert], [
      { send: 'GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n', until: 'GET /first HTTP/1.1' },
      { send: 'R\n', until: 'RENEGOTIATING' },
      { send: 'GET /second HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', until: 'GET /second HTTP/1.1' },
    ]);
    expect(out.output).toContain('RENEGOTIATING');
    expect(out.output).toContain('GET /second HTTP/1.1');
    const [s] = await sessionsOf(server, 1);
    expect(s.status).toBe('ok');
    expect(s.server?.requests).toBe(2);
    expect(s.connections[0].timeline.some((e) => e.kind === 'note' && e.text.startsWith('renegotiated: a new handshake inside the encrypted connection'))).toBe(true);

    const [conn] = await wb.decryptSession({ id: s.id });
    expect(conn.decrypted).toBe(conn.total);
    const plaintext = conn.records.filter((r) => r.direction === 'client-to-server' && r.contentType === 23).map((r) => Buffer.from(r.plaintextHex ?? '', 'hex').toString('latin1'));
    expect(plaintext.join('')).toContain('GET /second HTTP/1.1');
    expect(conn.records.find((r) => Buffer.from(r.plaintextHex ?? '', 'hex').toString('latin1').startsWith('GET /second'))?.keyEpoch).toBe('after renegotiation 1');
    const [keys] = await wb.sessionKeys({ id: s.id });
    const checks = keys.steps.filter((step) => step.title.includes('Finished check'));
    expect(checks.map((step) => step.title.split(':')[0])).toEqual([
      'client Finished check',
      'server Finished check',
      'renegotiation 1',
      'renegotiation 1',
    ]);
    expect(new Set(checks.map((step) => step.note))).toEqual(new Set(['they match: these keys are the ones the peers used']));
    await wb.servers.stop(server.id);
  });
});

describe('a client that rejects the certificate', () => {
  it('TLS 1.2: the session shows the alert it sent, by name (unknown_ca)', async () => {
    const server = await start();
    const out = await sClient(server, ['-CAfile', pki.otherCaCert, '-verify_return_error', '-tls1_2']);
    expect(out.output).toMatch(/verify error|unable to get local issuer/);
    const [s] = await sessionsOf(server, 1);
    expect(s.status).toBe('failed');
    expect(s.server?.clientAlert).toBe('unknown_ca');
    expect(s.error?.code).toBe('CLIENT_ALERT');
    expect(s.error?.message).toContain('"unknown_ca"');
    const alert = s.connections[0].timeline.find((e): e is TlsRecordEntry => e.kind === 'record' && e.direction === 'client-to-server' && e.alert !== undefined);
    expect(alert?.alert?.descriptionName).toBe('unknown_ca');
    // The certificate the client refused is kept with the session, as the wire carried it.
    expect(messages(s, 'server-to-client')).toContain('Certificate');
    expect(s.connections[0].localCertificates.map((c) => c.subject)).toEqual([server.names[0].certificate.subject]);
    expect(s.server?.clientCertificatePolicy).toBe('off');
    expect(formatSessionDetail(s)).toContain('client certificate: not asked for (this server does not request client certificates)');
    await wb.servers.stop(server.id);
  });

  it('TLS 1.3: the alert travels encrypted; the server names it from OpenSSL', async () => {
    const server = await start();
    await sClient(server, ['-CAfile', pki.otherCaCert, '-verify_return_error', '-tls1_3']);
    const [s] = await sessionsOf(server, 1);
    expect(s.status).toBe('failed');
    expect(s.server?.clientAlert).toBe('unknown_ca');
    expect(s.error?.message).toContain('does not trust the CA');
    // Encrypted on the wire, but a full handshake's flight: the server's certificate went with it.
    expect(s.connections[0].localCertificates.map((c) => c.subject)).toEqual([server.names[0].certificate.subject]);
    await wb.servers.stop(server.id);
  });

  /** A Node program that checks the certificate the usual way (rejectUnauthorized): Node sends no alert. */
  function nodeClientRefusing(server: ServerInfo, maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<string> {
    return new Promise((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: fs.readFileSync(pki.otherCaCert), maxVersion });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      socket.on('secureConnect', () => resolve('accepted'));
    });
  }

  it("a Node program that refuses in its own code sends no alert: the server says so, not 'look for its alert'", async () => {
    const server = await start();
    // TLS 1.3 only: over TLS 1.2 the client's Finished goes out before it sees the server's, so the
    // server's handshake is complete before the client checks anything.
    for (let i = 0; i < 2; i++) expect(await nodeClientRefusing(server, 'TLSv1.3')).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const sessions = await sessionsOf(server, 2);
    for (const s of sessions) {
      expect(s.status).toBe('failed');
      expect(s.server?.clientAlert).toBeNull();
      expect(s.error?.code).toBe('CLIENT_CLOSED_AFTER_CERTIFICATE');
      expect(s.error?.message).toContain("after receiving this server's certificate, without an alert");
      expect(s.error?.message).not.toContain('look for its alert');
      expect(s.connections[0].localCertificates.map((c) => c.subject)).toEqual([server.names[0].certificate.subject]);
    }
    await wb.servers.stop(server.id);
  });

  it('over TLS 1.2 the same refusal leaves the server a complete handshake, then silence: the session is ok, and says how the client left', async () => {
    const server = await start();
    const summaries: ServerConnectionSummary[] = [];
    const unsubscribe = wb.subscribe((event, data) => {
      if (event === 'server.connection') summaries.push(data as ServerConnectionSummary);
    });
    expect(await nodeClientRefusing(server, 'TLSv1.2')).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const [s] = await sessionsOf(server, 1);
    expect(s.status).toBe('ok');
    const notes = s.connections[0].timeline.filter((e) => e.kind === 'note').map((e) => (e as { text: string }).text);
    expect(notes.join('\n')).toContain('the client left right after the handshake without a word (no request, no alert, no close_notify); over TLSv1.2');
    // A client that asks for the page, and one that says goodbye with close_notify, get no such word.
    await sClient(server, ['-tls1_2']);
    await run('openssl', ['s_client', '-connect', server.address, '-servername', 'localhost', '-tls1_2'], { input: '' });
    const all = await sessionsOf(server, 3);
    for (const other of all.slice(1)) {
      expect(other.status).toBe('ok');
      expect(other.connections[0].timeline.some((e) => e.kind === 'note' && (e as { text: string }).text.includes('without a word'))).toBe(false);
    }
    await waitUntil(() => `the server to announce its 3 connections (${summaries.length} so far)`, () => summaries.length >= 3);
    unsubscribe();
    expect(summaries.find((c) => c.sessionId === s.id)?.note).toContain('without a word');
    expect(summaries.filter((c) => c.sessionId !== s.id).map((c) => c.note ?? null)).toEqual([null, null]);
    expect(formatConnection(summaries.find((c) => c.sessionId === s.id)!)).toContain('ok (0 requests; then the client left without a word: it may have refused the certificate after its handshake)');
    await wb.servers.stop(server.id);
  });

  it("the workbench's client refuses as OpenSSL clients do: with the alert that names the problem, which the server shows", async () => {
    const server = await start();
    const refuse = (maxVersion: 'TLSv1.2' | 'TLSv1.3', host = 'localhost', trust = pki.otherCaCert) =>
      wb.runClient({ host, port: server.port, connectTo: '127.0.0.1', trust: { kind: 'file', path: trust }, verifyPeer: true, checkHostname: true, maxVersion, send: { kind: 'none' } });
    const clients = [await refuse('TLSv1.3'), await refuse('TLSv1.2'), await refuse('TLSv1.3', '127.0.0.2', pki.caCert)];
    for (const c of clients) expect(c.status).toBe('failed');
    const [tls13, tls12, wrongName] = await sessionsOf(server, 3);
    // TLS 1.3: in place of the client's second flight, in the clear (what openssl s_client sends).
    expect(tls13.status).toBe('failed');
    expect(tls13.server?.clientAlert).toBe('unknown_ca');
    expect(tls13.error?.code).toBe('CLIENT_ALERT');
    const alert13 = tls13.connections[0].timeline.find((e): e is TlsRecordEntry => e.kind === 'record' && e.direction === 'client-to-server' && e.alert !== undefined);
    expect(alert13?.alert?.descriptionName).toBe('unknown_ca');
    expect(messages(tls13, 'client-to-server')).toEqual(['ClientHello', 'Alert (fatal, unknown_ca)']);
    // TLS 1.2: after the client's Finished, encrypted; the server's OpenSSL opened it.
    expect(tls12.status).toBe('failed');
    expect(tls12.server?.clientAlert).toBe('unknown_ca');
    expect(tls12.error?.message).toContain('"unknown_ca"');
    // A certificate for other names: bad_certificate, as OpenSSL sends for a hostname mismatch.
    expect(wrongName.server?.clientAlert).toBe('bad_certificate');
    // The client's own session says what it sent, and its record table reads the alert back.
    const own = await wb.session(clients[1].id);
    const note = own.connections[0].timeline.find((e) => e.kind === 'note' && (e as { text: string }).text.includes('fatal alert'));
    expect((note as { text: string } | undefined)?.text).toContain('the client sends the fatal alert unknown_ca, encrypted');
    const decrypted = await wb.decryptSession({ id: clients[1].id });
    const last = decrypted[0].records.filter((r) => r.direction === 'client-to-server').at(-1);
    expect(last?.status).toBe('decrypted');
    expect(last?.contentTypeName).toBe('Alert');
    expect(last?.plaintextHex).toBe('0230');
    await wb.servers.stop(server.id);
  });

  it('a client that never got a server flight (it sent no TLS) has no server certificate recorded', async () => {
    const server = await start();
    const [host, port] = server.address.split(':');
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), host, () => socket.end('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.resume();
    });
    const [s] = await sessionsOf(server, 1);
    expect(s.error?.code).toBe('NOT_TLS');
    expect(s.connections[0].localCertificates).toEqual([]);
    await wb.servers.stop(server.id);
  });
});

describe('identities from the certificate workshop', () => {
  it('--identity lab:NAME and --client-ca lab:NAME: openssl verifies the server and the client certificate is checked', async () => {
    await wb.workshop.createCa({ name: 'serverlab-root', subject: 'CN=Workshop Root CA' });
    await wb.workshop.createCa({ name: 'serverlab-issuing', subject: 'CN=Workshop Issuing CA', parent: 'serverlab-root', key: 'ec:P-256' });
    await wb.workshop.issue({ ca: 'serverlab-issuing', name: 'serverlab-www', subject: 'CN=www.bank32.com', subjectAltNames: ['DNS:www.bank32.com'] });
    await wb.workshop.createCa({ name: 'serverlab-students', subject: 'CN=Workshop Students CA' });
    const server = await start({
      identity: { kind: 'lab', name: 'serverlab-www' },
      clientAuth: { ca: { kind: 'lab', name: 'serverlab-students' }, require: true },
    });
    expect(server.names[0].certificate.subject).toBe('CN=www.bank32.com');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-lab-ca-'));
    const rootPem = path.join(dir, 'root.pem');
    fs.writeFileSync(rootPem, wb.workshop.trustAnchorsPem('serverlab-root').join(''));
    const out = await run('openssl', ['s_client', '-connect', server.address, '-servername', 'www.bank32.com', '-CAfile', rootPem, '-verify_return_error', '-verify_hostname', 'www.bank32.com', '-ign_eof'], { input: GET });
    expect(out.output).toContain('Verify return code: 0 (ok)');
    const [s] = await sessionsOf(server, 1);
    expect(s.error?.code).toBe('CLIENT_CERT_MISSING');
    expect(s.error?.message).toContain('lab CA serverlab-students');
    await wb.servers.stop(server.id);
  });
});
