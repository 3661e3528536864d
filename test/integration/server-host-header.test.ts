// RFC 9112 (3.2): an HTTP/1.1 request must carry exactly one Host header; a server answers 400 to
// one without it, and to any request with two. The lab servers and the replay server do, to
// openssl s_client; an HTTP/1.0 request without Host is still served.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/workbench';
import { run } from '../support/run';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';

let pki: ServerTestPki;
let tmp: string;
let wb: Workbench;

beforeAll(async () => {
  pki = await makeServerPki();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-host-header-'));
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  await wb.workshop.createCa({ name: 'Host CA', subject: '/CN=Host CA' });
});

afterAll(async () => {
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** What openssl s_client received for `input` (it ends when the server closes). */
async function sClient(port: number, input: string): Promise<string> {
  const out = await run('openssl', ['s_client', '-quiet', '-connect', `127.0.0.1:${port}`, '-servername', 'www.bank32.com', '-ign_eof'], { input, timeoutMs: 20_000 });
  return out.stdout;
}

const NO_HOST = 'an HTTP/1.1 request must name its site in a Host header; add one, such as "Host: www.bank32.com"\n';

async function expectHostRule(port: number, servedStatus: RegExp): Promise<void> {
  const without = await sClient(port, 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n');
  expect(without).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*Connection: close\r\n\r\n/);
  expect(without.endsWith(NO_HOST)).toBe(true);
  const twice = await sClient(port, 'GET / HTTP/1.1\r\nHost: www.bank32.com\r\nHost: www.evil.example\r\n\r\n');
  expect(twice).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  expect(twice).toContain('the request has 2 Host headers; send exactly one');
  // HTTP/1.0 had no Host header: such a request is still answered.
  expect(await sClient(port, 'GET / HTTP/1.0\r\n\r\n')).toMatch(servedStatus);
}

describe('the Host header', () => {
  it('the lab server answers 400 to an HTTP/1.1 request without Host or with two, and serves HTTP/1.0 without it', async () => {
    const server = await wb.servers.start({ host: '127.0.0.1', port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key }, responder: { kind: 'builtin', page: 'bank32' } });
    await expectHostRule(Number(server.address.split(':').pop()), /^HTTP\/1\.1 200 OK\r\n[\s\S]*Bank32/);
    await wb.servers.stop(server.id);
  });

  it('the replay server does the same', async () => {
    const web = await wb.servers.start({ host: '127.0.0.1', port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key }, responder: { kind: 'builtin', page: 'bank32' } });
    const id = await wb.recordClient({
      host: 'www.bank32.com',
      port: Number(web.address.split(':').pop()),
      connectTo: '127.0.0.1',
      trust: { kind: 'file', path: pki.caCert },
      verifyPeer: true,
      checkHostname: true,
      send: { kind: 'http-get', path: '/' },
    });
    await wb.servers.stop(web.id);
    const replay = await wb.replay.startServer({ ids: [id], ca: 'Host CA', listen: '127.0.0.1:0' });
    await expectHostRule(replay.port, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Bank32/);
    await wb.replay.stopServer(replay.id);
  });
});
