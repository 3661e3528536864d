// The client against the lab's kind of server: Python's http.server behind its ssl module. It
// closes its socket right after the answer, without a close_notify, so the client's own
// close_notify meets a closed socket and the server's system answers with a TCP reset.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionDetail } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { freePort, waitForPort } from '../support/ports';
import { loopbackGet } from '../support/clientRequest';

const SERVER = `
import http.server, ssl, sys
cert, key, port, root = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=root, **k)
httpd = http.server.HTTPServer(('127.0.0.1', port), handler)
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
httpd.serve_forever()
`;

let pki: TestPki;
let python: ChildProcess;
let port: number;
let wb: Workbench;

beforeAll(async () => {
  pki = makeTestPki();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-pyroot-'));
  fs.writeFileSync(path.join(root, 'index.html'), '<p>Bank32 says hello</p>\n');
  port = await freePort();
  python = spawn('python3', ['-c', SERVER, pki.serverCert, pki.serverKey, String(port), root], { stdio: 'ignore' });
  await waitForPort(port);
  wb = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-client-py-')) });
});

afterAll(async () => {
  await wb?.close();
  python?.kill();
});

function notes(session: SessionDetail): string[] {
  return session.connections[0].timeline.flatMap((e) => (e.kind === 'note' ? [e.text] : []));
}

describe('client against Python http.server with ssl', () => {
  for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${maxVersion}: the answer is complete and the session ok, though the server resets the connection after its answer`, async () => {
      const s = await wb.runClient(loopbackGet('www.bank32.com', port, pki.caCert, { maxVersion }));
      expect(s.error).toBeNull();
      expect(s.status).toBe('ok');
      expect(s.version).toBe(maxVersion);
      expect(s.response?.text).toMatch(/^HTTP\/1\.0 200 OK\r\n/);
      expect(s.response?.text).toContain('<p>Bank32 says hello</p>');
      // When the reset came (it does on this machine), the timeline says what it was.
      const resetNotes = notes(s).filter((n) => n.includes('TCP reset'));
      expect(resetNotes.length).toBeLessThanOrEqual(1);
      if (resetNotes.length) expect(resetNotes[0]).toContain('everything the server sent had arrived');
    });
  }
});
