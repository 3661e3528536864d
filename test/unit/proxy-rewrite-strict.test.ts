// The proxy reads a victim's request framing as strictly as a careful server: a head another
// parser could split differently (a space before a colon, a folded line, a Content-Length that is
// not digits given once, Content-Length with Transfer-Encoding, codings not ending in chunked) is
// refused with a 400 to the victim, after the answers to its earlier requests, and neither it nor
// anything after it reaches the real server. Wired as proxySession wires the two directions.
import { describe, expect, it } from 'vitest';
import { type ExchangeContext, HttpStream, parseRewriteArgument, rewriteHooks } from '../../src-main/sessions/proxyRewrite';

function proxy(rules: string[] = []) {
  const toUpstream: Buffer[] = [];
  const toVictim: Buffer[] = [];
  const notes: string[] = [];
  const raw: string[] = [];
  const heads: string[] = [];
  const ctx: ExchangeContext = { exchange: 1, fired: () => undefined, note: (t) => notes.push(t) };
  const hooks = rewriteHooks(rules.map(parseRewriteArgument));
  const methods: string[] = [];
  const requests: HttpStream = new HttpStream('request', hooks, () => ctx, {
    out: (d) => toUpstream.push(Buffer.from(d)),
    head: (h) => heads.push(h.startLine),
    answer: (d) => responses.interject(d),
    raw: (r) => raw.push(r),
  }, methods);
  const responses: HttpStream = new HttpStream('response', hooks, () => ctx, { out: (d) => toVictim.push(Buffer.from(d)), raw: (r) => raw.push(r) }, methods);
  return {
    requests,
    responses,
    notes,
    raw,
    heads,
    upstream: () => Buffer.concat(toUpstream).toString('latin1'),
    victim: () => Buffer.concat(toVictim).toString('latin1'),
  };
}

const SMUGGLED = 'GET /admin HTTP/1.1\r\nHost: bank\r\n\r\n';

describe('the proxy refuses request heads whose framing is ambiguous', () => {
  it.each([
    ['a space before the colon', `Content-Length : ${SMUGGLED.length}\r\n`, /not "Name: value"/],
    ['a tab before the colon', `Content-Length\t: ${SMUGGLED.length}\r\n`, /not "Name: value"/],
    ['a folded line', `X-Note: a\r\n b\r\n`, /folded/],
    ['a folded line carrying a length', `X-Note: a\r\n Content-Length: ${SMUGGLED.length}\r\n`, /folded/],
    ['Content-Length in hex', `Content-Length: 0x${SMUGGLED.length.toString(16)}\r\n`, /not digits alone/],
    ['Content-Length with a sign', `Content-Length: +${SMUGGLED.length}\r\n`, /not digits alone/],
    ['Content-Length as a list', `Content-Length: ${SMUGGLED.length}, 0\r\n`, /not digits alone/],
    ['two Content-Length values', `Content-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n`, /disagree/],
    ['Content-Length and Transfer-Encoding', `Content-Length: ${SMUGGLED.length}\r\nTransfer-Encoding: chunked\r\n`, /both Content-Length and Transfer-Encoding/],
    ['Transfer-Encoding not ending in chunked', 'Transfer-Encoding: chunked, identity\r\n', /does not end in chunked/],
    ['Transfer-Encoding chunked twice', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', /does not end in chunked/],
    ['a Transfer-Encoding that only looks like chunked', 'Transfer-Encoding: xchunked\r\n', /does not end in chunked/],
  ])('%s: the victim gets 400, the real server gets nothing', (_what, header, reason) => {
    for (const pieces of ['whole', 'bytes'] as const) {
      const p = proxy(['request:bank=>evil']);
      const input = Buffer.from(`POST /transfer HTTP/1.1\r\nHost: bank\r\n${header}\r\n${SMUGGLED}`, 'latin1');
      if (pieces === 'whole') p.requests.push(input);
      else for (let i = 0; i < input.length; i++) p.requests.push(input.subarray(i, i + 1));
      p.requests.end();
      expect(p.upstream()).toBe('');
      expect(p.heads).toEqual([]);
      expect(p.victim()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*Connection: close\r\n\r\nThe TLS Lab Workbench's proxy refused this request: /);
      expect(p.victim()).toMatch(reason);
      expect(p.notes).toHaveLength(1);
      expect(p.notes[0]).toMatch(/^the proxy refused the victim's request "POST \/transfer HTTP\/1\.1" and answered 400 Bad Request: /);
      expect(p.notes[0]).toMatch(reason);
    }
  });

  it('the 400 follows the answers to the requests forwarded before it, and nothing after it is forwarded', () => {
    const p = proxy();
    p.requests.push(Buffer.from('GET /one HTTP/1.1\r\nHost: bank\r\n\r\nGET /two HTTP/1.1\r\nHost: bank\r\n\r\n', 'latin1'));
    p.requests.push(Buffer.from(`POST /x HTTP/1.1\r\nContent-Length : 3\r\n\r\nabc${SMUGGLED}`, 'latin1'));
    p.requests.push(Buffer.from(SMUGGLED, 'latin1'));
    expect(p.upstream()).toBe('GET /one HTTP/1.1\r\nHost: bank\r\n\r\nGET /two HTTP/1.1\r\nHost: bank\r\n\r\n');
    expect(p.victim()).toBe('');
    p.responses.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none', 'latin1'));
    expect(p.victim()).toBe('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none');
    p.responses.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntw', 'latin1'));
    expect(p.victim()).not.toContain('400');
    p.responses.push(Buffer.from('o', 'latin1'));
    expect(p.victim()).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Length: 3\r\n\r\noneHTTP\/1\.1 200 OK\r\nContent-Length: 3\r\n\r\ntwoHTTP\/1\.1 400 Bad Request\r\n/);
    // The other direction giving up on HTTP does not let the refused sender through.
    p.requests.goRaw();
    p.requests.push(Buffer.from(SMUGGLED, 'latin1'));
    expect(p.upstream()).toBe('GET /one HTTP/1.1\r\nHost: bank\r\n\r\nGET /two HTTP/1.1\r\nHost: bank\r\n\r\n');
  });

  it('a chunk size that is not hex digits alone: the victim gets 400 with the reason, and nothing after it is forwarded', () => {
    for (const size of ['0x3', '+3', '3 junk']) {
      const p = proxy();
      p.requests.push(Buffer.from(`POST /x HTTP/1.1\r\nHost: bank\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nabc\r\n0\r\n\r\n${SMUGGLED}`, 'latin1'));
      expect(p.victim()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*a chunk size must be hex digits, not "/);
      expect(p.upstream()).not.toContain('GET /admin');
      expect(p.notes.join('\n')).toMatch(/a chunk size must be hex digits/);
    }
  });

  it('chunk data that does not end in CRLF where its size says: the victim gets 400, and the request hidden after it never reaches the server', () => {
    // A parser that skips two bytes of anything there ends this body at "0"; one that refuses them does not.
    for (const pieces of ['whole', 'bytes'] as const) {
      const p = proxy();
      const input = Buffer.from(`POST /x HTTP/1.1\r\nHost: bank\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n${SMUGGLED}`, 'latin1');
      if (pieces === 'whole') p.requests.push(input);
      else for (let i = 0; i < input.length; i++) p.requests.push(input.subarray(i, i + 1));
      expect(p.victim()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*does not end in CRLF/);
      expect(p.upstream()).not.toContain('GET /admin');
    }
  });

  it('still forwards what is clear: the same length twice, OWS around values, gzip then chunked, LF line ends', () => {
    const p = proxy();
    const ok = [
      'POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc',
      'POST /b HTTP/1.1\r\nHost: a\r\nContent-Length:   2  \r\n\r\nde',
      'POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2;x=y\r\nfg\r\n0\r\n\r\n',
      'GET /d HTTP/1.1\nHost: a\n\n',
    ].join('');
    p.requests.push(Buffer.from(ok, 'latin1'));
    expect(p.upstream()).toBe(ok);
    expect(p.heads).toEqual(['POST /a HTTP/1.1', 'POST /b HTTP/1.1', 'POST /c HTTP/1.1', 'GET /d HTTP/1.1']);
    expect(p.victim()).toBe('');
  });
});

describe('responses with ambiguous framing pass on unchanged', () => {
  it('a response with both Content-Length and Transfer-Encoding goes to the victim as sent, and the proxy stops reading HTTP', () => {
    const p = proxy(['response:secret=>public']);
    p.requests.push(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'latin1'));
    const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nsecret\r\n0\r\n\r\n';
    p.responses.push(Buffer.from(answer, 'latin1'));
    expect(p.victim()).toBe(answer);
    expect(p.raw[0]).toMatch(/ambiguous framing \(the head has both Content-Length and Transfer-Encoding/);
  });
});
