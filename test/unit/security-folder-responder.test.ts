// `tlslab server --dir`: the folder responder attacked as a curious student would, on the
// decrypted stream itself (what TLS carries is tested with real peers in server-peers).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponder } from '../../src-main/api/serverTypes';
import { originForm, resolveInFolder, serveHttp } from '../../src-main/sessions/serverResponders';
import { FakeClient, askResponder } from '../support/responderClient';

let top: string;
let site: string;

beforeAll(() => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-security-dir-'));
  site = path.join(top, 'site');
  fs.mkdirSync(path.join(site, 'certs'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), '<p>index</p>');
  fs.writeFileSync(path.join(site, 'certs', 'ca.pem'), 'pem');
  fs.writeFileSync(path.join(top, 'secret.txt'), 'SECRET');
  fs.mkdirSync(path.join(top, 'outside'));
  fs.writeFileSync(path.join(top, 'outside', 'more.txt'), 'SECRET TOO');
  fs.symlinkSync(path.join(top, 'secret.txt'), path.join(site, 'link-out.txt'));
  fs.symlinkSync(path.join(top, 'outside'), path.join(site, 'dir-out'));
  fs.symlinkSync(path.join(site, 'certs', 'ca.pem'), path.join(site, 'link-in.pem'));
});
afterAll(() => fs.rmSync(top, { recursive: true, force: true }));

/** Sends `request` (as one piece or in pieces) and returns the answer text once the server has had its say. */
const ask = (request: string | Buffer[], responder: ServerResponder = { kind: 'dir', path: site }) => askResponder(request, responder);

const get = (target: string, method = 'GET') => ask(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

describe('the folder responder', () => {
  it('never answers with a file from outside the folder, however the path is spelled', async () => {
    const spellings = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '/%252e%252e/secret.txt',
      '/certs/../../secret.txt',
      '/secret.txt%00.html',
      '//../secret.txt',
      'http://x/../secret.txt',
      'http://x/%2e%2e/secret.txt',
      '/link-out.txt',
      '/dir-out/more.txt',
      '/dir-out/',
    ];
    for (const target of spellings) {
      const answer = await get(target);
      expect(answer.text, target).not.toContain('SECRET');
      expect([403, 404], target).toContain(answer.status);
    }
  });

  it('follows a symbolic link that stays inside the folder', async () => {
    expect((await get('/link-in.pem')).text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\npem$/);
  });

  it('takes an absolute-form target by its path, as RFC 9112 asks of a server', async () => {
    expect(originForm('http://www.bank32.com:4433/certs/ca.pem?x=1')).toBe('/certs/ca.pem?x=1');
    expect(originForm('https://host')).toBe('/');
    expect(originForm('/plain')).toBe('/plain');
    expect((await get('http://www.bank32.com/certs/ca.pem')).text).toMatch(/\r\n\r\npem$/);
    expect(resolveInFolder(site, 'http://x/../../etc/passwd')).toBeNull();
  });

  it('does not redirect to another host when a folder is named with leading slashes', async () => {
    const answer = await get('//certs');
    expect(answer.status).toBe(301);
    expect(answer.text).toContain('\r\nLocation: /certs/\r\n');
    expect(answer.text).not.toMatch(/\r\nLocation: \/\//);
  });

  it('answers GET and HEAD only: other methods get 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'BREW']) {
      const answer = await ask(`${method} /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      expect(answer.status, method).toBe(405);
      expect(answer.text).toContain('\r\nAllow: GET, HEAD\r\n');
      expect(answer.text).not.toContain('<p>index</p>');
    }
    const head = await get('/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.text).toContain('\r\nContent-Length: 12\r\n');
    expect(head.text.endsWith('\r\n\r\n')).toBe(true);
    // The echo responder still echoes any method.
    expect((await ask('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi', { kind: 'echo' })).text).toContain('POST /x HTTP/1.1');
  });

  it('answers an overlong request line with 414 and closes', async () => {
    const pieces = Array.from({ length: 6 }, (_, i) => Buffer.from(i === 0 ? `GET /${'a'.repeat(16 * 1024)}` : 'a'.repeat(16 * 1024), 'latin1'));
    const answer = await ask(pieces);
    expect(answer.status).toBe(414);
    expect(answer.closed).toBe(true);
  });

  it('answers overlong headers with 431 and closes', async () => {
    const pieces = [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n', 'latin1'), ...Array.from({ length: 80 }, (_, i) => Buffer.from(`X-Filler-${i}: ${'b'.repeat(1000)}\r\n`, 'latin1'))];
    const answer = await ask(pieces);
    expect(answer.status).toBe(431);
    expect(answer.closed).toBe(true);
  });

  it('stops reading pipelined requests while a large file is still going out, instead of buffering without end', async () => {
    fs.writeFileSync(path.join(site, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
    /** A client that takes the answer's bytes but never acknowledges them: the file stalls. */
    class StalledClient extends FakeClient {
      override _write(chunk: Buffer): void {
        this.written.push(chunk);
      }
    }
    const client = new StalledClient();
    serveHttp(client, { kind: 'dir', path: site }, { host: null, version: 'TLSv1.3', cipher: 'x' }, 'localhost', undefined, { answered: () => undefined, note: () => undefined });
    client.push(Buffer.from('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n'));
    await new Promise((r) => setImmediate(r));
    // Then 20 MiB of further requests, more than a head and a body may ever take.
    const filler = Buffer.from(`GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(1000));
    for (let sent = 0; sent < 20 * 1024 * 1024; sent += filler.length) client.push(filler);
    await new Promise((r) => setImmediate(r));
    expect(client.isPaused()).toBe(true);
    client.destroy();
  });
});
