// "Expect: 100-continue" (RFC 9110, 10.1.1): a client that sends it holds its body back until the
// server says "100 Continue" (curl waits about a second, then sends anyway). The lab servers and
// the replay server answer it as soon as the head is read, before any body byte has come: the
// client here sends its body only once the interim answer has arrived. An expectation other than
// 100-continue gets 417, and the body is never asked for.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/workbench';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';

let pki: ServerTestPki;
let tmp: string;
let wb: Workbench;

beforeAll(async () => {
  pki = await makeServerPki();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-expect-continue-'));
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  await wb.workshop.createCa({ name: 'Continue CA', subject: '/CN=Continue CA' });
});

afterAll(async () => {
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * A raw TLS client that sends `head`, then waits for the server's first answer. Only when that is
 * "100 Continue" does it send `body`; it then reads until the server closes. `first`: what came
 * before any body byte was sent.
 */
function waitingClient(port: number, head: string, body: string): Promise<{ first: string; all: string; sentBody: boolean }> {
  return new Promise((resolve, reject) => {
    let all = '';
    let first: string | null = null;
    let sentBody = false;
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'www.bank32.com', rejectUnauthorized: false }, () => socket.write(head));
    socket.on('data', (d: Buffer) => {
      all += d.toString('latin1');
      if (first === null && all.includes('\r\n\r\n')) {
        first = all.slice(0, all.indexOf('\r\n\r\n') + 4);
        if (first === 'HTTP/1.1 100 Continue\r\n\r\n') {
          sentBody = true;
          socket.write(body);
        }
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ first: first ?? '', all, sentBody }));
  });
}

const BODY = `amount=${'9'.repeat(2048)}`;
const head = (expectation: string, target = '/transfer') =>
  `POST ${target} HTTP/1.1\r\nHost: www.bank32.com\r\nExpect: ${expectation}\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n`;

describe('the lab server', () => {
  it('answers "100 Continue" before the body is sent, then the request with its body (the echo page)', async () => {
    const server = await wb.servers.start({ host: '127.0.0.1', port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key }, responder: { kind: 'echo' } });
    const port = Number(server.address.split(':').pop());
    const got = await waitingClient(port, head('100-continue'), BODY);
    expect(got.first).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    const final = got.all.slice(got.first.length);
    expect(final).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(final.endsWith(`\r\n\r\n${BODY}`)).toBe(true);
    // "100-CONTINUE" is the same expectation (case does not matter).
    expect((await waitingClient(port, head('100-CONTINUE'), BODY)).first).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    await wb.servers.stop(server.id);
  });

  it('answers an expectation other than 100-continue with 417, without asking for the body', async () => {
    const server = await wb.servers.start({ host: '127.0.0.1', port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key }, responder: { kind: 'echo' } });
    const got = await waitingClient(Number(server.address.split(':').pop()), head('x-lab-magic'), BODY);
    expect(got.sentBody).toBe(false);
    expect(got.first).toMatch(/^HTTP\/1\.1 417 Expectation Failed\r\n/);
    expect(got.all).toContain('the request expects "x-lab-magic"; send it without that Expect header\n');
    await wb.servers.stop(server.id);
  });
});

describe('the replay server', () => {
  it('answers "100 Continue" before the body is sent, then the recorded answer to the request with that body; 417 for another expectation', async () => {
    const echo = await wb.servers.start({ host: '127.0.0.1', port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key }, responder: { kind: 'echo' } });
    const id = await wb.recordClient({
      host: 'www.bank32.com',
      port: Number(echo.address.split(':').pop()),
      connectTo: '127.0.0.1',
      trust: { kind: 'file', path: pki.caCert },
      verifyPeer: true,
      checkHostname: true,
      send: { kind: 'text', text: `POST /transfer HTTP/1.1\r\nHost: www.bank32.com\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}` },
    });
    await wb.servers.stop(echo.id);
    const replay = await wb.replay.startServer({ ids: [id], ca: 'Continue CA', listen: '127.0.0.1:0' });
    const got = await waitingClient(replay.port, head('100-continue'), BODY);
    expect(got.first).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    // The recorded answer is the echo of the recorded request: it matched, body and all.
    expect(got.all.slice(got.first.length)).toMatch(new RegExp(`^HTTP/1\\.1 200 OK\\r\\n[\\s\\S]*\\r\\n\\r\\n${BODY}$`));
    const refused = await waitingClient(replay.port, head('x-lab-magic'), BODY);
    expect(refused.sentBody).toBe(false);
    expect(refused.first).toMatch(/^HTTP\/1\.1 417 Expectation Failed\r\n/);
    expect(refused.all).toContain('the request expects "x-lab-magic"');
    await wb.replay.stopServer(replay.id);
  });
});
