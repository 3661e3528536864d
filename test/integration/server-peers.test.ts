// Lab task 2: the workbench's HTTPS server judged by peers nobody here wrote: openssl s_client,
// curl, Python's ssl module with check_hostname (the lab's client), and the workbench's own client.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig, ServerInfo } from '../../src-main/api/serverTypes';
import type { SessionDetail, TlsRecordEntry } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { run } from '../support/run';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';
import { isSessionOf } from '../support/serverSessions';
import { waitUntil } from '../support/waitUntil';

let pki: ServerTestPki;
let wb: Workbench;

beforeAll(async () => {
  pki = await makeServerPki();
  wb = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-server-peers-')) });
});

afterAll(async () => {
  await wb?.close();
});

async function start(config: Partial<ServerConfig> = {}): Promise<ServerInfo> {
  return wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key }, ...config });
}

const GET = (host: string) => `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

function sClient(server: ServerInfo, args: string[], input = GET('www.bank32.com')) {
  return run('openssl', ['s_client', '-connect', server.address, '-CAfile', pki.caCert, '-verify_return_error', '-ign_eof', ...args], { input });
}

/** The server sessions of one server, newest first, once the connection has been recorded. */
async function lastSession(server: ServerInfo): Promise<SessionDetail> {
  const found = await waitUntil(`a finished session for ${server.address}`, () => wb.listSessions(50).find((s) => isSessionOf(s, server) && s.status !== 'running'));
  return wb.session(found.id);
}

function messages(s: SessionDetail, direction: TlsRecordEntry['direction']): string[] {
  return s.connections[0].timeline
    .filter((e): e is TlsRecordEntry => e.kind === 'record' && e.direction === direction)
    .flatMap((r) => r.messages);
}

describe('the lab HTTPS server against real clients', () => {
  it('openssl s_client verifies it with TLS 1.3 and gets the bank page; the session records it all', async () => {
    const server = await start();
    const out = await sClient(server, ['-tls1_3', '-servername', 'www.bank32.com']);
    expect(out.output).toContain('Verify return code: 0 (ok)');
    expect(out.output).toContain('HTTP/1.1 200 OK');
    expect(out.output).toContain('Bank32 Online Banking');
    const s = await lastSession(server);
    expect(s.kind).toBe('server');
    expect(s.status).toBe('ok');
    expect(s.sni).toBe('www.bank32.com');
    expect(s.version).toBe('TLSv1.3');
    expect(s.cipher?.iana).toMatch(/^TLS_AES_|^TLS_CHACHA20/);
    expect(s.server?.keyExchange?.ephemeral).toBe(true);
    expect(s.server?.requests).toBe(1);
    expect(s.server?.resumed).toBe(false);
    const c = s.connections[0];
    expect(c.leg).toBe('server');
    expect(c.localCertificates[0].subject).toBe('CN=localhost');
    expect(c.keylog.some((l) => l.startsWith('SERVER_HANDSHAKE_TRAFFIC_SECRET '))).toBe(true);
    expect(c.keylog.some((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0 '))).toBe(true);
    expect(messages(s, 'client-to-server')[0]).toBe('ClientHello');
    expect(messages(s, 'server-to-client')[0]).toBe('ServerHello');
    expect(c.bytesClientToServer).toBeGreaterThan(200);
    await wb.servers.stop(server.id);
  });

  it('a request typed into openssl s_client (its lines end in LF alone) gets the page, and the session says why it was taken', async () => {
    const server = await start();
    const out = await sClient(server, ['-servername', 'www.bank32.com'], 'GET / HTTP/1.1\nHost: www.bank32.com\nConnection: close\n\n');
    expect(out.output).toContain('HTTP/1.1 200 OK');
    expect(out.output).toContain('Bank32 Online Banking');
    const s = await lastSession(server);
    expect(s.server?.requests).toBe(1);
    const notes = s.connections[0].timeline.flatMap((e) => (e.kind === 'note' ? [e.text] : []));
    expect(notes.filter((n) => n.includes('end in LF alone'))).toHaveLength(1);
    await wb.servers.stop(server.id);
  });

  it('openssl s_client verifies it with TLS 1.2 (ECDHE), and the timeline shows the clear handshake', async () => {
    const server = await start();
    const out = await sClient(server, ['-tls1_2', '-servername', 'www.bank32.com']);
    expect(out.output).toContain('Verify return code: 0 (ok)');
    expect(out.output).toMatch(/Cipher is ECDHE-RSA-/);
    const s = await lastSession(server);
    expect(s.version).toBe('TLSv1.2');
    expect(messages(s, 'server-to-client').slice(0, 4)).toEqual(['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone']);
    expect(s.server?.keyExchange).toMatchObject({ method: 'ECDHE', ephemeral: true });
    expect(s.connections[0].keylog.some((l) => l.startsWith('CLIENT_RANDOM '))).toBe(true);
    await wb.servers.stop(server.id);
  });

  it('finite-field DHE: a server limited to DHE-RSA suites completes the handshake with a 2048-bit group', async () => {
    const server = await start({ maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES128-GCM-SHA256' });
    const out = await sClient(server, ['-tls1_2', '-servername', 'www.bank32.com']);
    expect(out.output).toContain('Cipher is DHE-RSA-AES128-GCM-SHA256');
    expect(out.output).toContain('Server Temp Key: DH, 2048 bits');
    const s = await lastSession(server);
    expect(s.cipher?.iana).toBe('TLS_DHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(messages(s, 'server-to-client')).toContain('ServerKeyExchange');
    await wb.servers.stop(server.id);
  });

  it('a certificate with an Ed448 or an RSA-PSS key, from files, is served as openssl s_server would', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-server-keys-'));
    for (const [name, newkey, signature] of [
      ['ed448', ['-newkey', 'ed448'], 'Peer signature type: ed448'],
      ['rsa-pss', ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048'], 'Peer signature type: RSA-PSS'],
    ] as const) {
      const cert = path.join(dir, `${name}.crt`);
      const key = path.join(dir, `${name}.key`);
      await run('openssl', ['req', '-x509', ...newkey, '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=www.bank32.com', '-addext', 'subjectAltName=DNS:www.bank32.com', '-days', '10']);
      const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: cert, keyPath: key } });
      const out = await run('openssl', ['s_client', '-connect', server.address, '-CAfile', cert, '-verify_return_error', '-verify_hostname', 'www.bank32.com', '-ign_eof', '-servername', 'www.bank32.com'], { input: GET('www.bank32.com') });
      expect(out.output).toContain('Verify return code: 0 (ok)');
      expect(out.output).toContain(signature);
      expect(out.output).toContain('HTTP/1.1 200 OK');
      await wb.servers.stop(server.id);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('RSA key exchange: a client offering only AES128-GCM-SHA256 over TLS 1.2 gets it, and the session shows no ephemeral key', async () => {
    const server = await start({ ciphers: 'AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256' });
    const out = await sClient(server, ['-tls1_2', '-cipher', 'AES128-GCM-SHA256', '-servername', 'www.bank32.com']);
    expect(out.output).toContain('Cipher is AES128-GCM-SHA256');
    expect(out.output).not.toContain('Server Temp Key');
    const s = await lastSession(server);
    expect(s.cipher?.iana).toBe('TLS_RSA_WITH_AES_128_GCM_SHA256');
    expect(s.server?.keyExchange).toMatchObject({ method: 'RSA', ephemeral: false, group: null });
    expect(messages(s, 'server-to-client')).not.toContain('ServerKeyExchange');
    expect(messages(s, 'client-to-server')).toContain('ClientKeyExchange');
    expect(s.connections[0].timeline.some((e) => e.kind === 'note' && e.text.includes('no forward secrecy'))).toBe(true);
    await wb.servers.stop(server.id);
  });

  it('curl --cacert fetches the page', async () => {
    const server = await start();
    const out = await run('curl', ['-sS', '--cacert', pki.caCert, '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, `https://www.bank32.com:${server.port}/`]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Sign in to online banking');
    const s = await lastSession(server);
    expect(s.alpn).toBe('http/1.1');
    expect(s.status).toBe('ok');
    await wb.servers.stop(server.id);
  });

  it('curl --http1.0 (ALPN http/1.0 only) gets the page; an h2-only client is told which protocols the server speaks', async () => {
    const server = await start();
    const old = await run('curl', ['-sS', '--http1.0', '--cacert', pki.caCert, '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, `https://www.bank32.com:${server.port}/`]);
    expect(old.code).toBe(0);
    expect(old.stdout).toContain('Sign in to online banking');
    expect((await lastSession(server)).alpn).toBe('http/1.0');
    const h2 = await sClient(server, ['-alpn', 'h2']);
    expect(h2.output).toContain('no application protocol');
    const failed = await waitUntil(`a failed session for ${server.address}`, () => wb.listSessions(10).find((x) => isSessionOf(x, server) && x.status === 'failed'));
    expect(failed.error?.code).toBe('NO_SHARED_ALPN');
    expect(failed?.error?.message).toContain('no protocol this server speaks (http/1.1, http/1.0)');
    await wb.servers.stop(server.id);
  });

  it("Python's ssl client with check_hostname (the lab's client) fetches it", async () => {
    const server = await start();
    const script = [
      'import socket, ssl, sys',
      'ctx = ssl.create_default_context(cafile=sys.argv[1])',
      'assert ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED',
      'with socket.create_connection(("127.0.0.1", int(sys.argv[2]))) as raw:',
      '    with ctx.wrap_socket(raw, server_hostname="www.bank32.com") as s:',
      '        print("version", s.version())',
      '        s.sendall(b"GET / HTTP/1.1\\r\\nHost: www.bank32.com\\r\\nConnection: close\\r\\n\\r\\n")',
      '        data = b""',
      '        while True:',
      '            chunk = s.recv(4096)',
      '            if not chunk: break',
      '            data += chunk',
      '        print(data.decode())',
    ].join('\n');
    const out = await run('python3', ['-c', script, pki.caCert, String(server.port)]);
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('version TLSv1.3');
    expect(out.stdout).toContain('Bank32 Online Banking');
    await wb.servers.stop(server.id);
  });

  it("the workbench's own client verifies it and reads the page", async () => {
    const server = await start();
    const client = await wb.runClient({
      host: 'www.bank32.com',
      port: server.port,
      connectTo: '127.0.0.1',
      trust: { kind: 'file', path: pki.caCert },
      verifyPeer: true,
      checkHostname: true,
      send: { kind: 'http-get', path: '/' },
    });
    expect(client.status).toBe('ok');
    expect(client.verification?.accepted).toBe(true);
    expect(client.response?.text).toContain('Bank32 Online Banking');
    await wb.servers.stop(server.id);
  });

  it('serves an ECDSA certificate with its intermediate: openssl and curl verify the chain', async () => {
    const server = await start({ identity: { kind: 'files', certPath: pki.ecdsa.cert, keyPath: pki.ecdsa.key, chainPath: pki.ecdsa.chain } });
    expect(server.names[0].certificate.publicKey.type).toBe('EC');
    expect(server.names[0].chainLength).toBe(2);
    const out = await sClient(server, ['-servername', 'www.bank32.com']);
    expect(out.output).toContain('Verify return code: 0 (ok)');
    expect(out.output).toMatch(/Peer signature type: ECDSA/);
    const curl = await run('curl', ['-sS', '--cacert', pki.caCert, '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, `https://www.bank32.com:${server.port}/`]);
    expect(curl.stdout).toContain('Bank32');
    const s = await lastSession(server);
    expect(s.connections[0].localCertificates.map((c) => c.subject)).toEqual(['CN=www.bank32.com', 'CN=Server Lab Issuing CA, O=TLS Lab']);
    await wb.servers.stop(server.id);
  });

  it('SNI: two names on one port, each gets its own certificate; no SNI gets the default', async () => {
    const server = await start({
      sni: [
        { name: 'www.bank32.com', identity: { kind: 'files', certPath: pki.bank.cert, keyPath: pki.bank.key } },
        { name: 'www.example.lab', identity: { kind: 'files', certPath: pki.example.cert, keyPath: pki.example.key } },
        // Given as a reader writes it; a client's SNI carries it in IDNA ASCII.
        { name: 'bücher.lab', identity: { kind: 'files', certPath: pki.example.cert, keyPath: pki.example.key } },
      ],
    });
    const idn = await sClient(server, ['-servername', 'xn--bcher-kva.lab'], GET('xn--bcher-kva.lab'));
    expect(idn.output).toMatch(/subject=CN ?= ?www\.example\.lab/);
    const bank = await sClient(server, ['-servername', 'www.bank32.com', '-verify_hostname', 'www.bank32.com'], GET('www.bank32.com'));
    expect(bank.output).toMatch(/subject=CN ?= ?www\.bank32\.com/);
    expect(bank.output).toContain('Verify return code: 0 (ok)');
    expect(bank.output).toContain('Bank32 Online Banking');
    const example = await sClient(server, ['-servername', 'www.example.lab', '-verify_hostname', 'www.example.lab'], GET('www.example.lab'));
    expect(example.output).toMatch(/subject=CN ?= ?www\.example\.lab/);
    expect(example.output).toContain('Verify return code: 0 (ok)');
    expect(example.output).toContain('<h1>www.example.lab</h1>');
    const none = await sClient(server, ['-noservername']);
    expect(none.output).toMatch(/subject=CN ?= ?localhost/);
    const sessions = wb.listSessions(10).filter((s) => isSessionOf(s, server));
    expect(sessions.map((s) => s.sni).sort()).toEqual([null, 'www.bank32.com', 'www.example.lab', 'xn--bcher-kva.lab'].sort());
    await wb.servers.stop(server.id);
  });

  it('HTTP/1.1 keep-alive: several requests on one connection, echo, a folder without path traversal', async () => {
    const site = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-site-'));
    fs.writeFileSync(path.join(site, 'index.html'), '<p>folder index</p>');
    fs.writeFileSync(path.join(os.tmpdir(), 'tlslab-secret.txt'), 'outside');
    const server = await start({ responder: { kind: 'dir', path: site } });
    const base = `https://www.bank32.com:${server.port}`;
    const curl = await run('curl', ['-sS', '--cacert', pki.caCert, '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, '--path-as-is',
      `${base}/`, `${base}/index.html`, `${base}/../tlslab-secret.txt`, `${base}/%2e%2e/tlslab-secret.txt`, '-w', ' [%{http_code}]\n']);
    expect(curl.stdout).toContain('<p>folder index</p> [200]');
    expect(curl.stdout).not.toContain('outside');
    expect(curl.stdout.match(/\[403\]/g)?.length).toBe(2);
    const s = await lastSession(server);
    expect(s.server?.requests).toBe(4);
    expect(wb.listSessions(10).filter((x) => x.target === server.address)).toHaveLength(1);
    await wb.servers.stop(server.id);

    // A large file is sent from disk piece by piece: whole and exact, twice on one connection,
    // with a small answer after it.
    const big = crypto.randomBytes(5 * 1024 * 1024 + 4321);
    fs.writeFileSync(path.join(site, 'big.bin'), big);
    const bigServer = await start({ responder: { kind: 'dir', path: site } });
    const bigBase = `https://www.bank32.com:${bigServer.port}`;
    const [first, second] = [path.join(site, 'got1'), path.join(site, 'got2')];
    const fetched = await run('curl', ['-sS', '--cacert', pki.caCert, '--resolve', `www.bank32.com:${bigServer.port}:127.0.0.1`,
      '-o', first, `${bigBase}/big.bin`, '-o', second, `${bigBase}/big.bin`, `${bigBase}/index.html`]);
    expect(fetched.code).toBe(0);
    expect(fetched.stdout).toBe('<p>folder index</p>');
    expect(fs.readFileSync(first).equals(big)).toBe(true);
    expect(fs.readFileSync(second).equals(big)).toBe(true);
    expect((await lastSession(bigServer)).server?.requests).toBe(3);
    await wb.servers.stop(bigServer.id);

    const echo = await start({ responder: { kind: 'echo' } });
    const out = await run('curl', ['-sS', '--cacert', pki.caCert, '--resolve', `www.bank32.com:${echo.port}:127.0.0.1`, '-H', 'X-Lab: hello', `https://www.bank32.com:${echo.port}/path?q=1`]);
    expect(out.stdout).toContain('GET /path?q=1 HTTP/1.1');
    expect(out.stdout).toContain('X-Lab: hello');
    await wb.servers.stop(echo.id);
  });

  it('a folder without index.html is listed, and a folder named without its slash is redirected to it', async () => {
    const site = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-listing-'));
    fs.mkdirSync(path.join(site, 'certs'));
    fs.writeFileSync(path.join(site, 'certs', 'ca.pem'), 'pem');
    fs.writeFileSync(path.join(site, 'notes <b>.txt'), 'notes');
    fs.writeFileSync(path.join(site, '.hidden'), 'hidden');
    const server = await start({ responder: { kind: 'dir', path: site } });
    const base = `https://www.bank32.com:${server.port}`;
    const curl = (...args: string[]) => run('curl', ['-sS', '--cacert', pki.caCert, '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, ...args]);
    const root = await curl(`${base}/`);
    expect(root.stdout).toContain('<title>Index of /</title>');
    // Folders first; a name is escaped in the text and encoded in the link; dot files are not listed.
    expect(root.stdout).toContain('<li><a href="certs/">certs/</a></li>\n<li><a href="notes%20%3Cb%3E.txt">notes &#60;b&#62;.txt</a></li>');
    expect(root.stdout).not.toContain('hidden');
    const redirected = await curl('-i', `${base}/certs?x=1`);
    expect(redirected.stdout).toMatch(/^HTTP\/1\.1 301 Moved Permanently\r\n/);
    expect(redirected.stdout).toContain('Location: /certs/?x=1\r\n');
    // Followed as a browser would, the relative links of the listing lead to the file.
    const followed = await curl('-L', `${base}/certs`);
    expect(followed.stdout).toContain('<li><a href="../">../</a></li>\n<li><a href="ca.pem">ca.pem</a></li>');
    expect((await curl(`${base}/certs/ca.pem`)).stdout).toBe('pem');
    expect((await curl(`${base}/notes%20%3Cb%3E.txt`)).stdout).toBe('notes');
    await wb.servers.stop(server.id);
    fs.rmSync(site, { recursive: true, force: true });
  });

  it('plain-bytes mode: a greeting after the handshake, then bytes echoed (SMTP-over-TLS style)', async () => {
    const server = await start({ responder: { kind: 'plain', greeting: '220 mail.bank32.com ESMTP lab\n' } });
    const script = [
      'import socket, ssl, sys',
      'ctx = ssl.create_default_context(cafile=sys.argv[1])',
      'with socket.create_connection(("127.0.0.1", int(sys.argv[2]))) as raw:',
      '    with ctx.wrap_socket(raw, server_hostname="www.bank32.com") as s:',
      '        f = s.makefile("rb")',
      '        print(f.readline().decode().strip())',
      '        s.sendall(b"EHLO student\\r\\n")',
      '        print(f.readline().decode().strip())',
    ].join('\n');
    const out = await run('python3', ['-c', script, pki.caCert, String(server.port)]);
    expect(out.stdout).toBe('220 mail.bank32.com ESMTP lab\nEHLO student\n');
    const s = await lastSession(server);
    expect(s.status).toBe('ok');
    await wb.servers.stop(server.id);
  });

  it('tickets off: no NewSessionTicket is sent', async () => {
    const server = await start({ tickets: false, maxVersion: 'TLSv1.2' });
    const out = await sClient(server, ['-servername', 'www.bank32.com']);
    expect(out.output).toContain('Verify return code: 0 (ok)');
    const s = await lastSession(server);
    expect(messages(s, 'server-to-client')).not.toContain('NewSessionTicket');
    await wb.servers.stop(server.id);
  });
});
