// Client replay against a real peer nobody here wrote: a Python ssl server (certificate from an
// openssl-made CA) that logs the exact bytes of every request it receives. The replay must reach
// it with the recorded request bytes, be recorded as a new session, and show the answers' diff.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src-main/cli/main';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { waitUntil } from '../support/waitUntil';

const LOGGING_SERVER = String.raw`
import base64, json, socket, ssl, sys
cert, key = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.keylog_filename = None
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0))
srv.listen(16)
print(json.dumps({'port': srv.getsockname()[1]}), flush=True)
n = 0
while True:
    raw, _ = srv.accept()
    try:
        s = ctx.wrap_socket(raw, server_side=True)
    except Exception as e:
        print(json.dumps({'error': str(e)}), flush=True)
        raw.close()
        continue
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
    head = data.split(b'\r\n\r\n', 1)[0].decode('latin1')
    length = 0
    for line in head.split('\r\n')[1:]:
        k, _, v = line.partition(':')
        if k.strip().lower() == 'content-length': length = int(v)
    while len(data) - len(head) - 4 < length:
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
    n += 1
    print(json.dumps({'n': n, 'version': s.version(), 'request': base64.b64encode(data).decode()}), flush=True)
    body = ('hello number %d\nfrom the logging server\n' % n).encode()
    s.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Count: ' + str(n).encode() + b'\r\nContent-Length: ' + str(len(body)).encode() + b'\r\nConnection: close\r\n\r\n' + body)
    try:
        s.unwrap()
    except Exception:
        pass
    s.close()
`;

interface LoggedRequest {
  n: number;
  version: string;
  request: string;
}

class LoggingServer {
  readonly requests: LoggedRequest[] = [];
  port = 0;
  private constructor(readonly child: ChildProcess) {}

  static start(pki: TestPki): Promise<LoggingServer> {
    const child = spawn('python3', ['-c', LOGGING_SERVER, pki.serverCert, pki.serverKey], { stdio: ['ignore', 'pipe', 'inherit'] });
    const server = new LoggingServer(child);
    return new Promise((resolve, reject) => {
      let buffered = '';
      child.on('error', reject);
      child.stdout!.on('data', (d: Buffer) => {
        buffered += d.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = JSON.parse(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          if (line.port) {
            server.port = line.port;
            resolve(server);
          } else if (line.request !== undefined) server.requests.push(line);
        }
      });
    });
  }

  /** Waits until `count` requests have been logged (the log line follows the answer by a moment). */
  async logged(count: number): Promise<LoggedRequest[]> {
    await waitUntil(() => `the upstream to log ${count} request(s) (${this.requests.length} so far)`, () => this.requests.length >= count);
    return this.requests;
  }

  stop(): void {
    this.child.kill();
  }
}

let tmp: string;
let wb: Workbench;
let pki: TestPki;
let server: LoggingServer;
let second: LoggingServer;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-client-'));
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  pki = makeTestPki();
  server = await LoggingServer.start(pki);
  second = await LoggingServer.start(pki);
});

afterAll(async () => {
  server?.stop();
  second?.stop();
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

async function recordGet(urlPath: string, port = server.port): Promise<number> {
  return wb.recordClient({
    host: 'www.bank32.com',
    port,
    connectTo: '127.0.0.1',
    trust: { kind: 'file', path: pki.caCert },
    verifyPeer: true,
    checkHostname: true,
    send: { kind: 'http-get', path: urlPath },
  });
}

describe('client replay', () => {
  it('reaches the server with the same request bytes, as a new recorded session, and shows the diff of the answers', async () => {
    const before = server.requests.length;
    const id = await recordGet('/account?user=alice&page=2');
    const original = await wb.session(id);
    expect(original.status).toBe('ok');
    await server.logged(before + 1);

    const result = await wb.replay.replayClient({ id });
    const logged = await server.logged(before + 2);
    const [first, again] = logged.slice(before, before + 2).map((r) => Buffer.from(r.request, 'base64'));
    expect(first.toString('latin1')).toContain('GET /account?user=alice&page=2 HTTP/1.1\r\nHost: www.bank32.com:');
    // The server received exactly the same bytes twice.
    expect(again.equals(first)).toBe(true);

    expect(result.originalId).toBe(id);
    expect(result.replayId).not.toBe(id);
    expect(result.error).toBeNull();
    expect(result.requestIdentical).toBe(true);
    expect(result.requestBytes).toBe(first.length);
    expect(result.original.httpStatus).toBe('HTTP/1.1 200 OK');
    expect(result.replayed.httpStatus).toBe('HTTP/1.1 200 OK');
    const n1 = logged[before].n;
    expect(result.original.text).toContain(`hello number ${n1}\n`);
    expect(result.replayed.text).toContain(`hello number ${n1 + 1}\n`);
    expect(result.diff.identical).toBe(false);
    const changed = result.diff.lines.filter((l) => l.op !== 'same');
    expect(changed).toEqual([
      { op: 'removed', text: `X-Count: ${n1}` },
      { op: 'added', text: `X-Count: ${n1 + 1}` },
      { op: 'removed', text: `hello number ${n1}` },
      { op: 'added', text: `hello number ${n1 + 1}` },
    ]);
    expect(result.diff.lines.some((l) => l.op === 'same' && l.text === 'from the logging server')).toBe(true);

    // The replay is a session of its own: recorded, verified as the original was, named and tagged.
    const replay = await wb.session(result.replayId);
    expect(replay.kind).toBe('client');
    expect(replay.status).toBe('ok');
    expect(replay.verification?.accepted).toBe(true);
    expect(replay.sni).toBe('www.bank32.com');
    expect(wb.exchange.entry(result.replayId)).toMatchObject({ name: `replay of #${id}`, tags: ['replay'] });
    expect(result.replay.id).toBe(result.replayId);
  });

  it('goes to another target with other TLS settings when asked', async () => {
    const id = await recordGet('/other');
    const before = second.requests.length;
    const result = await wb.replay.replayClient({ id, to: `127.0.0.1:${second.port}`, tls: { maxVersion: 'TLSv1.2' } });
    const logged = await second.logged(before + 1);
    expect(logged[before].version).toBe('TLSv1.2');
    expect(Buffer.from(logged[before].request, 'base64').toString('latin1')).toMatch(/^GET \/other HTTP\/1\.1\r\n/);
    expect(result.requestIdentical).toBe(true);
    expect(result.connectTo).toBe(`127.0.0.1:${second.port}`);
    const replay = await wb.session(result.replayId);
    expect(replay.version).toBe('TLSv1.2');
    expect(replay.address).toBe(`127.0.0.1:${second.port}`);
  });

  it('reports a failed replay (nothing listening) without losing the comparison', async () => {
    const id = await recordGet('/gone');
    const stopped = await LoggingServer.start(pki);
    const port = stopped.port;
    // Gone for sure: its process has exited (its listening socket closed with it).
    const exited = new Promise((r) => stopped.child.once('exit', r));
    stopped.stop();
    await exited;
    const result = await wb.replay.replayClient({ id, to: `127.0.0.1:${port}` });
    expect(result.error?.code).toBeTruthy();
    expect(result.error?.message).toMatch(/refused|nothing|listen/i);
    expect(result.replayed.bytes).toBe(0);
    expect(result.requestIdentical).toBe(false);
    expect(result.diff.identical).toBe(false);
    expect(result.diff.removed).toBeGreaterThan(0);
  });

  it('bad input gets one clear error: unknown session, no application data, unknown CA', async () => {
    await expect(wb.replay.replayClient({ id: 999_999 })).rejects.toThrow(/there is no session 999999/);
    const quiet = await wb.recordClient({
      host: 'www.bank32.com',
      port: server.port,
      connectTo: '127.0.0.1',
      trust: { kind: 'file', path: pki.caCert },
      verifyPeer: true,
      checkHostname: true,
      send: { kind: 'none' },
    });
    await expect(wb.replay.replayClient({ id: quiet })).rejects.toThrow(/no application data/);
    const id = await recordGet('/ca');
    await expect(wb.replay.replayClient({ id, tls: { trust: { kind: 'lab', name: 'No Such CA' } } })).rejects.toThrow(/No Such CA/);
  });

  it('tlslab replay ID --json prints the comparison; a missing session exits non-zero with one line', async () => {
    const id = await recordGet('/cli');
    const dataDir = wb.dataDir;
    // The CLI opens its own Workbench on the same folder.
    const out: string[] = [];
    const err: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    let status: number;
    let missing: number;
    try {
      status = await runCli(['--data-dir', dataDir, 'replay', String(id), '--json']);
      missing = await runCli(['--data-dir', dataDir, 'replay', '424242']);
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
    expect(status).toBe(0);
    const parsed = JSON.parse(out.join(''));
    expect(parsed.originalId).toBe(id);
    expect(parsed.requestIdentical).toBe(true);
    expect(missing).toBe(1);
    expect(err.join('')).toMatch(/^tlslab: there is no session 424242/);
  });
});
