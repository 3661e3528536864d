// The Replay panel on a keep-alive connection that carried two requests (to a Python server whose
// second page changes every time): a table names each request with the answer it got in the
// original and in the replay, and the diff marks where each answer starts.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, makeLabPki, newPage, startE2e, type E2eApp, type LabPki } from '../support/e2e';

const SERVER_PY = String.raw`
import http.server, json, socketserver, ssl, sys
count = [0]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *a): pass
    def date_time_string(self, timestamp=None): return 'Thu, 01 Jan 2026 00:00:00 GMT'
    def do_GET(self):
        if self.path == '/counter': count[0] += 1
        data = (('visit %d\n' % count[0]) if self.path == '/counter' else 'the same every time\n').encode()
        self.send_response(200); self.send_header('Content-Type', 'text/plain'); self.send_header('Content-Length', str(len(data))); self.end_headers()
        self.wfile.write(data)
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
srv = S(('127.0.0.1', 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(json.dumps({'port': srv.server_address[1]}), flush=True)
srv.serve_forever()
`;

let app: E2eApp;
let pki: LabPki;
let server: ChildProcess;
let port: number;

beforeAll(async () => {
  app = await startE2e('replay-review-requests');
  pki = makeLabPki(app.tmp, { subject: '/CN=www.bank32.com' });
  server = spawn('python3', ['-c', SERVER_PY, pki.cert, pki.key], { stdio: ['ignore', 'pipe', 'inherit'] });
  port = await new Promise((resolve) => server.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(String(d)).port)));
});

afterAll(async () => {
  server?.kill();
  await app?.close();
});

describe('Replay panel: several requests on one connection', () => {
  it('lists each request with both answers, and marks the one that changed', async () => {
    const id = await app.engine.workbench.recordClient({
      host: 'www.bank32.com', port, connectTo: '127.0.0.1', trust: { kind: 'file', path: pki.ca }, verifyPeer: true, checkHostname: true,
      send: { kind: 'text', text: 'GET /same HTTP/1.1\nHost: www.bank32.com\n\nGET /counter HTTP/1.1\nHost: www.bank32.com\nConnection: close\n\n' },
    });
    const page = await newPage(app.browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.engine.url);
    await page.goto(`${app.engine.url.split('#')[0]}#/sessions/${id}`);
    await page.getByTestId('replay-panel').waitFor();
    await page.getByTestId('replay-client').click();
    await page.getByTestId('replay-result').waitFor({ timeout: 30_000 });

    const rows = page.getByTestId('replay-exchange');
    expect(await rows.count()).toBe(2);
    expect((await rows.nth(0).innerText()).split('\t').map((c) => c.trim())).toEqual(['1', 'GET /same', 'HTTP/1.1 200 OK', 'the same bytes as the original']);
    expect((await rows.nth(1).innerText()).split('\t').map((c) => c.trim())).toEqual(['2', 'GET /counter', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK (differs)']);
    // The changed line sits under the second answer's marker.
    await page.getByText('[answer 2 of 2, to GET /counter]').first().waitFor();
    const changed = page.locator('[data-testid="replay-diff-row"].changed');
    expect(await changed.count()).toBe(1);
    expect(await changed.innerText()).toMatch(/visit 1\s+visit 2/);
    await page.getByTestId('replay-panel').screenshot({ path: path.join(SCREENSHOTS, 'replay-review-requests.png') });
    expect(errors).toEqual([]);
  });
});
