// The replay server's HTTP reading, bytes in and values out: a live client's head is read
// strictly; a chunked body's end is found piece by piece; recorded traffic stays lenient but
// never loops or throws on odd framing.
import { describe, expect, it } from 'vitest';
import { ChunkedEnd, parseLiveRequestHead, parseRequests, parseResponses } from '../../src-main/replay/httpMatch';

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('parseLiveRequestHead', () => {
  it('reads a plain head and its framing', () => {
    const head = parseLiveRequestHead('POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\nContent-Length: 12');
    expect(typeof head).toBe('object');
    if (typeof head === 'string') return;
    expect(head.method).toBe('POST');
    expect(head.framing).toEqual({ kind: 'length', length: 12 });
    expect(parseLiveRequestHead('GET / HTTP/1.1\nHost: x')).toMatchObject({ framing: { kind: 'length', length: 0 } });
    expect(parseLiveRequestHead('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked')).toMatchObject({ framing: { kind: 'chunked' } });
  });

  it.each([
    'Content-Length : 5',
    'Content-Length\t: 5',
    'X: a\r\n b',
    'X: a\r\n\tContent-Length: 5',
    'Content-Length: 0x10',
    'Content-Length: 1e1',
    'Content-Length: +5',
    'Content-Length: -5',
    'Content-Length: 5, 5',
    'Content-Length: 5\r\nContent-Length: 6',
    'Content-Length: 5\r\nTransfer-Encoding: chunked',
    'Transfer-Encoding: chunked, chunked',
    'Transfer-Encoding: identity',
  ])('refuses "%s" with the text of a 400', (line) => {
    expect(typeof parseLiveRequestHead(`POST / HTTP/1.1\r\nHost: x\r\n${line}`)).toBe('string');
  });
});

describe('ChunkedEnd', () => {
  it('finds the end across pieces, one byte at a time', () => {
    const body = bytes('3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: t\r\n\r\nNEXT');
    const scan = new ChunkedEnd();
    let end = -1;
    let at = 0;
    for (; at < body.length && end < 0; at++) end = scan.feed(body.subarray(at, at + 1));
    expect(at).toBe(body.length - 4);
    expect(scan.dataBytes).toBe(19);
    expect(new ChunkedEnd().feed(body)).toBe(body.length - 4);
  });

  it.each(['0x3\r\nabc\r\n0\r\n\r\n', '+3\r\nabc\r\n0\r\n\r\n', '3g\r\nabc\r\n0\r\n\r\n', '\r\n'])('throws on the chunk size in %j', (text) => {
    expect(() => new ChunkedEnd().feed(bytes(text))).toThrow(/chunk size/);
  });
});

describe('ChunkedEnd: the line end after each chunk', () => {
  it('throws when a chunk\'s data does not end in CRLF where its size says, whole or byte by byte', () => {
    const text = bytes('3\r\nabcXY0\r\n\r\n');
    expect(() => new ChunkedEnd().feed(text)).toThrow(/CRLF/);
    const scan = new ChunkedEnd();
    expect(() => {
      for (let i = 0; i < text.length; i++) scan.feed(text.subarray(i, i + 1));
    }).toThrow(/CRLF/);
  });
});

describe('recorded traffic stays lenient, and never hangs or throws', () => {
  it.each(['0x2', '1e0', ' +2', 'NaN', '99999999999999999999', '1e400', '-1'])('Content-Length "%s" in a recorded request', (value) => {
    const recorded = bytes(`POST /a HTTP/1.1\r\nContent-Length: ${value}\r\n\r\nokGET /b HTTP/1.1\r\n\r\n`);
    const requests = parseRequests(recorded);
    expect(requests.length).toBeLessThanOrEqual(2);
    expect(() => parseResponses(bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\nok`), requests)).not.toThrow();
  });
});
