// Server replay with the original server stopped: curl and Python's ssl client, trusting only the
// workshop CA, get the recorded response bytes from the replay server; unmatched requests get
// 404, 502 or a closed connection as chosen; a non-HTTP session plays the server's bytes back.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayServerInfo, ReplayServerRequest } from '../../src-main/api/replayTypes';
import { sessionTraffic } from '../../src-main/replay/recordedTraffic';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { run } from '../support/run';

const CA = 'Replay Lab CA';
let tmp: string;
let wb: Workbench;
let pki: TestPki;
let caFile: string;
let httpId: number;
let postId: number;
let plainId: number;
let recordedResponse: Buffer;

const PY_CLIENT = String.raw`
import base64, json, socket, ssl, sys
cafile, port, host, request, expect = sys.argv[1], int(sys.argv[2]), sys.argv[3], base64.b64decode(sys.argv[4]), int(sys.argv[5])
ctx = ssl.create_default_context(cafile=cafile)
with socket.create_connection(('127.0.0.1', port)) as raw:
    with ctx.wrap_socket(raw, server_hostname=host) as s:
        issuer = dict(x[0] for x in s.getpeercert()['issuer'])
        if request: s.sendall(request)
        data = b''
        while True:
            try:
                chunk = s.recv(65536)
            except (ssl.SSLEOFError, ConnectionResetError):
                break
            if not chunk: break
            data += chunk
            if expect and len(data) >= expect: break
print(json.dumps({'issuer': issuer.get('commonName'), 'response': base64.b64encode(data).decode()}))
`;

/** Sends the request and reads until the server closes (or until `expect` bytes arrived). */
async function pythonClient(port: number, request: string | Buffer, host = 'www.bank32.com', expect = 0): Promise<{ issuer: string; response: Buffer }> {
  const out = await run('python3', ['-c', PY_CLIENT, caFile, String(port), host, Buffer.from(request).toString('base64'), String(expect)], { timeoutMs: 20_000 });
  if (out.code !== 0) throw new Error(out.stderr);
  const parsed = JSON.parse(out.stdout);
  return { issuer: parsed.issuer, response: Buffer.from(parsed.response, 'base64') };
}

function curl(port: number, urlPath: string, extra: string[] = []) {
  return run('curl', ['-sS', '-i', '--http1.1', '--cacert', caFile, '--resolve', `www.bank32.com:${port}:127.0.0.1`, ...extra, `https://www.bank32.com:${port}${urlPath}`]);
}

async function start(request: Partial<ReplayServerRequest> = {}): Promise<ReplayServerInfo> {
  return wb.replay.startServer({ ids: [httpId], ca: CA, listen: '127.0.0.1:0', ...request });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-server-'));
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  pki = makeTestPki();
  await wb.workshop.createCa({ name: CA, subject: '/O=TLS Lab/CN=Replay Lab CA' });
  caFile = path.join(tmp, 'ca.pem');
  fs.writeFileSync(caFile, wb.workshop.trustAnchorsPem(CA).join(''));

  // The original server: a lab server (HTTP, built-in bank32 page; and an echo for a POST), and a
  // plain one that greets and echoes. Each is stopped before anything is replayed.
  const identity = { kind: 'files' as const, certPath: pki.serverCert, keyPath: pki.serverKey };
  const web = await wb.servers.start({ host: '127.0.0.1', port: 0, identity, responder: { kind: 'builtin', page: 'bank32' } });
  const port = Number(web.address.split(':').pop());
  const client = (send: Parameters<Workbench['recordClient']>[0]['send'], p = port) =>
    wb.recordClient({ host: 'www.bank32.com', port: p, connectTo: '127.0.0.1', trust: { kind: 'file', path: pki.caCert }, verifyPeer: true, checkHostname: true, send });
  httpId = await client({ kind: 'http-get', path: '/login?next=%2Fhome&lang=en' });
  await wb.servers.stop(web.id);

  const echo = await wb.servers.start({ host: '127.0.0.1', port: 0, identity, responder: { kind: 'echo' } });
  postId = await client({ kind: 'text', text: 'POST /transfer HTTP/1.1\nHost: www.bank32.com\nContent-Length: 9\nConnection: close\n\namount=10' }, Number(echo.address.split(':').pop()));
  await wb.servers.stop(echo.id);

  const plain = await wb.servers.start({ host: '127.0.0.1', port: 0, identity, responder: { kind: 'plain', greeting: '220 bank32 ready\n' } });
  plainId = await client({ kind: 'text', text: 'HELO lab\n' }, Number(plain.address.split(':').pop()));
  await wb.servers.stop(plain.id);

  const traffic = sessionTraffic(wb.exchange.load(httpId), httpId);
  recordedResponse = Buffer.from(traffic[0].serverBytes);
  expect(recordedResponse.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
});

afterAll(async () => {
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('server replay', () => {
  it('curl, trusting only the workshop CA, gets the recorded response bytes (query parameters in any order)', async () => {
    const server = await start();
    expect(server.hostnames).toEqual(['www.bank32.com']);
    expect(server.requests).toEqual(['GET /login?lang=en&next=%2Fhome']);
    const same = await curl(server.port, '/login?next=%2Fhome&lang=en');
    expect(same.stderr).toBe('');
    expect(same.code).toBe(0);
    expect(Buffer.from(same.stdout, 'latin1').equals(recordedResponse) || same.stdout === recordedResponse.toString('utf8')).toBe(true);
    const reordered = await curl(server.port, '/login?lang=en&next=%2Fhome');
    expect(reordered.stdout).toBe(same.stdout);
    // A client limited to HTTP/1.0 by ALPN is served too.
    const old = await curl(server.port, '/login?next=%2Fhome&lang=en', ['--http1.0']);
    expect(old.code).toBe(0);
    expect(old.stdout).toBe(same.stdout);
    const info = await wb.replay.stopServer(server.id);
    expect(info.matched).toBe(3);
    expect(info.connections).toBe(3);
  });

  it("Python's ssl client gets the same bytes, through a certificate forged by the chosen CA; its connection is recorded", async () => {
    const server = await start();
    const before = new Set(wb.listSessions(1000).map((s) => s.id));
    const got = await pythonClient(server.port, 'GET /login?next=%2Fhome&lang=en HTTP/1.1\r\nHost: www.bank32.com\r\nConnection: close\r\n\r\n');
    expect(got.issuer).toBe(CA);
    expect(got.response.equals(recordedResponse)).toBe(true);
    await wb.replay.stopServer(server.id);
    await wb.writer.written();
    const recorded = wb.listSessions(1000).filter((s) => !before.has(s.id) && s.kind === 'server');
    expect(recorded).toHaveLength(1);
    expect(recorded[0].error).toBeNull();
    expect(recorded[0].status).toBe('ok');
    expect(recorded[0].sni).toBe('www.bank32.com');
    expect(wb.exchange.entry(recorded[0].id).tags).toEqual(['replay']);
    // What the replay server sent is in the new session, decrypted like any other.
    const sent = sessionTraffic(wb.exchange.load(recorded[0].id), recorded[0].id)[0];
    expect(Buffer.from(sent.serverBytes).equals(recordedResponse)).toBe(true);
  });

  it('unmatched requests get 404, 502 or a closed connection, as chosen', async () => {
    const s404 = await start({ unmatched: '404' });
    const r404 = await curl(s404.port, '/nothing-here');
    expect(r404.stdout).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(r404.stdout).toContain('no recorded response for GET /nothing-here');
    // Another host name is not the recorded one: unmatched too, unless the host is ignored.
    const otherHost = await pythonClient(s404.port, 'GET /login?next=%2Fhome&lang=en HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n', 'evil.example');
    expect(otherHost.response.toString('latin1')).toMatch(/^HTTP\/1\.1 404 /);
    await wb.replay.stopServer(s404.id);

    const ignoring = await start({ ignoreHost: true });
    const anyHost = await pythonClient(ignoring.port, 'GET /login?next=%2Fhome&lang=en HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n', 'evil.example');
    expect(anyHost.response.equals(recordedResponse)).toBe(true);
    await wb.replay.stopServer(ignoring.id);

    const s502 = await start({ unmatched: '502' });
    expect((await curl(s502.port, '/nothing-here')).stdout).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    await wb.replay.stopServer(s502.id);

    const closing = await start({ unmatched: 'close' });
    const closed = await curl(closing.port, '/nothing-here');
    expect(closed.code).toBe(52); // curl: "Empty reply from server"
    const py = await pythonClient(closing.port, 'GET /nothing-here HTTP/1.1\r\nHost: www.bank32.com\r\n\r\n');
    expect(py.response.length).toBe(0);
    const info = await wb.replay.stopServer(closing.id);
    expect(info.unmatchedRequests).toBe(2);
  });

  it('matches bodies unless told to ignore them', async () => {
    const recorded = Buffer.from(sessionTraffic(wb.exchange.load(postId), postId)[0].serverBytes);
    const server = await start({ ids: [postId] });
    const post = (body: string) => pythonClient(server.port, `POST /transfer HTTP/1.1\r\nHost: www.bank32.com\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    expect((await post('amount=10')).response.equals(recorded)).toBe(true);
    expect((await post('amount=99')).response.toString('latin1')).toMatch(/^HTTP\/1\.1 404 /);
    await wb.replay.stopServer(server.id);
    const loose = await start({ ids: [postId], ignoreBody: true });
    const got = await pythonClient(loose.port, 'POST /transfer HTTP/1.1\r\nHost: www.bank32.com\r\nContent-Length: 9\r\nConnection: close\r\n\r\namount=99');
    expect(got.response.equals(recorded)).toBe(true);
    await wb.replay.stopServer(loose.id);
  });

  it("a non-HTTP session answers with the server's bytes in order", async () => {
    const server = await start({ ids: [plainId] });
    expect(server.streams).toBe(1);
    expect(server.exchanges).toBe(0);
    // The original client closed the connection, so the replay server keeps it open after its last
    // recorded byte: this client stops once it has as many bytes as were recorded.
    const expected = '220 bank32 ready\r\nHELO lab\r\n';
    const got = await pythonClient(server.port, 'HELO lab\r\n', 'www.bank32.com', expected.length);
    // The greeting first, then the echo of the client's line, as recorded.
    expect(got.response.toString('latin1')).toBe(expected);
    await wb.replay.stopServer(server.id);
  });

  it('bad input gets one clear error: unknown session, session with no application data, unknown CA, not loopback', async () => {
    await expect(start({ ids: [999_999] })).rejects.toThrow(/there is no session 999999/);
    const quiet = await wb.recordClient({ host: '127.0.0.1', port: 1, trust: { kind: 'system' }, verifyPeer: false, checkHostname: false, send: { kind: 'none' } });
    await expect(start({ ids: [quiet] })).rejects.toThrow(/no application data/);
    await expect(start({ ca: 'No Such CA' })).rejects.toThrow(/No Such CA/);
    await expect(start({ listen: '0.0.0.0:0' })).rejects.toThrow(/loopback/);
    expect(wb.replay.list()).toEqual([]);
  });

  it('tlslab replay-server prints how to reach it, and those commands work as they are', async () => {
    await wb.writer.written();
    const bin = path.resolve('bin/tlslab.mjs');
    const dataDir = path.join(tmp, 'data');
    // The data folder from TLSLAB_HOME, as a class's shell would set it: the printed commands then
    // name no folder and find it the same way (with --data-dir they carry it; server-start.test.ts).
    const env = { ...process.env, TLSLAB_HOME: dataDir };
    const child = spawn(process.execPath, [bin, 'replay-server', String(httpId), '--ca', CA, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const curlLine = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (d) => {
        buffer += d;
        const parts = buffer.split('\n');
        buffer = parts.pop()!;
        lines.push(...parts);
        const found = lines.find((l) => l.startsWith('    curl '));
        if (found) resolve(found);
      });
      child.once('exit', () => reject(new Error(`tlslab replay-server exited: ${stderr}`)));
    });
    expect(lines[0]).toMatch(/^replaying session \d+ on https:\/\/127\.0\.0\.1:\d+\/ \(stop with Ctrl-C\)$/);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(lines[0])![1]);
    const exportLine = lines[lines.indexOf(curlLine) - 1];
    expect(exportLine).toBe(`    tlslab ca export '${CA}' --out ca.pem`);
    expect(curlLine).toBe(`    curl --cacert ca.pem --resolve www.bank32.com:${port}:127.0.0.1 'https://www.bank32.com:${port}/login?lang=en&next=%2Fhome'`);
    const cwd = fs.mkdtempSync(path.join(tmp, 'try-'));
    const script = `tlslab() { "${process.execPath}" "${bin}" "$@"; }\n${exportLine.trim()} >/dev/null && ${curlLine.trim()} -sS`;
    const shell = await run('sh', ['-c', script], { cwd, env });
    expect(shell.stderr).toBe('');
    expect(shell.stdout.length).toBeGreaterThan(0);
    expect(recordedResponse.toString('utf8').endsWith(shell.stdout)).toBe(true);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  });
});
