// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) of the HTTP/1.x exchanges inside a
// session's decrypted application data: requests paired with responses in order on each
// connection, bodies framed by Content-Length, chunked transfer coding or the connection's close.
import { isUtf8 } from 'node:buffer';
import { concatBytes } from '../bytes';

export interface PlainSegment {
  direction: 'client-to-server' | 'server-to-client';
  /** Epoch milliseconds. */
  time: number;
  data: Uint8Array;
}

export interface HarConnectionInput {
  /** Shown as the entry's `connection`. */
  connection: string;
  /** Custom field: which leg of the session. */
  leg: string;
  serverAddress: string | null;
  /** The name for URLs when a request carries no Host header (the SNI or the target). */
  host: string;
  segments: readonly PlainSegment[];
}

/**
 * The authority for the URL of a request that carries no Host header (HTTP/1.0, as s_client
 * sends it): the connection's own SNI or address and the port it reached, so that requests of
 * one session to two servers are not both put on the first one. Port 443 is left out.
 */
export function urlAuthority(name: string, port: number | null): string {
  const host = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
  return port === null || port === 443 ? host : `${host}:${port}`;
}

interface HarHeader {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: { name: string; value: string }[];
    headers: HarHeader[];
    queryString: HarHeader[];
    postData?: { mimeType: string; text: string; encoding?: string };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: { name: string; value: string }[];
    headers: HarHeader[];
    content: { size: number; mimeType: string; text?: string; encoding?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  serverIPAddress?: string;
  connection: string;
  _leg: string;
}

export interface HarLog {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    entries: HarEntry[];
    comment?: string;
  };
}

/** One direction's bytes joined, with the time each segment began, to date any byte offset. */
class TimedStream {
  readonly bytes: Uint8Array;
  private readonly starts: number[] = [];
  private readonly times: number[] = [];

  constructor(segments: readonly PlainSegment[]) {
    const total = segments.reduce((n, s) => n + s.data.length, 0);
    this.bytes = new Uint8Array(total);
    let at = 0;
    for (const s of segments) {
      this.bytes.set(s.data, at);
      this.starts.push(at);
      this.times.push(s.time);
      at += s.data.length;
    }
  }

  timeAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.times[lo] ?? 0;
  }
}

interface HttpMessage {
  start: number;
  end: number;
  startLine: string[];
  httpVersion: string;
  headers: HarHeader[];
  headersSize: number;
  bodySize: number;
  body: Uint8Array;
}

function indexOfHeadEnd(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i + 4;
  }
  return -1;
}

function header(headers: HarHeader[], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name)?.value;
}

const latin1 = new TextDecoder('latin1');

/** Reads one HTTP/1.x message at `from`; null when there is none (or it is not HTTP). */
function readMessage(bytes: Uint8Array, from: number, bodyRule: (headers: HarHeader[], startLine: string[]) => 'none' | 'framed' | 'to-close'): HttpMessage | null {
  const headEnd = indexOfHeadEnd(bytes, from);
  if (headEnd < 0) return null;
  const lines = latin1.decode(bytes.subarray(from, headEnd - 4)).split('\r\n');
  const startLine = lines[0].split(' ');
  const headers: HarHeader[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  const version = startLine[0].startsWith('HTTP/') ? startLine[0] : (startLine[2] ?? '');
  if (!/^HTTP\/\d\.\d$/.test(version)) return null;
  const rule = bodyRule(headers, startLine);
  let end = headEnd;
  let body: Uint8Array = new Uint8Array(0);
  if (rule !== 'none') {
    const encoding = header(headers, 'transfer-encoding')?.toLowerCase();
    const length = header(headers, 'content-length');
    if (encoding?.includes('chunked')) {
      // RFC 9112, Section 7.1.
      const parts: Uint8Array[] = [];
      let at = headEnd;
      for (;;) {
        const lineEnd = indexOfCrLf(bytes, at);
        if (lineEnd < 0) {
          end = bytes.length;
          break;
        }
        const size = parseInt(latin1.decode(bytes.subarray(at, lineEnd)).split(';')[0], 16);
        at = lineEnd + 2;
        if (!Number.isFinite(size) || size === 0) {
          // Trailer fields, then the final CRLF.
          const trailerEnd = indexOfHeadEnd(bytes, at - 2);
          end = trailerEnd < 0 ? bytes.length : trailerEnd;
          break;
        }
        parts.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
        at += size + 2;
        if (at > bytes.length) {
          end = bytes.length;
          break;
        }
      }
      body = concatBytes(parts);
    } else if (length !== undefined && /^\d+$/.test(length)) {
      end = Math.min(bytes.length, headEnd + Number(length));
      body = bytes.subarray(headEnd, end);
    } else if (rule === 'to-close') {
      end = bytes.length;
      body = bytes.subarray(headEnd, end);
    }
  }
  return { start: from, end, startLine, httpVersion: version, headers, headersSize: headEnd - from, bodySize: end - headEnd, body };
}

function indexOfCrLf(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) if (bytes[i] === 13 && bytes[i + 1] === 10) return i;
  return -1;
}

/**
 * A body goes into the HAR as text only when it is UTF-8 with no NUL; anything else as base64, so
 * that its bytes come back exactly. The declared type is not trusted: servers label binary files
 * text/plain (openssl s_server -WWW labels everything so), and a Latin-1 page is text/html too.
 */
function content(body: Uint8Array): { text: string; encoding?: string } {
  if (isUtf8(body) && !body.includes(0)) return { text: Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8') };
  return { text: Buffer.from(body.buffer, body.byteOffset, body.length).toString('base64'), encoding: 'base64' };
}

function queryString(url: string): HarHeader[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  return url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [name, value = ''] = pair.split('=');
      const decode = (s: string) => {
        try {
          return decodeURIComponent(s.replace(/\+/g, ' '));
        } catch {
          return s;
        }
      };
      return { name: decode(name), value: decode(value) };
    });
}

function cookies(headers: HarHeader[], name: 'cookie' | 'set-cookie'): { name: string; value: string }[] {
  return headers
    .filter((h) => h.name.toLowerCase() === name)
    .flatMap((h) => (name === 'cookie' ? h.value.split(';') : [h.value.split(';')[0]]))
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => {
      const eq = c.indexOf('=');
      return eq < 0 ? { name: c, value: '' } : { name: c.slice(0, eq), value: c.slice(eq + 1) };
    });
}

function round(ms: number): number {
  return Math.max(0, Math.round(ms * 1000) / 1000);
}

/** The HTTP exchanges of one connection's decrypted streams. */
export function harEntries(input: HarConnectionInput): HarEntry[] {
  const up = new TimedStream(input.segments.filter((s) => s.direction === 'client-to-server'));
  const down = new TimedStream(input.segments.filter((s) => s.direction === 'server-to-client'));
  const entries: HarEntry[] = [];
  let requestAt = 0;
  let responseAt = 0;
  for (;;) {
    const request = readMessage(up.bytes, requestAt, () => 'framed');
    if (!request || request.startLine.length < 3) break;
    requestAt = request.end;
    const method = request.startLine[0];
    let response: HttpMessage | null = null;
    // Interim 1xx responses come before the real one (RFC 9110, Section 15.2).
    for (;;) {
      response = readMessage(down.bytes, responseAt, (_headers, line) => {
        const status = Number(line[1]);
        if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) return 'none';
        return 'to-close';
      });
      if (!response) break;
      responseAt = response.end;
      const status = Number(response.startLine[1]);
      if (!(status >= 100 && status < 200) || status === 101) break;
    }
    const target = request.startLine[1];
    const host = header(request.headers, 'host') ?? input.host;
    const url = /^https?:\/\//i.test(target) ? target : `https://${host}${target.startsWith('/') ? '' : '/'}${target}`;
    const requestStart = up.timeAt(request.start);
    const requestEnd = up.timeAt(Math.max(request.start, request.end - 1));
    const responseStart = response ? down.timeAt(response.start) : requestEnd;
    const responseEnd = response ? down.timeAt(Math.max(response.start, response.end - 1)) : requestEnd;
    const requestType = header(request.headers, 'content-type') ?? '';
    const responseType = response ? (header(response.headers, 'content-type') ?? '') : '';
    const timings = { send: round(requestEnd - requestStart), wait: round(responseStart - requestEnd), receive: round(responseEnd - responseStart) };
    const entry: HarEntry = {
      startedDateTime: new Date(requestStart).toISOString(),
      time: round(timings.send + timings.wait + timings.receive),
      request: {
        method,
        url,
        httpVersion: request.httpVersion,
        cookies: cookies(request.headers, 'cookie'),
        headers: request.headers,
        queryString: queryString(target),
        headersSize: request.headersSize,
        bodySize: request.bodySize,
      },
      response: response
        ? {
            status: Number(response.startLine[1]),
            statusText: response.startLine.slice(2).join(' '),
            httpVersion: response.httpVersion,
            cookies: cookies(response.headers, 'set-cookie'),
            headers: response.headers,
            content: { size: response.body.length, mimeType: responseType, ...content(response.body) },
            redirectURL: header(response.headers, 'location') ?? '',
            headersSize: response.headersSize,
            bodySize: response.bodySize,
          }
        : {
            // HAR's way to say "no response": status 0 (the spec's own convention for aborted requests).
            status: 0,
            statusText: '',
            httpVersion: '',
            cookies: [],
            headers: [],
            content: { size: 0, mimeType: '' },
            redirectURL: '',
            headersSize: -1,
            bodySize: -1,
          },
      cache: {},
      timings,
      connection: input.connection,
      _leg: input.leg,
    };
    if (request.body.length) entry.request.postData = { mimeType: requestType, ...content(request.body) };
    if (input.serverAddress) entry.serverIPAddress = input.serverAddress;
    entries.push(entry);
  }
  return entries;
}

export function buildHar(connections: readonly HarConnectionInput[], creator: { name: string; version: string }, comment?: string): HarLog {
  const entries = connections.flatMap(harEntries).sort((a, b) => a.startedDateTime.localeCompare(b.startedDateTime));
  return { log: { version: '1.2', creator, entries, ...(comment ? { comment } : {}) } };
}
