// Client replay of a kept-alive connection whose client waited for each answer before the next
// request (Python's http.client): the replay sends the requests the same way, so that a server
// that reads one request per read, and drops what came with it, still answers each one.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReplay } from '../../src-main/cli/replayCommands';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { run } from '../support/run';

/** Answers what it reads in one read as one request: a second request that came in the same read is lost. */
const ONE_PER_READ_PY = String.raw`
import json, socket, ssl, sys, threading
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen()
print(json.dumps({'port': srv.getsockname()[1]}), flush=True)
def handle(c):
    try:
        s = ctx.wrap_socket(c, server_side=True)
        n = 0
        while True:
            data = s.recv(65536)
            if not data: break
            n += 1
            body = ('answer %d to %s\n' % (n, data.split(b'\r\n')[0].decode())).encode()
            s.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
        s.close()
    except Exception:
        pass
while True:
    c, _ = srv.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
`;

/** Python's http.client: each request once the answer to the one before has been read. */
const IN_TURN_PY = String.raw`
import http.client, json, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
conn = http.client.HTTPSConnection('www.bank32.com', int(sys.argv[2]), context=ctx)
conn.sock = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='www.bank32.com')
out = []
for target in ['/first', '/second', '/third']:
    conn.request('GET', target)
    r = conn.getresponse()
    out.append(r.status); r.read()
print(json.dumps(out))
`;

let tmp: string;
let wb: Workbench;
let pki: TestPki;
let onePerRead: ChildProcess;
let onePerReadPort: number;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-paced-'));
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  pki = makeTestPki();
  onePerRead = spawn('python3', ['-c', ONE_PER_READ_PY, pki.serverCert, pki.serverKey], { stdio: ['ignore', 'pipe', 'inherit'] });
  onePerReadPort = await new Promise<number>((resolve, reject) => {
    onePerRead.once('error', reject);
    onePerRead.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(String(d)).port));
  });
});

afterAll(async () => {
  onePerRead?.kill();
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('client replay of a client that waited for each answer', () => {
  it('sends each request once the answer to the one before has come, so a server that takes one request per read answers all three', async () => {
    // The recording: Python asks a lab server for three pages on one kept-alive connection.
    const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.serverCert, keyPath: pki.serverKey }, responder: { kind: 'echo' } });
    const asked = await run('python3', ['-c', IN_TURN_PY, pki.caCert, String(server.port)], { timeoutMs: 20_000 });
    expect(asked.stderr).toBe('');
    expect(JSON.parse(asked.stdout)).toEqual([200, 200, 200]);
    await wb.servers.stop(server.id);
    await wb.writer.written();
    const recorded = wb.listSessions().find((s) => s.kind === 'server');
    expect(recorded).toBeDefined();

    // Sent again to the server that reads one request at a time.
    const result = await wb.replay.replayClient({ id: recorded!.id, to: `127.0.0.1:${onePerReadPort}`, tls: { trust: { kind: 'file', path: pki.caCert }, verifyPeer: true } });
    expect(result.error).toBeNull();
    expect(result.exchanges.map((e) => [e.request, e.replayed])).toEqual([
      ['GET /first', 'HTTP/1.1 200 OK'],
      ['GET /second', 'HTTP/1.1 200 OK'],
      ['GET /third', 'HTTP/1.1 200 OK'],
    ]);
    expect(result.replayed.text).toContain('answer 3 to GET /third HTTP/1.1');
    // The replay's timeline says how it sent them.
    const replay = await wb.session(result.replayId);
    const notes = replay.connections[0].timeline.flatMap((e) => (e.kind === 'note' ? [e.text] : []));
    expect(notes).toContain('the client sends its data in 3 turns, each once the server has answered the one before, as the recorded client did');
    expect(formatReplay(result)).toContain('3 requests on the connection, each with its answer (original | replay):');
  });
});
