// The replay server reads a live client's HTTP as strictly as the lab servers do: a head with a
// space before a colon, a folded line, a Content-Length that is not digits given once, or both
// Content-Length and Transfer-Encoding gets 400; a body past the limit (8 MiB, or the largest the
// recording holds) gets 413; a large body's pieces are copied about once, not once per TLS record;
// and a client that pipelines requests without reading its answers is not read from until it does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReplayServerInfo } from '../../src-main/api/replayTypes';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { waitUntil } from '../support/waitUntil';

/** Bytes copied into new buffers by concatBytes and Buffer.concat, while counting is on. */
const copied = vi.hoisted(() => ({ on: false, bytes: 0 }));
vi.mock('../../src-main/bytes', async (original) => (await import('../support/copyCounter')).countingBytes(await original(), copied));

const CA = 'Replay Hardening CA';
const HOST = 'www.bank32.com';
const UPLOAD_BYTES = 9 * 1024 * 1024;
const BIG_BYTES = 1024 * 1024;
let tmp: string;
let wb: Workbench;
let pki: TestPki;
let caPem: string;
let ids: number[] = [];
let server: ReplayServerInfo;

/** The original server: answers one request per connection by its path, then closes. */
function originalServer(): Promise<{ port: number; close: () => void }> {
  const srv = tls.createServer({ cert: fs.readFileSync(pki.serverCert), key: fs.readFileSync(pki.serverKey) }, (socket) => {
    const pieces: Buffer[] = [];
    let have = 0;
    socket.on('data', (d: Buffer) => {
      pieces.push(d);
      have += d.length;
      const all = Buffer.concat(pieces);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = all.subarray(0, end).toString('latin1');
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? '0');
      if (have < end + 4 + length) return;
      const target = head.split(' ')[1];
      const body = target === '/big' ? Buffer.alloc(BIG_BYTES, 'b') : Buffer.from(target === '/upload' ? 'uploaded' : 'hello');
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]));
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({ port: (srv.address() as { port: number }).port, close: () => srv.close() })));
}

/** Connects to the replay server, trusting only the workshop CA. */
function connect(): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: HOST, ca: caPem, ALPNProtocols: ['http/1.1'] }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends the bytes, closes this side, and returns all the replay server sent until it closed. */
async function exchange(request: string | Buffer): Promise<string> {
  const socket = await connect();
  const got: Buffer[] = [];
  socket.on('data', (d: Buffer) => got.push(d));
  socket.on('error', () => undefined);
  socket.end(request);
  await new Promise((resolve) => socket.once('close', resolve));
  return Buffer.concat(got).toString('latin1');
}


const info = () => wb.replay.list().find((s) => s.id === server.id)!;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-hardening-'));
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  pki = makeTestPki();
  await wb.workshop.createCa({ name: CA, subject: '/O=TLS Lab/CN=Replay Hardening CA' });
  caPem = wb.workshop.trustAnchorsPem(CA).join('');
  const original = await originalServer();
  const record = (text: string) =>
    wb.recordClient({ host: HOST, port: original.port, connectTo: '127.0.0.1', trust: { kind: 'file', path: pki.caCert }, verifyPeer: true, checkHostname: true, send: { kind: 'text', text } });
  ids = [
    await record(`GET / HTTP/1.1\nHost: ${HOST}\n\n`),
    await record(`GET /big HTTP/1.1\nHost: ${HOST}\n\n`),
    await record(`POST /upload HTTP/1.1\nHost: ${HOST}\nContent-Length: ${UPLOAD_BYTES}\n\n${'u'.repeat(UPLOAD_BYTES)}`),
  ];
  original.close();
  server = await wb.replay.startServer({ ids, ca: CA, listen: '127.0.0.1:0' });
  expect(server.requests.sort()).toEqual(['GET /', 'GET /big', 'POST /upload']);
}, 120_000);

afterAll(async () => {
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

const BAD_HEADER = 'each header line must be "Name: value", with no space before the colon and no line folded onto the one before';
const BAD_LENGTH = 'the Content-Length header must be one whole number of bytes (digits only, given once)';

describe('replay server: what a live client may send', () => {
  it('answers a plain request from the recording, and a Content-Length repeated with the same value', async () => {
    expect(await exchange(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello$/);
    const repeated = await exchange(`POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab`);
    // Matched by key, but the body differs from the recorded one: the unmatched answer, not a 400.
    expect(repeated).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
  });

  it.each([
    ['a space before the colon', `Content-Length : 5\r\n`, BAD_HEADER],
    ['a folded header line', `X-Note: one\r\n two\r\n`, BAD_HEADER],
    ['a folded line with a colon in it', `X-Note: one\r\n\tContent-Length: 5\r\n`, BAD_HEADER],
    ['Content-Length in hex', `Content-Length: 0x5\r\n`, BAD_LENGTH],
    ['Content-Length as an exponent', `Content-Length: 5e0\r\n`, BAD_LENGTH],
    ['Content-Length with a sign', `Content-Length: +5\r\n`, BAD_LENGTH],
    ['Content-Length that is not a number', `Content-Length: five\r\n`, BAD_LENGTH],
    ['two Content-Length values that disagree', `Content-Length: 5\r\nContent-Length: 6\r\n`, BAD_LENGTH],
    ['Content-Length and Transfer-Encoding both', `Content-Length: 5\r\nTransfer-Encoding: chunked\r\n`, 'Content-Length or Transfer-Encoding, not both'],
    ['a Transfer-Encoding other than chunked last', `Transfer-Encoding: chunked, gzip\r\n`, 'chunked last'],
  ])('refuses %s with 400 and a plain message, and closes', async (_what, header, message) => {
    const answer = await exchange(`POST /upload HTTP/1.1\r\nHost: ${HOST}\r\n${header}\r\nhello`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain('Connection: close');
    expect(answer).toContain(message);
    expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it('answers a request line over 64 KiB with 414 and a head over 64 KiB with 431, as the lab servers do', async () => {
    const longLine = await exchange(`GET /${'a'.repeat(70 * 1024)} HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    expect(longLine).toMatch(/^HTTP\/1\.1 414 URI Too Long\r\n/);
    const filler = Array.from({ length: 80 }, (_, i) => `X-Filler-${i}: ${'b'.repeat(1000)}\r\n`).join('');
    const longHead = await exchange(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n${filler}\r\n`);
    expect(longHead).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  });

  it('refuses a chunked body whose chunk size is not hex digits with 400', async () => {
    const answer = await exchange(`POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain('the chunked body could not be read: a chunk size must be hex digits, not "0x3"');
  });

  it('takes a chunked body and matches it by its content', async () => {
    const answer = await exchange(`POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(answer).toContain('no recorded response for POST /upload');
  });
});

describe('replay server: large bodies', () => {
  it('replays a recorded upload larger than 8 MiB, copying its pieces about once', async () => {
    const body = Buffer.alloc(UPLOAD_BYTES, 'u');
    const socket = await connect();
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    copied.bytes = 0;
    copied.on = true;
    const realConcat = Buffer.concat;
    const spy = vi.spyOn(Buffer, 'concat').mockImplementation((list, length) => {
      const out = realConcat(list, length);
      copied.bytes += out.length;
      return out;
    });
    try {
      socket.write(`POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: ${UPLOAD_BYTES}\r\nConnection: close\r\n\r\n`);
      // In 16 KiB pieces, as TLS records carry it.
      for (let at = 0; at < body.length; at += 16384) socket.write(body.subarray(at, at + 16384));
      await new Promise((resolve) => socket.once('close', resolve));
    } finally {
      spy.mockRestore();
      copied.on = false;
    }
    expect(Buffer.concat(got).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nuploaded$/);
    // Joining each record to all before it copied some 2.5 GB for this body; now it is about one copy.
    expect(copied.bytes).toBeLessThan(3 * UPLOAD_BYTES);
  }, 60_000);

  it('refuses a body larger than the largest recorded one (and 8 MiB) with 413, before reading it', async () => {
    const answer = await exchange(`POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: ${UPLOAD_BYTES + 1}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 413 Content Too Large\r\n/);
    expect(answer).toContain('the body is over 9 MiB');
  });

  it('replays the recorded upload sent again chunked: its data counts against the limit, not the chunk lines', async () => {
    const socket = await connect();
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.write(`POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`);
    const piece = 4096;
    const chunk = Buffer.concat([Buffer.from(`${piece.toString(16)};n=1\r\n`), Buffer.alloc(piece, 'u'), Buffer.from('\r\n')]);
    for (let sent = 0; sent < UPLOAD_BYTES; sent += piece) socket.write(chunk);
    socket.write('0\r\n\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Buffer.concat(got).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nuploaded$/);
  }, 60_000);

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const socket = await connect();
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => undefined);
    socket.write(`POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.concat([Buffer.from('100000\r\n'), Buffer.alloc(0x100000, 'c'), Buffer.from('\r\n')]);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    for (let i = 0; i < 12 && !socket.destroyed; i++) socket.write(chunk);
    socket.end();
    await closed;
    const answer = Buffer.concat(got).toString('latin1');
    expect(answer).toMatch(/^HTTP\/1\.1 413 Content Too Large\r\n/);
  }, 60_000);
});

describe('replay server: a client that does not read', () => {
  it('answers no more requests until the client has taken the answers already sent', async () => {
    const before = info().matched;
    const socket = await connect();
    socket.pause();
    const count = 64;
    socket.write(`GET /big HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`.repeat(count));
    await waitUntil('the replay server to answer the first request', () => info().matched > before, { intervalMs: 20 });
    // Let whatever the buffers take go out; then the server must be waiting, not answering on. A
    // pause proves only that nothing more came while it lasted, so it ends once the count has held
    // still for one; the wait above shows the server was already answering.
    let last = -1;
    while (info().matched !== last) {
      last = info().matched;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(info().matched - before).toBeLessThan(count / 2);
    // Once read, every answer comes, whole and in order.
    let received = 0;
    const expected = count * (BIG_BYTES + 'HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n'.length);
    await new Promise<void>((resolve) => {
      socket.on('data', (d: Buffer) => {
        received += d.length;
        if (received >= expected) resolve();
      });
      socket.resume();
    });
    expect(received).toBe(expected);
    expect(info().matched - before).toBe(count);
    socket.destroy();
  }, 60_000);
});
