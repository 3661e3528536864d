// Replay of HTTP sessions in awkward shapes, recorded from a real Python server (several requests
// on one keep-alive connection, HEAD, a 304, gzip in chunks): what the replay server answers to
// curl and Python's http.client, and what client replay says about each request.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayServerInfo } from '../../src-main/api/replayTypes';
import { formatReplay } from '../../src-main/cli/replayCommands';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { run } from '../support/run';

const SHAPES_PY = String.raw`
import gzip, http.server, json, socketserver, ssl, sys
cert, key = sys.argv[1], sys.argv[2]
state = {'version': 'one'}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *a): pass
    # A fixed date, so that answers differ only where the server's content changed.
    def date_time_string(self, timestamp=None): return 'Thu, 01 Jan 2026 00:00:00 GMT'
    def body(self, data, ctype='text/plain', status=200, extra=()):
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        for k, v in extra: self.send_header(k, v)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD': self.wfile.write(data)
    def do_HEAD(self): self.do_GET()
    def do_GET(self):
        p = self.path
        if p == '/switch':
            state['version'] = 'two'
            return self.body(b'switched\n')
        if p.startswith('/gz'):
            data = gzip.compress(('gzip body version %s\n' % state['version']).encode() * 5, mtime=0)
            self.send_response(200); self.send_header('Content-Encoding', 'gzip'); self.send_header('Transfer-Encoding', 'chunked'); self.end_headers()
            for i in range(0, len(data), 20):
                part = data[i:i+20]; self.wfile.write(b'%x\r\n%s\r\n' % (len(part), part))
            self.wfile.write(b'0\r\n\r\n'); return
        if p == '/bin':
            return self.body(bytes([0, 1, 2, 255]) * 1024 if state['version'] == 'one' else bytes([0, 1, 2, 254]) * 1024, 'application/octet-stream')
        if p.startswith('/etag'):
            if self.headers.get('If-None-Match') == '"v1"':
                self.send_response(304); self.send_header('ETag', '"v1"'); self.end_headers(); return
            return self.body(b'etag body\n', extra=[('ETag', '"v1"')])
        return self.body(('page %s version %s\n' % (p, state['version'])).encode(), extra=[('X-Version', state['version'])])
    def do_POST(self):
        data = b''
        if 'chunked' in self.headers.get('Transfer-Encoding', ''):
            while True:
                size = int(self.rfile.readline().split(b';')[0], 16)
                if size == 0:
                    self.rfile.readline(); break
                data += self.rfile.read(size); self.rfile.readline()
        else:
            data = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        return self.body(b'posted ' + data + b'\n')
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
srv = S(('127.0.0.1', 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(json.dumps({'port': srv.server_address[1]}), flush=True)
srv.serve_forever()
`;

const CA = 'Review CA';
let tmp: string;
let wb: Workbench;
let pki: TestPki;
let caFile: string;
let shapes: ChildProcess;
let shapesPort: number;
let getId: number;
let keepAliveId: number;
let binaryId: number;
let chunkedPostId: number;
let etagFullId: number;

function startShapes(): Promise<number> {
  shapes = spawn('python3', ['-c', SHAPES_PY, pki.serverCert, pki.serverKey], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    shapes.once('error', reject);
    shapes.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(String(d)).port));
  });
}

function record(text: string): Promise<number> {
  return wb.recordClient({
    host: 'www.bank32.com',
    port: shapesPort,
    connectTo: '127.0.0.1',
    trust: { kind: 'file', path: pki.caCert },
    verifyPeer: true,
    checkHostname: true,
    send: { kind: 'text', text },
  });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-review-http-'));
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  pki = makeTestPki();
  await wb.workshop.createCa({ name: CA, subject: '/O=TLS Lab/CN=Review CA' });
  caFile = path.join(tmp, 'ca.pem');
  fs.writeFileSync(caFile, wb.workshop.trustAnchorsPem(CA).join(''));
  shapesPort = await startShapes();
  getId = await record('GET /page HTTP/1.1\nHost: www.bank32.com\nConnection: close\n\n');
  // A form posted in three chunks, as a streaming client sends it.
  chunkedPostId = await record('POST /form HTTP/1.1\nHost: www.bank32.com\nTransfer-Encoding: chunked\nConnection: close\n\n3\r\namo\r\n4\r\nunt=\r\n2\r\n10\r\n0\r\n\r\n');
  binaryId = await record('GET /bin HTTP/1.1\nHost: www.bank32.com\nConnection: close\n\n');
  // Four requests on one keep-alive connection, the last one closing it.
  keepAliveId = await record(
    'GET /one HTTP/1.1\nHost: www.bank32.com\n\n' +
      'GET /etag HTTP/1.1\nHost: www.bank32.com\nIf-None-Match: "v1"\n\n' +
      'GET /gz HTTP/1.1\nHost: www.bank32.com\n\n' +
      'HEAD /two HTTP/1.1\nHost: www.bank32.com\nConnection: close\n\n',
  );
  // The same page asked outright, after the keep-alive connection asked for it conditionally.
  etagFullId = await record('GET /etag HTTP/1.1\nHost: www.bank32.com\nConnection: close\n\n');
});

afterAll(async () => {
  shapes?.kill();
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

async function serving(ids: number[]): Promise<ReplayServerInfo> {
  return wb.replay.startServer({ ids, ca: CA, listen: '127.0.0.1:0' });
}

const HTTP_CLIENT_PY = String.raw`
import http.client, json, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
conn = http.client.HTTPSConnection('127.0.0.1', int(sys.argv[2]), context=ctx)
# The name is www.bank32.com (SNI and certificate check); the address is loopback.
conn.sock = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='www.bank32.com')
out = []
for method, target in json.loads(sys.argv[3]):
    conn.request(method, target, headers={'Host': 'www.bank32.com'})
    r = conn.getresponse()
    out.append({'status': r.status, 'body': r.read().decode('latin1')})
print(json.dumps(out))
`;

/** Python's http.client asks each request in turn on one kept-alive connection. */
async function pythonRequests(port: number, requests: [string, string][]): Promise<{ status: number; body: string }[]> {
  const out = await run('python3', ['-c', HTTP_CLIENT_PY, caFile, String(port), JSON.stringify(requests)], { timeoutMs: 20_000 });
  if (out.code !== 0) throw new Error(out.stderr);
  return JSON.parse(out.stdout);
}

describe('replay server: HEAD', () => {
  it('answers a HEAD for a recorded GET with that GET\'s head and no body, and the connection goes on', async () => {
    const server = await serving([getId]);
    try {
      const answers = await pythonRequests(server.port, [['HEAD', '/page'], ['GET', '/page']]);
      expect(answers).toEqual([
        { status: 200, body: '' },
        { status: 200, body: 'page /page version one\n' },
      ]);
      // curl agrees, and says nothing about a body it did not expect.
      const curl = await run('curl', ['-sS', '-I', '--http1.1', '--cacert', caFile, '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, `https://www.bank32.com:${server.port}/page`]);
      expect(curl.stderr).toBe('');
      expect(curl.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(curl.stdout).toContain('Content-Length: 23');
    } finally {
      await wb.replay.stopServer(server.id);
    }
  });

  it('an unmatched HEAD gets a 404 head without a body, so the next request on the connection is answered right', async () => {
    const server = await serving([keepAliveId]);
    try {
      // openssl s_client sends both at once on one connection: a body after the 404's head would
      // be read as the start of the next answer.
      const pipelined = 'HEAD /nothing-here HTTP/1.1\r\nHost: www.bank32.com\r\n\r\nHEAD /two HTTP/1.1\r\nHost: www.bank32.com\r\nConnection: close\r\n\r\n';
      const out = await run('openssl', ['s_client', '-quiet', '-connect', `127.0.0.1:${server.port}`, '-servername', 'www.bank32.com', '-CAfile', caFile, '-verify_return_error'], { input: pipelined, timeoutMs: 20_000 });
      const heads = out.stdout.split('\r\n\r\n');
      expect(heads[0]).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
      expect(heads[1]).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(heads[1]).toContain('X-Version: one');
      expect(heads.slice(2).join('')).toBe('');
    } finally {
      await wb.replay.stopServer(server.id);
    }
  });
});

describe('replay server: 304 Not Modified', () => {
  it('a client asking outright gets the recorded full answer, one asking conditionally the 304', async () => {
    const server = await serving([keepAliveId, etagFullId]);
    try {
      const curl = (extra: string[]) => run('curl', ['-sS', '-i', '--http1.1', '--cacert', caFile, '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, ...extra, `https://www.bank32.com:${server.port}/etag`]);
      const outright = await curl([]);
      expect(outright.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(outright.stdout.endsWith('\r\n\r\netag body\n')).toBe(true);
      expect((await curl(['-H', 'If-None-Match: "v1"'])).stdout).toMatch(/^HTTP\/1\.1 304 Not Modified\r\n/);
    } finally {
      await wb.replay.stopServer(server.id);
    }
  });

  it('when only a 304 was recorded, the session of a client asking outright says why it got no content', async () => {
    const server = await serving([keepAliveId]);
    const before = Math.max(...wb.listSessions(1000).map((s) => s.id));
    try {
      const got = await run('curl', ['-sS', '-i', '--http1.1', '--cacert', caFile, '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, `https://www.bank32.com:${server.port}/etag`]);
      expect(got.stdout).toMatch(/^HTTP\/1\.1 304 Not Modified\r\n/);
    } finally {
      await wb.replay.stopServer(server.id);
    }
    const served = wb.listSessions(1000).find((s) => s.kind === 'server' && s.id > before)!;
    const detail = await wb.session(served.id);
    const notes = detail.connections[0].timeline.flatMap((e) => (e.kind === 'note' ? [e.text] : []));
    expect(notes).toContain(
      'the recording answered GET /etag only with 304 Not Modified (its client had a copy cached); this client did not ask conditionally, so the 304 leaves it without the content: record the page again with the browser\'s cache empty',
    );
  });
});

describe('replay server: request bodies', () => {
  it('a body sent in other chunks, or with a Content-Length, is the same body: curl gets the recorded answer', async () => {
    const server = await serving([chunkedPostId]);
    try {
      const curl = (extra: string[]) =>
        run('curl', ['-sS', '--http1.1', '--cacert', caFile, '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, ...extra, '--data-binary', 'amount=10', `https://www.bank32.com:${server.port}/form`]);
      // curl sends the body as one chunk.
      expect((await curl(['-H', 'Transfer-Encoding: chunked'])).stdout).toBe('posted amount=10\n');
      expect((await curl([])).stdout).toBe('posted amount=10\n');
      // Another body is still another request.
      const other = await run('curl', ['-sS', '--http1.1', '--cacert', caFile, '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, '--data-binary', 'amount=99', `https://www.bank32.com:${server.port}/form`]);
      expect(other.stdout).toContain('no recorded response for POST /form');
    } finally {
      await wb.replay.stopServer(server.id);
    }
  });
});

describe('client replay of a keep-alive connection with several requests', () => {
  it('says which answer is to which request, and puts each change under the request it belongs to', async () => {
    // The server changes its content (version one to two) after the recording.
    const switched = await record('GET /switch HTTP/1.1\nHost: www.bank32.com\nConnection: close\n\n');
    expect((await wb.session(switched)).status).toBe('ok');
    const result = await wb.replay.replayClient({ id: keepAliveId });
    expect(result.error).toBeNull();
    expect(result.exchanges).toEqual([
      { number: 1, request: 'GET /one', original: 'HTTP/1.1 200 OK', replayed: 'HTTP/1.1 200 OK', identical: false },
      { number: 2, request: 'GET /etag', original: 'HTTP/1.1 304 Not Modified', replayed: 'HTTP/1.1 304 Not Modified', identical: true },
      { number: 3, request: 'GET /gz', original: 'HTTP/1.1 200 OK', replayed: 'HTTP/1.1 200 OK', identical: false },
      { number: 4, request: 'HEAD /two', original: 'HTTP/1.1 200 OK', replayed: 'HTTP/1.1 200 OK', identical: false },
    ]);
    const text = formatReplay(result);
    expect(text).toContain('4 requests on the connection, each with its answer (original | replay):');
    expect(text).toContain('2. GET /etag: HTTP/1.1 304 Not Modified | the same bytes');
    expect(text).toContain('3. GET /gz: HTTP/1.1 200 OK | HTTP/1.1 200 OK, differs');
    // The gzip body, decoded, differs under the third answer; the 304 has nothing to show.
    const changes = text.slice(text.indexOf('the answers differ'));
    expect(changes).toContain('@ [answer 3 of 4, to GET /gz]\n  - gzip body version one');
    expect(changes).toContain('@ [answer 4 of 4, to HEAD /two]\n  - X-Version: one\n  + X-Version: two');
    expect(changes).not.toContain('answer 2 of 4');
    // The texts the UI lays side by side carry the same lines.
    expect(result.original.text).toContain('[answer 2 of 4, to GET /etag]\nHTTP/1.1 304 Not Modified');
  });
});

describe('client replay of a binary download', () => {
  it('a binary body that changed shows as a changed line (its size, type and digest), not as "0 lines differ"', async () => {
    await record('GET /switch HTTP/1.1\nHost: www.bank32.com\nConnection: close\n\n');
    const result = await wb.replay.replayClient({ id: binaryId });
    expect(result.diff.identical).toBe(false);
    const text = formatReplay(result);
    expect(text).toContain('the answers differ: 1 line only in the original (-), 1 only in the replay (+)');
    expect(text).toMatch(/\n {2}- \[4096 bytes of binary body \(application\/octet-stream\), SHA-256 [0-9a-f]{16}…: not shown\]\n {2}\+ \[4096 bytes of binary body \(application\/octet-stream\), SHA-256 [0-9a-f]{16}…: not shown\]/);
  });
});
