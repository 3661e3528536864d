// A victim's request whose framing a server could read differently from the proxy (here a space
// before the colon of Content-Length) is refused: the victim gets the answers to its earlier
// requests, then the proxy's 400, and the connection ends; the real server never sees it.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyInfo } from '../../src-main/api/proxyTypes';
import { finishedProxySessions, openProxyLab, startLabProxy, type ProxyLab } from '../support/proxyPeers';

let lab: ProxyLab;
beforeAll(async () => {
  lab = await openProxyLab('tlslab-proxy-smuggling-', 'ec:P-256');
});
afterAll(async () => {
  await lab?.close();
});

it('openssl s_client sending a smuggling attempt gets 200, then 400, and the proxy closes the connection; the real server saw only the first request', async () => {
  const proxy = await startLabProxy(lab, { mode: 'transparent' });
  const hidden = 'GET /hidden HTTP/1.1\r\nHost: www.example.com\r\n\r\n';
  const requests =
    'GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n' +
    `POST /transfer HTTP/1.1\r\nHost: www.example.com\r\nContent-Length : ${hidden.length}\r\n\r\n${hidden}`;
  const { code, out } = await victimSends(proxy, requests);
  expect(code).toBe(0);
  expect(out).toMatch(/^HTTP\/1\.[01] 200 OK\r\n[\s\S]*<h1>Example Domain<\/h1>[\s\S]*HTTP\/1\.1 400 Bad Request\r\n[\s\S]*Connection: close\r\n\r\nThe TLS Lab Workbench's proxy refused this request: /);
  expect(lab.upstream.requests().map((r) => r.line)).toEqual(['GET / HTTP/1.1']);
  const [session] = await finishedProxySessions(lab.wb, proxy);
  await lab.wb.proxies.stop(proxy.id);
  const notes = session.connections.flatMap((c) => c.timeline).flatMap((e) => (e.kind === 'note' ? [e.text] : []));
  expect(notes.some((t) => t.startsWith('the proxy refused the victim\'s request "POST /transfer HTTP/1.1" and answered 400 Bad Request'))).toBe(true);
});

/** Runs openssl s_client as the victim through the transparent port; what it received once the proxy closed. */
async function victimSends(proxy: ProxyInfo, requests: string): Promise<{ code: number | null; out: string }> {
  // stdin stays open: s_client ends only when the other side closes the connection.
  const child = spawn('openssl', ['s_client', '-quiet', '-connect', proxy.transparentAddress!, '-servername', 'www.example.com', '-CAfile', lab.wbCa], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stdin.write(requests);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  child.stdin.destroy();
  return { code, out };
}

async function notesOf(proxy: ProxyInfo): Promise<{ notes: string[]; error: unknown }> {
  const [session] = await finishedProxySessions(lab.wb, proxy);
  await lab.wb.proxies.stop(proxy.id);
  const notes = session.connections.flatMap((c) => c.timeline).flatMap((e) => (e.kind === 'note' ? [e.text] : []));
  return { notes, error: session.error };
}

describe('a victim whose chunked body cannot be read gets 400 after its earlier answers, and the connection ends (the session failed and the victim got nothing)', () => {
  const hidden = 'GET /hidden HTTP/1.1\r\nHost: www.example.com\r\n\r\n';
  // "abcXY": the chunk's data runs past its size; a parser that skips any two bytes there reads "0" as the last chunk and the hidden request after it.
  const requests = 'GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n' + `POST /upload HTTP/1.1\r\nHost: www.example.com\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n${hidden}`;

  it.each([
    ['streamed to the real server', [], 'the rest of it was not forwarded'],
    ['held for a rewrite rule', [{ direction: 'request' as const, find: 'abc', replace: 'xyz' }], 'so it was not forwarded'],
  ])('%s', async (_what, rewrite, forwarded) => {
    const proxy = await startLabProxy(lab, { mode: 'transparent', rewrite });
    const { code, out } = await victimSends(proxy, requests);
    expect(code).toBe(0);
    expect(out).toMatch(/^HTTP\/1\.[01] 200 OK\r\n[\s\S]*<h1>Example Domain<\/h1>[\s\S]*HTTP\/1\.1 400 Bad Request\r\n[\s\S]*Connection: close\r\n\r\nThe TLS Lab Workbench's proxy refused this request: the chunked body could not be read: a chunk's data does not end in CRLF where its size says/);
    expect(out).toContain(forwarded);
    expect(lab.upstream.requests().map((r) => r.line)).not.toContain('GET /hidden HTTP/1.1');
    const { notes, error } = await notesOf(proxy);
    expect(error).toBeNull();
    expect(notes.some((t) => t.startsWith('the proxy refused the victim\'s request "POST /upload HTTP/1.1" and answered 400 Bad Request: the chunked body could not be read'))).toBe(true);
  });
});

describe('a victim\'s request head over 64 KiB is refused as the lab servers refuse it (it was forwarded as raw bytes)', () => {
  it.each([
    ['a request line over 64 KiB gets 414', `GET /${'a'.repeat(70 * 1024)} HTTP/1.1\r\nHost: www.example.com\r\n\r\n`, '414 URI Too Long', 'the request line is over 64 KiB'],
    ['header lines over 64 KiB get 431', `GET /big HTTP/1.1\r\nHost: www.example.com\r\nX-Filler: ${'x'.repeat(40 * 1024)}\r\nX-More: ${'y'.repeat(30 * 1024)}\r\n\r\n`, '431 Request Header Fields Too Large', 'the request head is over 64 KiB'],
  ])('%s', async (_what, big, status, reason) => {
    const proxy = await startLabProxy(lab, { mode: 'transparent' });
    const before = lab.upstream.requests().length;
    const { code, out } = await victimSends(proxy, `GET /first HTTP/1.1\r\nHost: www.example.com\r\n\r\n${big}`);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^HTTP/1\\.[01] 200 OK\\r\\n[\\s\\S]*<h1>Example Domain</h1>[\\s\\S]*HTTP/1\\.1 ${status}\\r\\n[\\s\\S]*Connection: close\\r\\n\\r\\nThe TLS Lab Workbench's proxy refused this request: ${reason}\\.\\n`));
    expect(lab.upstream.requests().slice(before).map((r) => r.line)).toEqual(['GET /first HTTP/1.1']);
    const { notes, error } = await notesOf(proxy);
    expect(error).toBeNull();
    expect(notes.some((t) => t.startsWith(`the proxy refused the victim's request "GET /`) && t.includes(`and answered ${status}: ${reason}`))).toBe(true);
  });
});

it('a victim\'s HTTP/1.1 request without Host gets 400 after the answer to the one before, and is not forwarded (RFC 9112, 3.2)', async () => {
  const proxy = await startLabProxy(lab, { mode: 'transparent' });
  const before = lab.upstream.requests().length;
  const { code, out } = await victimSends(proxy, 'GET /first HTTP/1.1\r\nHost: www.example.com\r\n\r\nGET /second HTTP/1.1\r\nAccept: */*\r\n\r\n');
  expect(code).toBe(0);
  expect(out).toMatch(/^HTTP\/1\.[01] 200 OK\r\n[\s\S]*<h1>Example Domain<\/h1>[\s\S]*HTTP\/1\.1 400 Bad Request\r\n[\s\S]*Connection: close\r\n\r\nThe TLS Lab Workbench's proxy refused this request: an HTTP\/1\.1 request must name its site in a Host header; add one, such as "Host: www\.bank32\.com"\.\nA server could not tell which site it is for, so it was not forwarded\.\n$/);
  expect(lab.upstream.requests().slice(before).map((r) => r.line)).toEqual(['GET /first HTTP/1.1']);
  const { notes, error } = await notesOf(proxy);
  expect(error).toBeNull();
  expect(notes.some((t) => t.startsWith('the proxy refused the victim\'s request "GET /second HTTP/1.1" and answered 400 Bad Request: an HTTP/1.1 request must name its site'))).toBe(true);
});

it('a victim\'s request whose Host is no host ("user@site") gets 400 after the answer to the one before, and is not forwarded (RFC 9112, 3.2)', async () => {
  const proxy = await startLabProxy(lab, { mode: 'transparent' });
  const before = lab.upstream.requests().length;
  const { code, out } = await victimSends(proxy, 'GET /first HTTP/1.1\r\nHost: www.example.com\r\n\r\nGET /admin HTTP/1.1\r\nHost: admin@www.example.com\r\n\r\n');
  expect(code).toBe(0);
  expect(out).toMatch(
    /^HTTP\/1\.[01] 200 OK\r\n[\s\S]*<h1>Example Domain<\/h1>[\s\S]*HTTP\/1\.1 400 Bad Request\r\n[\s\S]*Connection: close\r\n\r\nThe TLS Lab Workbench's proxy refused this request: the Host header "admin@www\.example\.com" is not a site name with an optional port: it holds "@", which puts a user name before the site, and a Host names only the site; send it as "www\.bank32\.com" or "127\.0\.0\.1:4433"\.\nA server could not tell which site it is for, so it was not forwarded\.\n$/,
  );
  expect(lab.upstream.requests().slice(before).map((r) => r.line)).toEqual(['GET /first HTTP/1.1']);
  const { error } = await notesOf(proxy);
  expect(error).toBeNull();
});
