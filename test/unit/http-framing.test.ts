// One strict reader of HTTP/1.1 request framing (src-main/sessions/httpFraming.ts), and the three
// places that read live requests through it: the lab servers, the replay server and the proxy.
// The rules one by one, the forms that are accepted, and a property test that drives the three
// readers themselves with the same generated requests and checks they split them the same way and
// refuse the same heads for the same reason.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequests, parseResponses, requestContent, type ParsedRequest } from '../../src-main/replay/httpMatch';
import { ReplayServer } from '../../src-main/replay/serverReplay';
import { ChunkedBody, couldStartRequest, isRefusal, MAX_REQUEST_HEAD_BYTES, readHead, type HeadRefusal, type ReadHead } from '../../src-main/sessions/httpFraming';
import { type ExchangeContext, HttpStream, ProxyHooks, parseRewriteArgument, rewriteHooks } from '../../src-main/sessions/proxyRewrite';
import { serveHttp } from '../../src-main/sessions/serverResponders';
import { FakeClient } from '../support/responderClient';

const request = (text: string) => readHead(text, { side: 'request' });
const response = (text: string) => readHead(text, { side: 'response' });
const refusal = (result: ReadHead | HeadRefusal) => (isRefusal(result) ? result.refused : null);
const framing = (result: ReadHead | HeadRefusal) => (isRefusal(result) ? null : result.framing);

describe('readHead: what a request head is refused for', () => {
  it.each([
    ['a lower-case method', 'get / HTTP/1.1', 'start-line'],
    ['two spaces in the request line', 'GET  / HTTP/1.1', 'start-line'],
    ['a control character in the target', 'GET /a\x01b HTTP/1.1', 'start-line'],
    ['HTTP/2.0 in the request line', 'GET / HTTP/2.0', 'start-line'],
    ['a CR in the request line', 'GET /\r HTTP/1.1', 'start-line'],
    ['a CR inside a header value', 'POST / HTTP/1.1\r\nX: a\rContent-Length: 5', 'bare-cr'],
    ['a NUL inside a header value', 'POST / HTTP/1.1\r\nX: a\0b', 'nul'],
    ['a folded line', 'POST / HTTP/1.1\r\nX: a\r\n b', 'folded'],
    ['a folded line carrying a length', 'POST / HTTP/1.1\r\nX: a\n\tContent-Length: 5', 'folded'],
    ['a space before the colon', 'POST / HTTP/1.1\r\nContent-Length : 5', 'field-line'],
    ['a tab before the colon', 'POST / HTTP/1.1\r\nContent-Length\t: 5', 'field-line'],
    ['a line without a colon', 'POST / HTTP/1.1\r\nContent-Length 5', 'field-line'],
    ['an empty name', 'POST / HTTP/1.1\r\n: 5', 'field-line'],
    ['Transfer-Encoding in HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked', 'http10-coding'],
    ['Content-Length and Transfer-Encoding', 'POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked', 'length-and-coding'],
    ['codings not ending in chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip', 'codings'],
    ['chunked twice', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked', 'codings'],
    ['a coding that only looks like chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: xchunked', 'codings'],
    ['an empty Transfer-Encoding', 'POST / HTTP/1.1\r\nTransfer-Encoding: ', 'codings'],
    ['Content-Length in hex', 'POST / HTTP/1.1\r\nContent-Length: 0x5', 'length-not-digits'],
    ['Content-Length with a sign', 'POST / HTTP/1.1\r\nContent-Length: +5', 'length-not-digits'],
    ['Content-Length as a list', 'POST / HTTP/1.1\r\nContent-Length: 5, 5', 'length-not-digits'],
    ['an empty Content-Length', 'POST / HTTP/1.1\r\nContent-Length: ', 'length-not-digits'],
    ['Content-Length behind a vertical tab (JavaScript trim() takes it away)', 'POST / HTTP/1.1\r\nContent-Length: \x0b5', 'length-not-digits'],
    ['Content-Length behind a no-break space', 'POST / HTTP/1.1\r\nContent-Length: \xa05', 'length-not-digits'],
    ['two Content-Length values', 'POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6', 'lengths-disagree'],
    ['the same length spelt two ways', 'POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 05', 'lengths-disagree'],
  ])('%s', (_what, head, code) => {
    const result = request(head);
    expect(refusal(result)).toBe(code);
    if (isRefusal(result)) {
      expect(result.status).toBe(400);
      expect(result.reason).not.toMatch(/[\r\n\0]|\.$/);
    }
  });

  it('a reader that takes no chunked bodies refuses every Transfer-Encoding with 411, after the header lines are checked', () => {
    const lab = (head: string) => readHead(head, { side: 'request', chunked: false });
    expect(lab('POST / HTTP/1.1\r\nTransfer-Encoding: chunked')).toMatchObject({ refused: 'coding-not-read', status: 411 });
    expect(lab('POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked')).toMatchObject({ status: 411 });
    expect(lab('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length : 5')).toMatchObject({ refused: 'field-line', status: 400 });
  });
});

describe('readHead: what a request head is taken as', () => {
  it('reads lines ending in CRLF, LF alone (openssl s_client) or both mixed, and the blank line if given', () => {
    for (const head of ['POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3', 'POST /a?b=1 HTTP/1.1\nHost: x\nContent-Length: 3', 'POST /a?b=1 HTTP/1.1\nHost: x\r\nContent-Length: 3\r\n\r\n']) {
      expect(request(head)).toMatchObject({ method: 'POST', target: '/a?b=1', version: 'HTTP/1.1', headers: [['Host', 'x'], ['Content-Length', '3']], framing: { kind: 'length', length: 3 } });
    }
  });

  it.each([
    ['no length and no coding: no body', 'GET / HTTP/1.1\r\nHost: x', { kind: 'none' }],
    ['HTTP/1.0 without a coding', 'GET / HTTP/1.0', { kind: 'none' }],
    ['spaces and tabs around the value', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \t 12 \t', { kind: 'length', length: 12 }],
    ['no space after the colon', 'POST / HTTP/1.1\r\nHost: x\r\ncontent-length:7', { kind: 'length', length: 7 }],
    ['the same length twice', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 4', { kind: 'length', length: 4 }],
    ['leading zeros', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 007', { kind: 'length', length: 7 }],
    ['Content-Length: 0', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0', { kind: 'length', length: 0 }],
    ['chunked', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked', { kind: 'chunked' }],
    ['CHUNKED in capitals, the name in lower case', 'POST / HTTP/1.1\r\nHost: x\r\ntransfer-encoding: CHUNKED', { kind: 'chunked' }],
    ['gzip then chunked', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked', { kind: 'chunked' }],
    ['codings over two lines', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked', { kind: 'chunked' }],
    ['an empty list element', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , chunked', { kind: 'chunked' }],
    ['a method with a hyphen', 'M-SEARCH * HTTP/1.1\r\nHost: x', { kind: 'none' }],
  ])('%s', (_what, head, expected) => {
    expect(framing(request(head))).toEqual(expected);
  });
});

describe('readHead: Host (RFC 9112, 3.2)', () => {
  it('refuses an HTTP/1.1 request without Host, and any request with more than one', () => {
    expect(request('GET / HTTP/1.1\r\nAccept: */*')).toMatchObject({ refused: 'host', status: 400, reason: 'an HTTP/1.1 request must name its site in a Host header; add one, such as "Host: www.bank32.com"' });
    expect(request('GET / HTTP/1.1\r\nHost: a\r\nhost: b')).toMatchObject({ refused: 'host', reason: expect.stringContaining('the request has 2 Host headers') });
    expect(request('GET / HTTP/1.0\r\nHost: a\r\nHost: a')).toMatchObject({ refused: 'host' });
  });

  it('takes an HTTP/1.0 request without Host, and an empty Host (a target with no authority)', () => {
    expect(refusal(request('GET / HTTP/1.0'))).toBeNull();
    expect(refusal(request('OPTIONS * HTTP/1.1\r\nHost:'))).toBeNull();
  });

  it('refuses a Host value that is not a host with an optional port, saying what is wrong in it', () => {
    const reason = (value: string) => {
      const read = request(`GET / HTTP/1.1\r\nHost: ${value}`);
      return isRefusal(read) && read.refused === 'host' && read.status === 400 ? read.reason : null;
    };
    expect(reason('www.bank32.com:44x')).toBe(
      'the Host header "www.bank32.com:44x" is not a site name with an optional port: its port "44x" is not a number; send it as "www.bank32.com" or "127.0.0.1:4433"',
    );
    expect(reason('www.bank32.com evil.com')).toContain('it holds a space');
    expect(reason('user@www.bank32.com')).toContain('it holds "@", which puts a user name before the site');
    expect(reason('www.bank32.com:99999')).toContain('its port 99999 is over 65535');
    expect(reason('www.bank32.com:443:443')).toContain('its port "443:443" is not a number');
    expect(reason('www.bank32.com/admin')).toContain('it holds "/", which no host name may carry');
    expect(reason('[::1')).toContain('never closed');
    expect(reason('[not-v6]:443')).toContain('is not an IPv6 address');
    expect(reason('[::1]x')).toContain('after its "]"');
    expect(reason('a%zz')).toContain('"%" is not followed by two hex digits');
    // HTTP/1.0 requests are held to the same form when they send a Host.
    expect(refusal(request('GET / HTTP/1.0\r\nHost: a b'))).toBe('host');
  });

  it('takes every form of host RFC 3986 allows: a name, IPv4, IPv6 in brackets, with or without a port', () => {
    for (const value of ['www.bank32.com', 'WWW.Bank32.COM:4433', '127.0.0.1:4433', '[::1]', '[::1]:443', '[v1.fe]', 'xn--bcher-kva.example', 'a_b~c!$&\'()*+,;=', 'caf%C3%A9.example', 'site:', '']) {
      expect(refusal(request(`GET / HTTP/1.1\r\nHost: ${value}`)), value).toBeNull();
    }
  });

  it('judges framing first: a smuggling attempt without Host is named as one', () => {
    expect(refusal(request('POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2'))).toBe('lengths-disagree');
  });
});

describe('readHead: Expect (RFC 9110, 10.1.1)', () => {
  const server = (text: string) => readHead(text, { side: 'request', expectations: true });
  it('a client waits for 100 Continue only with 100-continue, HTTP/1.1 and a body to send', () => {
    const continues = (text: string) => (isRefusal(server(text)) ? null : (server(text) as ReadHead).expectsContinue);
    expect(continues('POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5')).toBe(true);
    expect(continues('POST / HTTP/1.1\r\nHost: x\r\nexpect:  100-CONTINUE \r\nTransfer-Encoding: chunked')).toBe(true);
    expect(continues('POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 0')).toBe(false);
    expect(continues('GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue')).toBe(false);
    // An HTTP/1.0 server ignores the expectation (RFC 9110, 10.1.1).
    expect(continues('POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5')).toBe(false);
    expect(continues('POST / HTTP/1.1\r\nHost: x\r\nExpect: \r\nContent-Length: 5')).toBe(false);
  });

  it('a server refuses any other expectation with 417; a proxy leaves it to the server it forwards to', () => {
    for (const value of ['x-unknown', '100-continue, x-unknown', '100-continue=1']) {
      const text = `POST / HTTP/1.1\r\nHost: x\r\nExpect: ${value}\r\nContent-Length: 5`;
      expect(server(text)).toMatchObject({ refused: 'expectation', status: 417 });
      expect(refusal(request(text))).toBeNull();
    }
    // Framing is judged first: a smuggling attempt is named as one.
    expect(server('POST / HTTP/1.1\r\nHost: x\r\nExpect: x\r\nContent-Length : 5')).toMatchObject({ refused: 'field-line', status: 400 });
  });
});

describe('readHead: responses', () => {
  it.each([
    ['no length and no coding: to the close', 'HTTP/1.1 200 OK', { kind: 'close' }],
    ['a length', 'HTTP/1.1 200 OK\r\nContent-Length: 5', { kind: 'length', length: 5 }],
    ['chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked', { kind: 'chunked' }],
    ['codings not ending in chunked: to the close (RFC 9112, 6.3)', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip', { kind: 'close' }],
    ['a coding that only looks like chunked: to the close', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked', { kind: 'close' }],
    ['a status line without a reason', 'HTTP/1.1 204', { kind: 'close' }],
  ])('%s', (_what, head, expected) => {
    expect(framing(response(head))).toEqual(expected);
  });

  it('refuses the same ambiguous heads as for a request, and chunked twice', () => {
    expect(refusal(response('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked'))).toBe('length-and-coding');
    expect(refusal(response('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked'))).toBe('codings');
    expect(refusal(response('HTTP/1.1 200 OK\r\nContent-Length : 5'))).toBe('field-line');
    expect(refusal(response('HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked'))).toBe('http10-coding');
    expect(refusal(response('HTTP/1.1 2000 OK'))).toBe('start-line');
  });
});

const bytes = (text: string) => Buffer.from(text, 'latin1');

/** Feeds `text` whole, then byte by byte; both must give the same end (or the same error). */
function scan(text: string, strict: boolean): { end: number; data: string } | { error: string } {
  const outcomes = [
    () => {
      const body = new ChunkedBody(strict, true);
      return { end: body.feed(bytes(text)), data: Buffer.concat(body.data).toString('latin1') };
    },
    () => {
      const body = new ChunkedBody(strict, true);
      let end = -1;
      let at = 0;
      for (; at < text.length && end < 0; at++) end = body.feed(bytes(text.slice(at, at + 1)));
      return { end: end < 0 ? -1 : at, data: Buffer.concat(body.data).toString('latin1') };
    },
  ].map((run) => {
    try {
      return run();
    } catch (err) {
      return { error: (err as Error).message };
    }
  });
  expect(outcomes[1]).toEqual(outcomes[0]);
  return outcomes[0];
}

describe('ChunkedBody', () => {
  it.each([
    ['CRLF line ends', '3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\nNEXT', 'abc0123456789abcdef'],
    ['LF alone on the size and trailer lines', '3\nabc\r\n0\n\nNEXT', 'abc'],
    ['an extension and spaces before it', '3 ;name=value\r\nabc\r\n0\r\n\r\nNEXT', 'abc'],
    ['trailer fields', '3\r\nabc\r\n0\r\nChecksum: 1\r\nX: y\r\n\r\nNEXT', 'abc'],
    ['upper-case hex and leading zeros', '00A\r\n0123456789\r\n0\r\n\r\nNEXT', '0123456789'],
  ])('strict, finds the end with %s', (_what, text, data) => {
    expect(scan(text, true)).toEqual({ end: text.length - 4, data });
  });

  it.each([
    ['a size in 0x form', '0x3\r\nabc\r\n0\r\n\r\n', /chunk size must be hex digits/],
    ['a size with a sign', '+3\r\nabc\r\n0\r\n\r\n', /chunk size must be hex digits/],
    ['a size with junk after it', '3g\r\nabc\r\n0\r\n\r\n', /chunk size must be hex digits/],
    ['an empty size line', '\r\nabc\r\n0\r\n\r\n', /chunk size must be hex digits/],
    ['a size over 12 hex digits', '1000000000000\r\n', /chunk size must be hex digits/],
    ['data not followed by CRLF', '3\r\nabcXY0\r\n\r\n', /does not end in CRLF where its size says/],
    ['data followed by LF alone', '3\r\nabc\n0\r\n\r\n', /does not end in CRLF where its size says/],
    ['a CR inside a size line', '3;a\rb\r\nabc\r\n0\r\n\r\n', /CR that does not end the line/],
    ['a trailer line that is not a field', '3\r\nabc\r\n0\r\n folded\r\n\r\n', /trailer line " folded" is not "Name: value"/],
  ])('strict, refuses %s', (_what, text, message) => {
    const result = scan(text, true);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toMatch(message);
  });

  it('lenient (a response passed on), reads the size as far as it is hex and skips the two bytes after the data', () => {
    const text = '3g\r\nabcXY0\r\n folded\r\n\r\nNEXT';
    expect(scan(text, false)).toEqual({ end: text.length - 4, data: 'abc' });
    expect(scan('zz\r\n', false)).toHaveProperty('error');
  });

  it('refuses a size or trailer line over 8 KiB, whole or in pieces', () => {
    expect(scan(`3;${'e'.repeat(9000)}\r\nabc\r\n0\r\n\r\n`, true)).toEqual({ error: 'a chunk-size or trailer line is longer than 8 KiB' });
  });

  it('counts the data, collected or not', () => {
    const body = new ChunkedBody(true);
    expect(body.feed(bytes('5\r\nhello\r\n0\r\n\r\n'))).toBe(15);
    expect(body.dataBytes).toBe(5);
    expect(body.data).toEqual([]);
    expect(body.done).toBe(true);
  });
});

// --- the three readers, driven with the same bytes -------------------------------------------

/** What one reader made of a connection's bytes: the requests it passed on, then how it ended. */
interface Outcome {
  requests: { line: string; body: string }[];
  /** How many interim "100 Continue" answers the client got. */
  continues: number;
  end: { kind: 'open' } | { kind: 'refused'; status: number; reason: string } | { kind: 'not-http' };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** Answers in the order written: status, and the body as the Content-Length says. */
function answers(text: string): { status: number; body: string }[] {
  const out: { status: number; body: string }[] = [];
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const head = text.slice(at, end);
    const length = Number(/\r\nContent-Length: (\d+)/i.exec(head)?.[1] ?? 0);
    out.push({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body: text.slice(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  return out;
}

/** The final answers, and how many interim 100 Continue came among them. */
function finalAnswers(text: string): { continues: number; finals: { status: number; body: string }[] } {
  const all = answers(text);
  return { continues: all.filter((a) => a.status === 100).length, finals: all.filter((a) => a.status !== 100) };
}

/** The lab server with its echo page: every request comes back whole in its answer's body. */
async function labServer(pieces: Buffer[]): Promise<Outcome> {
  const client = new FakeClient();
  serveHttp(client, { kind: 'echo' }, { host: null, version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' }, 'localhost', undefined, { answered: () => undefined, note: () => undefined });
  for (const piece of pieces) client.push(piece);
  client.push(null);
  await settle();
  const { continues, finals } = finalAnswers(client.text());
  const outcome: Outcome = { requests: [], continues, end: { kind: 'open' } };
  for (const a of finals) {
    if (a.status !== 200) {
      const reason = a.body.replace(/\n$/, '');
      if (reason.startsWith('this server speaks HTTP/1.1; ')) outcome.end = { kind: 'not-http' };
      else outcome.end = { kind: 'refused', status: a.status, reason };
      break;
    }
    const blank = /\r?\n\r?\n/.exec(a.body)!;
    outcome.requests.push({ line: a.body.slice(0, a.body.search(/\r?\n/)), body: a.body.slice(blank.index + blank[0].length) });
  }
  return outcome;
}

/** The replay server's reading of a live client; what it passes on to be answered is noted here. */
async function replayServer(pieces: Buffer[]): Promise<Outcome> {
  const server = new ReplayServer(1, { ids: [1], ca: 'ca' }, {} as never);
  const passed: ParsedRequest[] = [];
  const inside = server as unknown as {
    answer: (stream: FakeClient, request: ParsedRequest) => boolean;
    serveHttp: (stream: FakeClient, host: string | null, hooks: { answered(): void; note(text: string): void }) => void;
  };
  inside.answer = (_stream, req) => {
    passed.push(req);
    return false;
  };
  const client = new FakeClient();
  inside.serveHttp(client, null, { answered: () => undefined, note: () => undefined });
  for (const piece of pieces) client.push(piece);
  client.push(null);
  await settle();
  const { continues, finals } = finalAnswers(client.text());
  const outcome: Outcome = { requests: passed.map((r) => ({ line: r.startLine, body: Buffer.from(requestContent(r)).toString('latin1') })), continues, end: { kind: 'open' } };
  const refused = finals[0];
  if (refused) {
    const reason = refused.body.replace(/\n$/, '').replace(/^the chunked body could not be read: /, '');
    outcome.end = reason.startsWith('the replay server speaks HTTP/1.1; ') ? { kind: 'not-http' } : { kind: 'refused', status: refused.status, reason };
  }
  return outcome;
}

/** The proxy's request side, with a rule that holds every body so what it forwards can be seen. */
function proxy(pieces: Buffer[]): Outcome {
  const outcome: Outcome = { requests: [], continues: 0, end: { kind: 'open' } };
  const ctx: ExchangeContext = { exchange: 1, fired: () => undefined, note: () => undefined };
  const hooks = rewriteHooks([parseRewriteArgument('request:never-there=>x')], new ProxyHooks());
  hooks.onBody('request-body', (body) => {
    outcome.requests[outcome.requests.length - 1].body = body.toString('latin1');
    return body;
  });
  const stream = new HttpStream(
    'request',
    hooks,
    () => ctx,
    {
      out: () => undefined,
      head: (h) => outcome.requests.push({ line: h.startLine, body: '' }),
      answer: (d) => {
        const text = d.toString('utf8');
        if (text === 'HTTP/1.1 100 Continue\r\n\r\n') {
          outcome.continues++;
          return;
        }
        const said = /proxy refused this request: (.*)\.\n/.exec(text)?.[1] ?? text;
        const reason = said.replace(/^the chunked body could not be read: /, '');
        // Refused in its body: the request was not read whole, and the servers do not count it either.
        if (reason !== said) outcome.requests.pop();
        outcome.end = { kind: 'refused', status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1]), reason };
      },
      raw: () => {
        outcome.end = { kind: 'not-http' };
      },
    },
    [],
  );
  for (const piece of pieces) stream.push(piece);
  stream.end();
  // A request counts once the proxy has read it whole, as the servers count one.
  if ((stream as unknown as { state: string }).state === 'body') outcome.requests.pop();
  return outcome;
}

const START_LINES = [`GET /${'a'.repeat(MAX_REQUEST_HEAD_BYTES)} HTTP/1.1`, 'POST /a HTTP/1.1', 'PUT /b?x=1 HTTP/1.0', 'GET / HTTP/1.1', 'M-SEARCH * HTTP/1.1', 'POST2 /c HTTP/1.1', 'post /a HTTP/1.1', 'POST  /a HTTP/1.1', 'POST /a\x01 HTTP/1.1', 'POST /a HTTP/2.0'];
const FIELD_LINES = [
  // Two of these take the head over MAX_REQUEST_HEAD_BYTES (431), one does not.
  `X-Big: ${'b'.repeat(MAX_REQUEST_HEAD_BYTES / 2)}`,
  'Host: a',
  'X-Y: z',
  'Expect: 100-continue',
  'expect: 100-Continue ',
  'Expect: 100-continue, x-unknown',
  'Expect: ',
  'X:',
  'Content-Length: 3',
  'Content-Length: 03',
  'Content-Length:  3 \t',
  'Content-Length: 0',
  'Content-Length: 4',
  'content-length: 3',
  'Content-Length: 0x3',
  'Content-Length: 3, 3',
  'Content-Length: \x0b3',
  'Content-Length: \xa03',
  'Content-Length : 3',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: CHUNKED',
  'transfer-encoding: gzip, chunked',
  'Transfer-Encoding: chunked, gzip',
  'Transfer-Encoding: xchunked',
  'Transfer-Encoding: ',
  ' folded',
  '\tX: y',
  'X: a\rb',
  'X: a\0b',
  'NoColon',
  ': empty',
];
const BODIES = ['', 'abc', 'abcd', '3\r\nabc\r\n0\r\n\r\n', '3\nabc\r\n0\n\n', '3;e=1\r\nabc\r\n0\r\nT: v\r\n\r\n', '0x3\r\nabc\r\n0\r\n\r\n', '3\r\nabcXY0\r\n\r\n', '3\r\nabc\r\n0\r\n folded\r\n\r\n'];
const AFTER = 'GET /after HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n';
const HOST_VALUES = ['site0', 'site0', 'site0', 'www.bank32.com:4433', '[::1]:443', '', 'a b', 'site:44x', 'site:99999', 'user@site', 'site/x', '[::1', 'a%zz', '\x7f'];

const connection = fc
  .record({
    start: fc.constantFrom(...START_LINES),
    fields: fc.array(fc.record({ line: fc.constantFrom(...FIELD_LINES), crlf: fc.boolean() }), { maxLength: 4 }),
    // Most requests name their site once; some never, some twice (RFC 9112, 3.2).
    hosts: fc.constantFrom(1, 1, 1, 0, 2),
    // ... and some in a form no host has (RFC 9110, 7.2).
    hostValue: fc.constantFrom(...HOST_VALUES),
    crlf: fc.boolean(),
    body: fc.constantFrom(...BODIES),
    split: fc.nat(),
  })
  .map(({ start, fields, hosts, hostValue, crlf, body, split }) => {
    // Keep-alive for HTTP/1.0 too, so every reader goes on to the request after.
    const hostLines = Array.from({ length: hosts }, (_, i) => ({ line: `Host: ${i === 0 ? hostValue : `site${i}`}`, crlf }));
    const lines = [{ line: start, crlf }, { line: 'Connection: keep-alive', crlf }, ...hostLines, ...fields];
    const head = lines.map((l) => `${l.line}${l.crlf ? '\r\n' : '\n'}`).join('') + (crlf ? '\r\n' : '\n');
    const all = bytes(head + body + AFTER);
    const at = split % (all.length + 1);
    return { start, head, hasCoding: fields.some((f) => /^transfer-encoding:/i.test(f.line)), pieces: [all.subarray(0, at), all.subarray(at)].filter((p) => p.length > 0) };
  });

describe('the three readers agree on every request head', () => {
  it('the lab server, the replay server and the proxy split the same bytes into the same requests, and refuse the same heads for the same reason', async () => {
    await fc.assert(
      fc.asyncProperty(connection, async ({ start, head, hasCoding, pieces }) => {
        const replay = await replayServer(pieces);
        let byProxy = proxy(pieces);
        const tooLong = replay.end.kind === 'refused' && (replay.end.status === 414 || replay.end.status === 431);
        if (tooLong && byProxy.end.kind === 'not-http') {
          // What does not begin like a request is forwarded as bytes by the proxy (other protocols
          // pass through it), however long; a server refuses it as too long before reading it.
          expect(couldStartRequest(start), JSON.stringify(head)).toBe(false);
          byProxy = { ...byProxy, end: replay.end };
        }
        if (replay.end.kind === 'refused' && replay.end.status === 417) {
          // An expectation other than 100-continue is the real server's to meet: the proxy passes
          // the request on (or refuses its body, which it reads on).
          expect(byProxy.requests.slice(0, replay.requests.length), JSON.stringify(head)).toEqual(replay.requests);
          expect(byProxy.requests.length > replay.requests.length || byProxy.end.kind === 'refused', JSON.stringify(head)).toBe(true);
        } else {
          // The replay server and the proxy both read chunked requests: the same in every way.
          expect(byProxy, JSON.stringify(head)).toEqual(replay);
        }
        const lab = await labServer(pieces);
        if (lab.end.kind === 'refused' && lab.end.status === 411) {
          // The lab server reads no chunked bodies: the head had a coding, and the rules checked
          // before codings (the lines themselves) found nothing, as the others found nothing.
          expect(hasCoding, JSON.stringify(head)).toBe(true);
          expect(lab.requests).toEqual(replay.requests.slice(0, lab.requests.length));
          const next = replay.requests.length > lab.requests.length || replay.end.kind === 'refused';
          expect(next, JSON.stringify(head)).toBe(true);
          // Whatever the others refused it for, it was not the header lines, which come first.
          if (replay.requests.length === lab.requests.length && replay.end.kind === 'refused') {
            expect(replay.end.reason, JSON.stringify(head)).not.toMatch(/header line/);
          }
        } else {
          expect(lab, JSON.stringify(head)).toEqual(replay);
        }
      }),
      { seed: 9112, numRuns: 600 },
    );
  });
});

// --- what users see of the rules the readers did not all have -------------------------------

describe('rules one reader or another lacked', () => {
  it('the lab server refuses a Content-Length behind a vertical tab or no-break space (it trimmed them into a length)', async () => {
    for (const space of ['\x0b', '\xa0']) {
      const lab = await labServer([bytes(`POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: ${space}3\r\n\r\nabcGET /smuggled HTTP/1.1\r\n\r\n`)]);
      expect(lab.requests).toEqual([]);
      expect(lab.end).toMatchObject({ kind: 'refused', status: 400 });
      expect((lab.end as { reason: string }).reason).toContain('is not digits alone');
    }
  });

  it('all three refuse a CR inside a header line (a parser that ends lines at a CR reads another head)', async () => {
    const pieces = [bytes('POST /x HTTP/1.1\r\nHost: x\r\nX-Note: a\rContent-Length: 20\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n')];
    for (const outcome of [await labServer(pieces), await replayServer(pieces), proxy(pieces)]) {
      expect(outcome.requests).toEqual([]);
      expect(outcome.end).toMatchObject({ kind: 'refused', status: 400, reason: expect.stringContaining('a CR that does not end the line') });
    }
  });

  it('all three refuse a Host value in no host\'s form with 400 and pass nothing on (they took "user@site", "a b" and "site:44x" as sites)', async () => {
    for (const value of ['user@www.bank32.com', 'www.bank32.com evil.example', 'www.bank32.com:44x']) {
      const pieces = [bytes(`GET /first HTTP/1.1\r\nHost: www.bank32.com\r\nConnection: keep-alive\r\n\r\nGET /admin HTTP/1.1\r\nHost: ${value}\r\n\r\n`)];
      for (const outcome of [await labServer(pieces), await replayServer(pieces), proxy(pieces)]) {
        expect(outcome.requests.map((r) => r.line), value).toEqual(['GET /first HTTP/1.1']);
        expect(outcome.end, value).toMatchObject({ kind: 'refused', status: 400, reason: expect.stringContaining(`the Host header "${value}" is not a site name with an optional port`) });
      }
    }
  });

  it('the replay server and the proxy refuse Transfer-Encoding in an HTTP/1.0 request (RFC 9112, 6.1)', async () => {
    const pieces = [bytes('POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n')];
    for (const outcome of [await replayServer(pieces), proxy(pieces)]) {
      expect(outcome.requests).toEqual([]);
      expect(outcome.end).toMatchObject({ kind: 'refused', reason: expect.stringContaining('an HTTP/1.0 message cannot carry Transfer-Encoding') });
    }
  });

  it('the replay server and the proxy refuse a chunked trailer line that is not a field', async () => {
    const pieces = [bytes('POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n folded\r\n\r\n')];
    for (const outcome of [await replayServer(pieces), proxy(pieces)]) expect(outcome.end).toMatchObject({ kind: 'refused', reason: expect.stringContaining('is not "Name: value"') });
  });

  it('the lab server and the proxy take a method with digits, as the replay server does', async () => {
    const pieces = [bytes('POST2 /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi')];
    for (const outcome of [await labServer(pieces), await replayServer(pieces), proxy(pieces)]) expect(outcome).toEqual({ requests: [{ line: 'POST2 /x HTTP/1.1', body: 'hi' }], continues: 0, end: { kind: 'open' } });
  });
});

describe('the proxy reads a response\'s codings as its client does', () => {
  function responses(rules: string[], answer: string) {
    const toVictim: Buffer[] = [];
    const raw: string[] = [];
    const ctx: ExchangeContext = { exchange: 1, fired: () => undefined, note: () => undefined };
    const stream = new HttpStream('response', rewriteHooks(rules.map(parseRewriteArgument)), () => ctx, { out: (d) => toVictim.push(Buffer.from(d)), raw: (r) => raw.push(r) }, ['GET']);
    stream.push(bytes(answer));
    stream.end();
    return { victim: Buffer.concat(toVictim).toString('latin1'), raw };
  }

  it('a body whose codings do not end in chunked runs to the close (it was read as chunked and failed the session)', () => {
    const answer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n\x1f\x8b\x08 compressed\r\nbytes, to the close';
    expect(() => responses([], answer)).not.toThrow();
    expect(responses([], answer).victim).toBe(answer);
  });

  it('codings over two header lines end in chunked: the body is read chunked (it was read to the close)', () => {
    const answer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    const next = 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret';
    // The second response is its own message, rewritten as one; read to the close, it was part of the first body.
    const got = responses(['response:secret=>public'], answer + next);
    expect(got.victim).toBe(`${answer}HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\npublic`);
  });
});

describe('recorded traffic is still read leniently', () => {
  it('a recording whose heads a live reader refuses still gives its requests and responses for replay', () => {
    const recorded = bytes('POST /a HTTP/1.1\r\nContent-Length : 3\r\nX: a\rb\r\n\r\nabcGET /b HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(refusal(request('POST /a HTTP/1.1\r\nContent-Length : 3\r\nX: a\rb'))).toBe('field-line');
    const requests = parseRequests(recorded);
    expect(requests.map((r) => [r.startLine, Buffer.from(r.body).toString('latin1')])).toEqual([
      ['POST /a HTTP/1.1', 'abc'],
      ['GET /b HTTP/1.0', '0\r\n\r\n'],
    ]);
    const answers = parseResponses(bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'), requests);
    expect(answers).toHaveLength(1);
  });
});

describe('the replay server reads a live chunked body as the live readers split it', () => {
  it('a body whose size lines end in LF alone (openssl s_client) is matched by its data (it was read as "0" and the rest)', () => {
    const body = bytes('3\nabc\r\n4;x=y\ndefg\r\n0\nT: v\n\n');
    expect(Buffer.from(requestContent({ headers: [['Transfer-Encoding', 'chunked']], body })).toString('latin1')).toBe('abcdefg');
    expect(Buffer.from(requestContent({ headers: [['Transfer-Encoding', 'chunked']], body: bytes('3\r\nabc\r\n0\r\n\r\n') })).toString('latin1')).toBe('abc');
  });
});
