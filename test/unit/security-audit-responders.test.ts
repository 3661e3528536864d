// The lab servers' HTTP responders attacked past what security-folder-responder covers: redirects
// a browser reads as another host, special files in a served folder, and request heads whose body
// length other HTTP parsers would read differently.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ServerResponder } from '../../src-main/api/serverTypes';
import { serveHttp, servePlain } from '../../src-main/sessions/serverResponders';
import { FakeClient, askResponder } from '../support/responderClient';

let top: string;
let site: string;

beforeAll(() => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-security-audit-resp-'));
  site = path.join(top, 'site');
  fs.mkdirSync(path.join(site, 'certs'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), '<p>index</p>');
  fs.writeFileSync(path.join(site, 'certs', 'ca.pem'), 'pem');
  fs.mkdirSync(path.join(site, 'piped'));
  execFileSync('mkfifo', [path.join(site, 'pipe.txt')]);
  execFileSync('mkfifo', [path.join(site, 'piped', 'index.html')]);
});
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

const ask = (request: string | Buffer[], responder: ServerResponder = { kind: 'dir', path: site }) => askResponder(request, responder);

const get = (target: string) => ask(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

/** Where a browser goes with a Location header, from a page of https://localhost:4433 (WHATWG URL rules). */
function whereBrowserGoes(text: string): URL {
  const location = /\r\nLocation: ([^\r\n]*)\r\n/.exec(text)?.[1];
  expect(location, text).toBeDefined();
  return new URL(location!, 'https://localhost:4433/some/page');
}

describe('the folder responder, attacked further', () => {
  it('never redirects a browser to another host, whatever slashes, backslashes and dot segments the target holds', async () => {
    const targets = ['/\\evil.example/..', '/\\\\evil.example/..', '/%5Cevil.example/..', '//evil.example/..', '/\\/evil.example/../', '/./\\evil.example/..', '/certs/..\\..', '/\\evil.example/../certs'];
    for (const target of targets) {
      const answer = await get(target);
      if (answer.status !== 301) {
        expect([403, 404], target).toContain(answer.status);
        continue;
      }
      const to = whereBrowserGoes(answer.text);
      expect(to.host, `${target} -> ${to.href}`).toBe('localhost:4433');
    }
  });

  it('still sends a folder named without its slash to the folder, query kept', async () => {
    const answer = await get('/certs?x=1');
    expect(answer.status).toBe(301);
    expect(whereBrowserGoes(answer.text).href).toBe('https://localhost:4433/certs/?x=1');
    const dotted = await get('/certs/../certs');
    expect(whereBrowserGoes(dotted.text).pathname).toBe('/certs/');
  });

  it('refuses a named pipe in the folder instead of waiting on it forever (which froze every session)', async () => {
    const pipe = await get('/pipe.txt');
    expect(pipe.status).toBe(403);
    expect(pipe.text).toContain('not a regular file');
    const index = await get('/piped/');
    expect(index.status).toBe(403);
    // And the server still answers.
    expect((await get('/certs/ca.pem')).text).toMatch(/\r\n\r\npem$/);
  });

  it('refuses a Content-Length that is not plain digits, or two that disagree, instead of guessing', async () => {
    for (const length of ['0x10', '1e1', '+5', '-0', ' ', '5, 5']) {
      const answer = await ask(`POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n0123456789abcdefGET /smuggled HTTP/1.1\r\n\r\n`, { kind: 'echo' });
      expect(answer.status, length).toBe(400);
      expect(answer.text, length).toContain('Content-Length');
      expect(answer.text).not.toContain('/smuggled');
      expect(answer.closed).toBe(true);
    }
    const twice = await ask('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 16\r\n\r\n0123456789abcdefGET /smuggled HTTP/1.1\r\n\r\n', { kind: 'echo' });
    expect(twice.status).toBe(400);
    expect(twice.text).not.toContain('/smuggled');
    const same = await ask('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi', { kind: 'echo' });
    expect(same.status).toBe(200);
    expect(same.text.endsWith('hi')).toBe(true);
  });

  it('takes an 8 MiB body sent in TLS-record-sized pieces without copying it again for every piece', async () => {
    // Joining every piece to all the ones before copied about 2 GB for one such request and held
    // the engine (every session, the window) for about a second; a few clients at once froze it.
    const size = 8 * 1024 * 1024;
    const client = new FakeClient();
    serveHttp(client, { kind: 'echo' }, { host: null, version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' }, 'localhost', undefined, { answered: () => undefined, note: () => undefined });
    client.emit('data', Buffer.from(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`, 'latin1'));
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      const piece = Buffer.alloc(16 * 1024, 0x61);
      for (let sent = 0; sent < size; sent += piece.length) client.emit('data', piece);
      const copied = concat.mock.calls.reduce((sum, [list]) => sum + list.reduce((n, b) => n + b.length, 0), 0);
      expect(copied).toBeLessThan(4 * size);
    } finally {
      concat.mockRestore();
    }
    const answer = Buffer.concat(client.written);
    expect(answer.subarray(0, 17).toString('latin1')).toBe('HTTP/1.1 200 OK\r\n');
    expect(answer.length).toBeGreaterThan(size);
    expect(answer.subarray(answer.length - 4).toString('latin1')).toBe('aaaa');
  });

  it('refuses a header with space before its colon, or folded onto the line before, instead of trimming it into a Content-Length', async () => {
    const heads = ['Content-Length : 16', 'Content-Length\t: 16', 'X-Pad: a\r\n Content-Length: 16', 'X-Pad: a\r\n\tTransfer-Encoding: chunked'];
    for (const line of heads) {
      const answer = await ask(`POST /x HTTP/1.1\r\nHost: x\r\n${line}\r\n\r\n0123456789abcdefGET /smuggled HTTP/1.1\r\n\r\n`, { kind: 'echo' });
      expect(answer.status, line).toBe(400);
      expect(answer.text, line).toContain('no space before the colon');
      expect(answer.text).not.toContain('/smuggled');
      expect(answer.closed).toBe(true);
    }
    // Spaces around the value are fine (RFC 9110, 5.5).
    const fine = await ask('POST /x HTTP/1.1\r\nHost:x\r\nContent-Length:   2  \r\nConnection: close\r\n\r\nhi', { kind: 'echo' });
    expect(fine.status).toBe(200);
    expect(fine.text.endsWith('hi')).toBe(true);
  });

  it('stops answering pipelined requests while the client takes none of the answers, instead of piling them up in memory', async () => {
    // Thirty bytes of request, 900 KiB of answer: one TLS record of such requests made the engine
    // hold hundreds of megabytes for a client that never reads.
    fs.writeFileSync(path.join(site, 'mid.bin'), Buffer.alloc(900 * 1024, 7));
    const client = new StalledClient();
    serveHttp(client, { kind: 'dir', path: site }, { host: null, version: 'TLSv1.3', cipher: 'x' }, 'localhost', undefined, { answered: () => undefined, note: () => undefined });
    client.push(Buffer.from('GET /mid.bin HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(100), 'latin1'));
    await new Promise((r) => setImmediate(r));
    expect(client.writableLength).toBeLessThan(3 * 900 * 1024);
    // Once the client takes what waits, the next answers follow.
    for (let i = 0; i < 10; i++) {
      client.release();
      await new Promise((r) => setImmediate(r));
    }
    expect(client.answers()).toBeGreaterThan(1);
    expect(client.answers()).toBeLessThan(100);
    expect(client.writableLength).toBeLessThan(3 * 900 * 1024);
    client.destroy();
  });

  it('answers every pipelined request of a client that closed its side, slow reader or not, then closes', async () => {
    const client = new StalledClient();
    serveHttp(client, { kind: 'dir', path: site }, { host: null, version: 'TLSv1.3', cipher: 'x' }, 'localhost', undefined, { answered: () => undefined, note: () => undefined });
    client.push(Buffer.from('GET /mid.bin HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3), 'latin1'));
    client.push(null);
    for (let i = 0; i < 30 && !client.ended; i++) {
      client.release();
      await new Promise((r) => setImmediate(r));
    }
    expect(client.answers()).toBe(3);
    expect(client.ended).toBe(true);
  });

  it('stops reading in plain mode while the client takes none of the echo', async () => {
    const client = new StalledClient();
    servePlain(client, undefined, { answered: () => undefined, note: () => undefined });
    const piece = Buffer.alloc(16 * 1024, 0x62);
    for (let sent = 0; sent < 20 * 1024 * 1024; sent += piece.length) client.push(piece);
    await new Promise((r) => setImmediate(r));
    expect(client.writableLength).toBeLessThan(1024 * 1024);
    expect(client.isPaused()).toBe(true);
    client.destroy();
  });
});

/** A client that takes an answer's bytes but acknowledges none until released: what is written after waits in the stream. */
class StalledClient extends FakeClient {
  private held: (() => void) | null = null;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.written.push(chunk);
    this.held = done;
  }
  /** Acknowledges what was taken; the next piece then arrives (and is held in its turn). */
  release(): void {
    const done = this.held;
    this.held = null;
    done?.();
  }
  answers(): number {
    return this.text().split('HTTP/1.1 200 OK').length - 1;
  }
}
