// The TLS client of lab task 1 against `openssl s_server` with certificates made by openssl.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientSessionRequest, SessionDetail, TlsRecordEntry } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { makeHashFolder, makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { freePort } from '../support/ports';
import { loopbackGet } from '../support/clientRequest';

let pki: TestPki;
let server: RunningPeer;
let expiredServer: RunningPeer;
let wb: Workbench;

beforeAll(async () => {
  pki = makeTestPki();
  server = await startOpensslServer(pki.serverCert, pki.serverKey);
  expiredServer = await startOpensslServer(pki.expiredCert, pki.expiredKey);
  wb = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-client-')) });
});

afterAll(async () => {
  await wb?.close();
  await server?.stop();
  await expiredServer?.stop();
});

const bank = (overrides: Partial<ClientSessionRequest> = {}): ClientSessionRequest => loopbackGet('www.bank32.com', server.port, pki.caCert, overrides);

function records(session: SessionDetail): TlsRecordEntry[] {
  return session.connections[0].timeline.filter((e): e is TlsRecordEntry => e.kind === 'record');
}

function messageNames(session: SessionDetail, direction?: TlsRecordEntry['direction']): string[] {
  return records(session)
    .filter((r) => !direction || r.direction === direction)
    .flatMap((r) => r.messages);
}

describe('client session against openssl s_server', () => {
  it('verifies the server with the CA file, records TLS 1.3 and fetches the page', async () => {
    const s = await wb.runClient(bank({ maxVersion: 'TLSv1.3' }));
    expect(s.status).toBe('ok');
    expect(s.error).toBeNull();
    expect(s.version).toBe('TLSv1.3');
    expect(s.cipher?.iana).toMatch(/^TLS_AES_256_GCM_SHA384|TLS_AES_128_GCM_SHA256|TLS_CHACHA20_POLY1305_SHA256$/);
    expect(s.verification?.accepted).toBe(true);
    expect(s.verification?.summary).toContain('verified');
    expect(s.address).toBe(`127.0.0.1:${server.port}`);
    expect(s.sni).toBe('www.bank32.com');
    const [leaf] = s.connections[0].peerCertificates;
    expect(leaf.subject).toBe('CN=www.bank32.com');
    expect(leaf.issuer).toContain('CN=Model Root CA');
    expect(leaf.subjectAltNames).toEqual(['DNS:www.bank32.com', 'DNS:bank32.com']);
    expect(leaf.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    // s_server -www answers with a page describing the connection.
    expect(s.response?.text).toContain('HTTP/1.0 200 ok');
    expect(s.response?.text).toContain('s_server');
    // The timeline: TCP before TLS, then TLS 1.3's clear handshake and its encrypted flight.
    const kinds = s.connections[0].timeline.map((e) => e.kind);
    expect(kinds[0]).toBe('note');
    expect(kinds.indexOf('tcp-open')).toBeLessThan(kinds.indexOf('record'));
    expect(kinds.at(-1)).toBe('tcp-close');
    expect(messageNames(s, 'client-to-server')[0]).toBe('ClientHello');
    expect(messageNames(s, 'server-to-client')[0]).toBe('ServerHello');
    expect(messageNames(s, 'server-to-client')).toContain('Application Data (encrypted)');
    expect(s.connections[0].keylog.some((l) => l.startsWith('CLIENT_HANDSHAKE_TRAFFIC_SECRET '))).toBe(true);
    expect(s.connections[0].keylog.some((l) => l.startsWith('SERVER_TRAFFIC_SECRET_0 '))).toBe(true);
  });

  it('shows every TLS 1.2 handshake message by name', async () => {
    const s = await wb.runClient(bank({ maxVersion: 'TLSv1.2' }));
    expect(s.status).toBe('ok');
    expect(s.version).toBe('TLSv1.2');
    expect(messageNames(s, 'server-to-client').slice(0, 4)).toEqual(['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone']);
    const client = messageNames(s, 'client-to-server');
    expect(client.slice(0, 4)).toEqual(['ClientHello', 'ClientKeyExchange', 'ChangeCipherSpec', 'Finished (encrypted)']);
    const server = messageNames(s, 'server-to-client');
    expect(server).toContain('NewSessionTicket');
    expect(server).toContain('ChangeCipherSpec');
    expect(s.connections[0].keylog.some((l) => l.startsWith('CLIENT_RANDOM '))).toBe(true);
  });

  it('records the bytes that crossed the wire: record lengths add up to the bytes transferred', async () => {
    const s = await wb.runClient(bank({ servername: 'www.bank32.com' }));
    const c = s.connections[0];
    for (const direction of ['client-to-server', 'server-to-client'] as const) {
      const sum = records(s)
        .filter((r) => r.direction === direction)
        .reduce((n, r) => n + 5 + r.length, 0);
      expect(sum).toBe(direction === 'client-to-server' ? c.bytesClientToServer : c.bytesServerToClient);
    }
    expect(c.bytesClientToServer).toBeGreaterThan(200);
    expect(c.recordedClientToServer).toBe(c.bytesClientToServer);
  });

  it('trusts a folder of subject-hash links as OpenSSL capath does', async () => {
    const s = await wb.runClient(bank({ trust: { kind: 'dir', path: makeHashFolder(pki) } }));
    expect(s.status).toBe('ok');
    expect(s.verification?.accepted).toBe(true);
  });

  it('ignores a trust folder whose files are not named by subject hash', async () => {
    const dir = path.join(pki.dir, 'not-hashed');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(pki.caCert, path.join(dir, '00000000.0'));
    const s = await wb.runClient(bank({ trust: { kind: 'dir', path: dir } }));
    expect(s.status).toBe('failed');
    expect(s.error?.message).toContain('openssl rehash');
  });

  it('fails without the CA and says the issuer is unknown', async () => {
    const s = await wb.runClient(bank({ trust: { kind: 'file', path: pki.otherCaCert } }));
    expect(s.status).toBe('failed');
    expect(s.error?.code).toBe('VERIFICATION_FAILED');
    expect(s.verification?.accepted).toBe(false);
    expect(s.verification?.summary).toContain('unknown issuer');
    expect(s.verification?.chain.explanation).toContain('Model Root CA');
    // No application data was sent after a failed verification.
    expect(s.response?.bytes ?? 0).toBe(0);
    expect(wb.listSessions().find((x) => x.id === s.id)?.status).toBe('failed');
  });

  it('fails on a hostname mismatch and names the host and the names the certificate holds', async () => {
    const s = await wb.runClient(bank({ host: 'www.example.com' }));
    expect(s.status).toBe('failed');
    expect(s.verification?.hostname?.ok).toBe(false);
    expect(s.error?.message).toContain('www.example.com');
    expect(s.error?.message).toContain('www.bank32.com, bank32.com');
  });

  it('succeeds on the same mismatch with the hostname check off, and says what it let through', async () => {
    const s = await wb.runClient(bank({ host: 'www.example.com', checkHostname: false }));
    expect(s.status).toBe('ok');
    expect(s.verification?.accepted).toBe(true);
    expect(s.verification?.summary).toContain('hostname check off');
    expect(s.response?.text).toContain('200 ok');
  });

  it('reports an expired certificate as expired', async () => {
    const s = await wb.runClient(bank({ port: expiredServer.port }));
    expect(s.status).toBe('failed');
    expect(s.verification?.chain.code).toBe('CERT_HAS_EXPIRED');
    expect(s.verification?.summary).toContain('expired');
  });

  it('continues with verification off and still shows what would have failed', async () => {
    const s = await wb.runClient(bank({ verifyPeer: false, trust: { kind: 'system' } }));
    expect(s.status).toBe('ok');
    expect(s.verification?.summary).toMatch(/verification off.*would have failed/);
  });

  it('uses the host table to reach a name', async () => {
    wb.setHost({ name: 'www.bank32.com', address: '127.0.0.1' });
    try {
      const s = await wb.runClient(bank({ connectTo: undefined }));
      expect(s.status).toBe('ok');
      expect(s.address).toBe(`127.0.0.1:${server.port}`);
    } finally {
      wb.removeHost('www.bank32.com');
    }
  });
});

describe('client session against a server that answers slowly', () => {
  it('keeps reading while pieces keep coming, though the whole answer takes longer than the quiet-time limit', async () => {
    // Eight pieces 300 ms apart: 2.1 s in all, against the client's 1.5 s limit between pieces
    // (a margin of 1.2 s for a stalled test process).
    const server = tls.createServer({ cert: fs.readFileSync(pki.serverCert), key: fs.readFileSync(pki.serverKey) }, (socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write('HTTP/1.0 200 OK\r\n\r\npiece 1;');
        let piece = 1;
        const next = setInterval(() => {
          piece += 1;
          if (piece < 8) socket.write(`piece ${piece};`);
          else {
            clearInterval(next);
            socket.end('piece 8.');
          }
        }, 300);
        socket.once('close', () => clearInterval(next));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const s = await wb.runClient(bank({ port: (server.address() as AddressInfo).port }));
      expect(s.status).toBe('ok');
      expect(s.response?.text).toMatch(/piece 1;piece 2;piece 3;piece 4;piece 5;piece 6;piece 7;piece 8\.$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('client session to an IPv6 address', () => {
  it('sends the address in brackets in its Host header ([::1]:PORT), the only form a server reads as a host and port', async () => {
    let head = '';
    const server = tls.createServer({ cert: fs.readFileSync(pki.serverCert), key: fs.readFileSync(pki.serverKey) }, (socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (data: Buffer) => {
        head = data.toString('latin1');
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const s = await wb.runClient(loopbackGet('::1', port, pki.caCert, { connectTo: '::1', verifyPeer: false, checkHostname: false }));
      expect(s.status).toBe('ok');
      expect(head).toContain(`\r\nHost: [::1]:${port}\r\n`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('client session with bad input or a bad peer', () => {
  async function expectRecordedFailure(request: ClientSessionRequest, code: string, text: RegExp): Promise<SessionDetail> {
    const s = await wb.runClient(request);
    expect(s.status).toBe('failed');
    expect(s.error?.code).toBe(code);
    expect(s.error?.message).toMatch(text);
    expect(wb.listSessions().some((x) => x.id === s.id && x.status === 'failed')).toBe(true);
    return s;
  }

  it('TLS 1.0 without @SECLEVEL=0 says how to allow it, against a server that allows it and one that does not; with it, TLS 1.0 is spoken', async () => {
    const legacy = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www', '-tls1', '-cipher', 'ALL:@SECLEVEL=0']);
    try {
      const tls10 = { minVersion: 'TLSv1' as const, maxVersion: 'TLSv1' as const };
      await expectRecordedFailure({ ...bank(tls10), port: legacy.port }, 'LEGACY_TLS_REFUSED', /only at security level 0.*add @SECLEVEL=0 to the cipher list/);
      await expectRecordedFailure(bank(tls10), 'LEGACY_TLS_REFUSED', /add @SECLEVEL=0 to the cipher list, e\.g\. DEFAULT:@SECLEVEL=0; the server must allow them too/);
      const ok = await wb.runClient({ ...bank({ ...tls10, ciphers: 'DEFAULT:@SECLEVEL=0' }), port: legacy.port });
      expect(ok.status).toBe('ok');
      expect(ok.version).toBe('TLSv1');
    } finally {
      await legacy.stop();
    }
  });

  it('a name that does not resolve', async () => {
    await expectRecordedFailure(bank({ host: 'no-such-host.invalid', connectTo: undefined }), 'NAME_NOT_RESOLVED', /does not resolve.*host table/);
    // A mistyped address is not a name to add to the host table.
    await expectRecordedFailure(bank({ connectTo: '127.0.0.256' }), 'BAD_ADDRESS', /^127\.0\.0\.256 is not an IPv4 address: each of its four numbers must be 0 to 255/);
  });

  it('a refused port', async () => {
    const port = await freePort();
    await expectRecordedFailure(bank({ port }), 'CONNECTION_REFUSED', new RegExp(`nothing is listening on 127.0.0.1:${port}`));
  });

  it('a host name longer than DNS allows (a label over 63, a name over 253 characters)', async () => {
    await expectRecordedFailure(bank({ host: `${'a'.repeat(70)}.bank32.com` }), 'BAD_INPUT', /cannot be a host name: one of its labels is 70 characters and DNS allows 63/);
    const long = Array.from({ length: 5 }, () => 'b'.repeat(60)).join('.');
    await expectRecordedFailure(bank({ host: long }), 'BAD_INPUT', /cannot be a host name: it is 304 characters and DNS allows 253/);
  });

  it('a port out of range', async () => {
    await expectRecordedFailure(bank({ port: 70000 }), 'PORT_OUT_OF_RANGE', /70000 is out of range/);
  });

  it('a trust file that is not PEM', async () => {
    const file = path.join(pki.dir, 'notes.txt');
    fs.writeFileSync(file, 'this is not a certificate\n');
    await expectRecordedFailure(bank({ trust: { kind: 'file', path: file } }), 'TRUST_NOT_PEM', /contains no PEM certificate/);
  });

  it('a trust file that is the CA certificate in DER: named as DER, with the command that converts it', async () => {
    const der = path.join(pki.dir, 'ca.der');
    fs.writeFileSync(der, new X509Certificate(fs.readFileSync(pki.caCert)).raw);
    const s = await expectRecordedFailure(bank({ trust: { kind: 'file', path: der } }), 'TRUST_NOT_PEM', /is a DER \(binary\) certificate/);
    expect(s.error?.message).toContain(`convert it: openssl x509 -inform DER -in ${der} -out ca.pem`);
  });

  it('a server that closes mid-handshake', async () => {
    const closer = net.createServer((socket) => socket.once('data', () => socket.destroy()));
    await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', resolve));
    try {
      const port = (closer.address() as net.AddressInfo).port;
      const s = await expectRecordedFailure(bank({ port }), 'CLOSED_DURING_HANDSHAKE', /during the handshake|before the handshake finished/);
      // The ClientHello that was sent is still recorded.
      expect(messageNames(s, 'client-to-server')).toEqual(['ClientHello']);
    } finally {
      closer.close();
    }
  });

  it('a server that sends garbage', async () => {
    const http = net.createServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const port = (http.address() as net.AddressInfo).port;
      const s = await expectRecordedFailure(bank({ port }), 'NOT_TLS', /not TLS/);
      const bad = records(s).find((r) => r.direction === 'server-to-client');
      expect(bad?.malformed).toMatch(/HTTP/);
    } finally {
      http.close();
    }
  });

  it('keeps working after all of that', async () => {
    const s = await wb.runClient(bank());
    expect(s.status).toBe('ok');
  });
});
