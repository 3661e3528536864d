// The proxy's HTTP/1.1 framing and rewrite hooks, fed byte by byte and in one piece: bodies keep a
// correct Content-Length (chunked ones too), untouched messages pass byte for byte.
import { describe, expect, it } from 'vitest';
import { type ExchangeContext, HttpStream, parseRewriteArgument, rewriteHooks } from '../../src-main/sessions/proxyRewrite';

function through(side: 'request' | 'response', input: string, rules: string[], pieces: 'bytes' | 'whole', methods: string[] = []) {
  const fired: string[] = [];
  const ctx: ExchangeContext = { exchange: 1, fired: (rule, event, n) => fired.push(`${rule}:${event}:${n}`), note: () => undefined };
  const out: Buffer[] = [];
  const stream = new HttpStream(side, rewriteHooks(rules.map(parseRewriteArgument)), () => ctx, { out: (d) => out.push(Buffer.from(d)) }, methods);
  const bytes = Buffer.from(input, 'latin1');
  if (pieces === 'whole') stream.push(bytes);
  else for (let i = 0; i < bytes.length; i++) stream.push(bytes.subarray(i, i + 1));
  stream.end();
  return { text: Buffer.concat(out).toString('latin1'), fired };
}

describe('HttpStream with rewrite rules', () => {
  for (const pieces of ['bytes', 'whole'] as const) {
    it(`rewrites a Content-Length body and fixes the length (${pieces})`, () => {
      const input = 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello worldHTTP/1.1 204 No Content\r\n\r\n';
      const { text, fired } = through('response', input, ['response:world=>there, everyone'], pieces, ['GET', 'GET']);
      expect(text).toBe('HTTP/1.1 200 OK\r\nContent-Length: 21\r\n\r\nhello there, everyoneHTTP/1.1 204 No Content\r\n\r\n');
      expect(fired).toEqual(['0:response-body:1']);
    });

    it(`turns a rewritten chunked body into one with Content-Length (${pieces})`, () => {
      const input = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ncyber\r\n8;ext=1\r\nsecurity\r\n0\r\n\r\n';
      const { text } = through('response', input, ['response:cybersecurity=>SEED+Labs'], pieces, ['GET']);
      expect(text).toBe('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nSEED+Labs');
    });

    it(`rewrites the URL and the body of a request, and a regular expression in headers (${pieces})`, () => {
      const input = 'POST /q?x=cybersecurity HTTP/1.1\r\nHost: a\r\nX-Topic: CyberSecurity\r\nContent-Length: 13\r\n\r\ncybersecurity';
      const { text, fired } = through('request', input, ['request:cybersecurity=>SEED+Labs', 'request+headers:/cyber(\\w+)/i=>net-$1'], pieces);
      expect(text).toBe('POST /q?x=SEED+Labs HTTP/1.1\r\nHost: a\r\nX-Topic: net-Security\r\nContent-Length: 9\r\n\r\nSEED+Labs');
      expect(fired).toEqual(['0:request-head:1', '1:request-head:1', '0:request-body:1']);
    });

    it(`rewrites a request typed into openssl s_client, its lines ending in LF alone (${pieces})`, () => {
      const typed = 'GET /?q=cybersecurity HTTP/1.1\nHost: www.bank32.com\n\nGET /untouched HTTP/1.1\nHost: a\n\n';
      const { text, fired } = through('request', typed, ['request:cybersecurity=>SEED+Labs'], pieces);
      // The changed head is written again with CRLF; the untouched one goes as it came.
      expect(text).toBe('GET /?q=SEED+Labs HTTP/1.1\r\nHost: www.bank32.com\r\n\r\nGET /untouched HTTP/1.1\nHost: a\n\n');
      expect(fired).toEqual(['0:request-head:1']);
    });
  }

  it('passes messages no rule touches byte for byte, HEAD responses without a body', () => {
    const input = 'HTTP/1.1 200 OK\r\ncontent-length:   5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc';
    expect(through('response', input, ['response:zzz=>y'], 'whole', ['HEAD', 'GET']).text).toBe(input);
  });

  it('forwards bytes that are not HTTP as they are', () => {
    expect(through('request', '\x00\x01binary stuff\r\n\r\nmore', ['request:stuff=>x'], 'whole').text).toBe('\x00\x01binary stuff\r\n\r\nmore');
  });

  it('refuses a malformed --rewrite with what to write instead', () => {
    expect(() => parseRewriteArgument('sideways:a=>b')).toThrow(/request:FROM=>TO/);
  });
});

describe('HttpStream: what it holds, and what it answers itself', () => {
  const ctx: ExchangeContext = { exchange: 1, fired: () => undefined, note: () => undefined };

  it('a chunked body too large to rewrite streams on without being kept in memory', () => {
    const out: Buffer[] = [];
    let sent = 0;
    const stream = new HttpStream('response', rewriteHooks([parseRewriteArgument('response:a=>b')]), () => ctx, { out: (d) => (sent += d.length) }, ['GET']);
    stream.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'));
    const block = Buffer.alloc(1 << 20, 0x78);
    const chunk = Buffer.concat([Buffer.from(`${block.length.toString(16)}\r\n`), block, Buffer.from('\r\n')]);
    for (let i = 0; i < 34; i++) stream.push(chunk); // past the 32 MiB rewrite limit: it passes unchanged from here
    expect(stream.heldBodyBytes).toBe(0);
    for (let i = 0; i < 16; i++) stream.push(chunk);
    // The old scanner went on collecting every decoded byte until the body ended.
    expect(stream.heldBodyBytes).toBe(0);
    stream.push(Buffer.from('0\r\n\r\n'));
    expect(sent).toBe(Buffer.byteLength('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n') + 50 * chunk.length + 5);
    expect(out).toHaveLength(0);
  });

  it('a request held for a body rule with "Expect: 100-continue" is answered 100 Continue and goes on without the Expect header', () => {
    const answers: string[] = [];
    const out: Buffer[] = [];
    const stream = new HttpStream('request', rewriteHooks([parseRewriteArgument('request:alice=>mallory')]), () => ctx,
      { out: (d) => out.push(Buffer.from(d)), answer: (d) => answers.push(d.toString('latin1')) }, []);
    stream.push(Buffer.from('POST /login HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n'));
    expect(answers).toEqual(['HTTP/1.1 100 Continue\r\n\r\n']);
    expect(out).toHaveLength(0);
    stream.push(Buffer.from('user=alice'));
    expect(Buffer.concat(out).toString('latin1')).toBe('POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\nuser=mallory');
  });

  it('a held request expecting "100-continue, x" goes on expecting x: the real server may refuse that with 417, the proxy does not drop it', () => {
    const answers: string[] = [];
    const out: Buffer[] = [];
    const notes: string[] = [];
    const noting: ExchangeContext = { ...ctx, note: (text) => notes.push(text) };
    const stream = new HttpStream('request', rewriteHooks([parseRewriteArgument('request:alice=>mallory')]), () => noting,
      { out: (d) => out.push(Buffer.from(d)), answer: (d) => answers.push(d.toString('latin1')) }, []);
    stream.push(Buffer.from('POST /login HTTP/1.1\r\nExpect: 100-continue, x\r\nHost: a\r\nexpect: y=1\r\nContent-Length: 10\r\n\r\nuser=alice'));
    expect(answers).toEqual(['HTTP/1.1 100 Continue\r\n\r\n']);
    expect(Buffer.concat(out).toString('latin1')).toBe('POST /login HTTP/1.1\r\nExpect: x, y=1\r\nHost: a\r\nContent-Length: 12\r\n\r\nuser=mallory');
    expect(notes).toContain('the proxy answered "100 Continue" itself: it holds the request body for the rewrite rules, so the request goes on whole, expecting only "x", "y=1" of the real server');
  });

  it('an interjected answer waits for the end of the response under way', () => {
    const out: string[] = [];
    const stream = new HttpStream('response', rewriteHooks([]), () => ctx, { out: (d) => out.push(d.toString('latin1')) }, ['GET', 'POST']);
    stream.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc'));
    stream.interject(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'));
    stream.push(Buffer.from('def'));
    expect(out.join('')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabcdefHTTP/1.1 100 Continue\r\n\r\n');
  });
});
