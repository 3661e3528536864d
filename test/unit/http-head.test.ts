// HTTP heads whose lines end in CRLF, or in LF alone as openssl s_client sends what a student
// types: where the head ends, and the requests the replay server reads from them.
import { describe, expect, it } from 'vitest';
import { looksLikeHttpRequest, parseRequests } from '../../src-main/replay/httpMatch';
import { findHeadEnd, hasBareLf, headLines } from '../../src-main/sessions/httpHead';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('the end of an HTTP head', () => {
  it('is found after CRLF CRLF, after LF LF, and after the two mixed; not before it is complete', () => {
    expect(findHeadEnd(bytes('GET / HTTP/1.1\r\nHost: a\r\n\r\nbody'))).toEqual({ end: 23, next: 27 });
    expect(findHeadEnd(bytes('GET / HTTP/1.1\nHost: a\n\nbody'))).toEqual({ end: 22, next: 24 });
    expect(findHeadEnd(bytes('GET / HTTP/1.1\nHost: a\n\r\nbody'))).toEqual({ end: 22, next: 25 });
    expect(findHeadEnd(bytes('GET / HTTP/1.1\r\nHost: a\r\n'))).toBeNull();
    expect(findHeadEnd(bytes('x\r\n\r\nGET / HTTP/1.1\nHost: a\n\n'), 5)).toEqual({ end: 27, next: 29 });
    expect(headLines('GET / HTTP/1.1\nHost: a\r\nAccept: */*')).toEqual(['GET / HTTP/1.1', 'Host: a', 'Accept: */*']);
    expect(hasBareLf(bytes('GET / HTTP/1.1\r\nHost: a\r\n\r\n'))).toBe(false);
    expect(hasBareLf(bytes('GET / HTTP/1.1\nHost: a\n\n'))).toBe(true);
  });

  it('lets the replay server read a request typed into s_client', () => {
    const typed = bytes('GET /index.html HTTP/1.1\nHost: www.bank32.com\n\nGET /two HTTP/1.0\n\n');
    expect(looksLikeHttpRequest(typed)).toBe(true);
    const requests = parseRequests(typed);
    expect(requests.map((r) => [r.method, r.target, r.headers])).toEqual([
      ['GET', '/index.html', [['Host', 'www.bank32.com']]],
      ['GET', '/two', []],
    ]);
    expect(Buffer.from(requests[0].raw).toString('latin1')).toBe('GET /index.html HTTP/1.1\nHost: www.bank32.com\n\n');
  });
});
