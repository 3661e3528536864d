// Replaying a session recorded past its recording cap: the bytes beyond the cap were counted, not
// stored, so the replay cannot send or compare them, and it must say so rather than present a cut
// request or answer as the whole. The peer is Python's http.server behind ssl.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReplay } from '../../src-main/cli/replayCommands';
import { parseResponses } from '../../src-main/replay/httpMatch';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { loopbackGet } from '../support/clientRequest';

const PYTHON_HTTPS = String.raw`
import http.server, json, ssl, sys, functools
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
class Handler(http.server.SimpleHTTPRequestHandler):
    # A fixed date: the original and its replay may fall in two different seconds.
    def date_time_string(self, timestamp=None): return 'Thu, 01 Jan 2026 00:00:00 GMT'
    def do_GET(self):
        if self.path != '/one-write':
            return super().do_GET()
        # Head and a large body in one write: the first TLS record holds both.
        body = b'x' * 40000
        self.wfile.write(b'HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
handler = functools.partial(Handler, directory=sys.argv[3])
srv = http.server.HTTPServer(('127.0.0.1', 0), handler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(json.dumps({'port': srv.server_address[1]}), flush=True)
srv.serve_forever()
`;

let tmp: string;
let pki: TestPki;
let wb: Workbench;
let python: ChildProcess;
let port = 0;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-cap-'));
  pki = makeTestPki();
  const site = path.join(tmp, 'site');
  fs.mkdirSync(site);
  fs.writeFileSync(path.join(site, 'big.txt'), Array.from({ length: 2000 }, (_, i) => `line ${i} of the big file`).join('\n'));
  // 8 KiB per connection and direction: the handshake and the start of the data fit, the rest is only counted.
  wb = new Workbench({ dataDir: path.join(tmp, 'data'), recordCapBytes: 8192 });
  python = spawn('python3', ['-c', PYTHON_HTTPS, pki.serverCert, pki.serverKey, site], { stdio: ['ignore', 'pipe', 'ignore'] });
  port = await new Promise<number>((resolve, reject) => {
    python.once('error', reject);
    // Its first line, however the pipe cuts it.
    let out = '';
    python.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]).port);
    });
  });
});

afterAll(async () => {
  python?.kill();
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

function record(text: string): Promise<number> {
  return wb.recordClient(loopbackGet('www.bank32.com', port, pki.caCert, { send: { kind: 'text', text } }));
}

describe('replay of a session beyond its recording cap', () => {
  it('says the answer was cut by the cap, and compares only what was stored', async () => {
    const id = await record('GET /big.txt HTTP/1.0\r\nHost: www.bank32.com\r\n\r\n');
    const result = await wb.replay.replayClient({ id });
    expect(result.original.notStoredBytes).toBeGreaterThan(0);
    const printed = formatReplay(result);
    expect(printed).toContain(`the recording of session ${id} kept only the start of the server's answer`);
    expect(printed).toMatch(/\d+ more bytes were counted, not stored, past the recording cap/);
    // The replay is recorded with the same cap: what both kept is the same file's start.
    expect(printed).toContain('the stored parts of the answers are identical (what was not stored could not be compared)');
    expect(printed).not.toMatch(/^ {2}the answers are identical$/m);
  });

  it('refuses, saying why, when the request itself lies past the cap', async () => {
    // One 12 KB record: its start is stored, but a record cut short cannot be decrypted.
    const id = await record(`GET /big.txt?pad=${'x'.repeat(12_000)} HTTP/1.0\r\nHost: www.bank32.com\r\n\r\n`);
    await expect(wb.replay.replayClient({ id })).rejects.toThrow(
      new RegExp(`^what the client of session ${id} sent lies past the recording cap \\(\\d+ bytes were counted, not stored\\), so there is nothing to send again; record the session again with a larger recording cap$`),
    );
  });

  it('replay-server says which answers were cut, serves what was stored and then closes', async () => {
    const id = await record('GET /big.txt HTTP/1.0\r\nHost: www.bank32.com\r\n\r\n');
    await wb.workshop.createCa({ name: 'Cap CA', subject: '/CN=Cap CA' });
    const caFile = path.join(tmp, 'cap-ca.pem');
    fs.writeFileSync(caFile, wb.workshop.trustAnchorsPem('Cap CA').join(''));
    const info = await wb.replay.startServer({ ids: [id], ca: 'Cap CA', listen: '127.0.0.1:0' });
    try {
      expect(info.notes.join('\n')).toMatch(new RegExp(`the recording of session ${id} kept only the start of the server's answers \\(\\d+ more bytes were counted, not stored, past the recording cap\\)`));
      const curl = await promisify(execFile)('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', caFile, '--resolve', `www.bank32.com:${info.port}:127.0.0.1`, `https://www.bank32.com:${info.port}/big.txt`]).then(
        () => ({ code: 0 }),
        (e: { code: number }) => ({ code: e.code }),
      );
      // 18: "transfer closed with outstanding read data remaining", at once rather than a hang.
      expect(curl.code).toBe(18);
    } finally {
      await wb.replay.stopServer(info.id);
    }
  });

  it('a keep-alive answer cut short closes the connection after it, rather than leave the client waiting', () => {
    const cut = new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: keep-alive\r\n\r\nonly the start');
    expect(parseResponses(cut, [{ method: 'GET' }])[0].closes).toBe(true);
    const chunked = new TextEncoder().encode('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly the');
    expect(parseResponses(chunked, [{ method: 'GET' }])[0].closes).toBe(true);
  });

  it('replay-server refuses, saying why, when every answer lies past the cap', async () => {
    const id = await record('GET /one-write HTTP/1.0\r\nHost: www.bank32.com\r\n\r\n');
    await expect(wb.replay.startServer({ ids: [id], ca: 'Cap CA', listen: '127.0.0.1:0' })).rejects.toThrow(
      new RegExp(`^the server's answers in session ${id} lie past the recording cap \\(\\d+ bytes were counted, not stored\\), so there is nothing to play back; record the session again with a larger recording cap$`),
    );
  });
});
