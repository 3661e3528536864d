// The workbench's client speaks HTTP/1.1. Against a real HTTP/2 server (Node's http2, which also
// takes HTTP/1.1 when ALPN says so), offering h2 must not end in a binary "response".
import fs from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/workbench';
import { loopbackGet } from '../support/clientRequest';
import { makeTestPki, type TestPki } from '../support/opensslPki';

let pki: TestPki;
let server: http2.Http2SecureServer;
let port: number;
let wb: Workbench;

beforeAll(async () => {
  pki = makeTestPki('tlslab-alpn-');
  server = http2.createSecureServer(
    { cert: fs.readFileSync(pki.serverCert), key: fs.readFileSync(pki.serverKey), allowHTTP1: true },
    (req, res) => res.end(`served over HTTP/${req.httpVersion}\n`),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  wb = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-alpn-')) });
});
afterAll(async () => {
  await wb?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('client ALPN and the HTTP it speaks', () => {
  it('when the server picks h2, no HTTP/1.1 request is sent and the session says why', async () => {
    const s = await wb.runClient(loopbackGet('www.bank32.com', port, pki.caCert, { alpn: ['h2', 'http/1.1'] }));
    expect(s.alpn).toBe('h2');
    expect(s.verification?.accepted).toBe(true);
    expect(s.status).toBe('failed');
    expect(s.error?.code).toBe('ALPN_NOT_HTTP1');
    expect(s.error?.message).toContain('the server chose "h2" by ALPN, and the workbench\'s client speaks HTTP/1.1 only');
    // Nothing went out after the handshake: the client's only application data is none at all.
    expect(s.response?.bytes ?? 0).toBe(0);
  });

  it('with http/1.1 offered the same server answers the GET', async () => {
    const s = await wb.runClient(loopbackGet('www.bank32.com', port, pki.caCert, { alpn: ['http/1.1'] }));
    expect(s.status).toBe('ok');
    expect(s.alpn).toBe('http/1.1');
    expect(s.response?.text).toContain('served over HTTP/1.1');
  });
});
