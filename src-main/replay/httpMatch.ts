// Pure HTTP/1.x work for replay: split a connection's plaintext into requests and responses
// (framed by Content-Length, chunked coding or the close), pair them in order, and find the
// recorded response for a new request by method, path and query (optionally host and body).
// Bytes in, values out: no sockets, no database.
import { findHeadEnd, headLines } from '../sessions/httpHead';
import { ChunkedBody, isRefusal, readHead } from '../sessions/httpFraming';
import { concatBytes as concat, sameBytes } from '../bytes';

export interface HttpMessageHead {
  /** The first line: "GET /a?b=1 HTTP/1.1" or "HTTP/1.1 200 OK". */
  startLine: string;
  headers: [string, string][];
}

export interface ParsedRequest extends HttpMessageHead {
  method: string;
  target: string;
  version: string;
  /** Head and body exactly as they travelled. */
  raw: Uint8Array;
  body: Uint8Array;
}

export interface ParsedResponse extends HttpMessageHead {
  status: number;
  /** Head and body exactly as they travelled. */
  raw: Uint8Array;
  /** The response asked to close the connection after it (or its body ran to the close). */
  closes: boolean;
}

export interface RecordedExchange {
  request: ParsedRequest;
  /** Null when the connection ended before the answer. */
  response: ParsedResponse | null;
  /** The host the request was for: its Host header without port, else the connection's SNI. */
  host: string | null;
}

export interface MatchOptions {
  /** Match requests whatever their host (default: the host must be the same). */
  ignoreHost?: boolean;
  /** Match requests whatever their body (default: the body must be the same bytes). */
  ignoreBody?: boolean;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

function parseHeadLines(text: string): HttpMessageHead | null {
  const lines = headLines(text);
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { startLine: lines[0], headers };
}

export function headerValue(head: HttpMessageHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  return head.headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

const REQUEST_LINE = /^([A-Z][A-Z0-9_-]*) (\S+) (HTTP\/1\.[01])$/;
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/;

/** What an HTTP/2 client sends first (RFC 9113, 3.4). */
const HTTP2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

/** True when a client's bytes open with the HTTP/2 connection preface. */
export function speaksHttp2(clientBytes: Uint8Array): boolean {
  return clientBytes.length >= HTTP2_PREFACE.length && latin1(clientBytes.subarray(0, HTTP2_PREFACE.length)) === HTTP2_PREFACE;
}

/** True when the bytes start like an HTTP/1.x request ("GET / HTTP/1.1"). */
export function looksLikeHttpRequest(bytes: Uint8Array): boolean {
  const lf = bytes.indexOf(10);
  const firstLineEnd = lf > 0 && bytes[lf - 1] === 13 ? lf - 1 : lf;
  const line = latin1(bytes.subarray(0, firstLineEnd < 0 ? Math.min(bytes.length, 2048) : firstLineEnd));
  return firstLineEnd >= 0 && REQUEST_LINE.test(line);
}

/**
 * The end of a chunked body starting at `from`, or -1 when the bytes stop before it.
 * Returns the offset just past the last CRLF of the trailer.
 */
function chunkedEnd(bytes: Uint8Array, from: number): number {
  let at = from;
  for (;;) {
    const lineEnd = indexOfCrlf(bytes, at);
    if (lineEnd < 0) return -1;
    const size = parseInt(latin1(bytes.subarray(at, lineEnd)).split(';')[0].trim(), 16);
    if (!Number.isFinite(size) || size < 0) return -1;
    at = lineEnd + 2;
    if (size === 0) {
      // Trailer lines until an empty one.
      for (;;) {
        const end = indexOfCrlf(bytes, at);
        if (end < 0) return -1;
        const empty = end === at;
        at = end + 2;
        if (empty) return at;
      }
    }
    at += size + 2;
    if (at > bytes.length) return -1;
  }
}

function indexOfCrlf(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) if (bytes[i] === 13 && bytes[i + 1] === 10) return i;
  return -1;
}

/** Every complete request in one direction's bytes, in order; stops at the first thing that is not one. */
export function parseRequests(bytes: Uint8Array): ParsedRequest[] {
  const out: ParsedRequest[] = [];
  let at = 0;
  while (at < bytes.length) {
    const found = findHeadEnd(bytes, at);
    if (!found) break;
    const head = parseHeadLines(latin1(bytes.subarray(at, found.end)));
    const m = head && REQUEST_LINE.exec(head.startLine);
    if (!head || !m) break;
    const bodyStart = found.next;
    let bodyEnd = bodyStart;
    const te = headerValue(head, 'transfer-encoding');
    if (te && /chunked/i.test(te)) {
      bodyEnd = chunkedEnd(bytes, bodyStart);
      if (bodyEnd < 0) break;
    } else {
      const length = Number(headerValue(head, 'content-length') ?? '0');
      if (!Number.isInteger(length) || length < 0) break;
      bodyEnd = bodyStart + length;
      if (bodyEnd > bytes.length) break;
    }
    out.push({ ...head, method: m[1], target: m[2], version: m[3], raw: bytes.subarray(at, bodyEnd), body: bytes.subarray(bodyStart, bodyEnd) });
    at = bodyEnd;
  }
  return out;
}

/** How a live request's body is framed: a counted length (0 without one), or chunked coding. */
export type LiveFraming = { kind: 'length'; length: number } | { kind: 'chunked' };

/** A live client's request head, read strictly, with its body's framing. */
export interface LiveRequestHead extends HttpMessageHead {
  method: string;
  target: string;
  version: string;
  framing: LiveFraming;
  /** The client waits for "100 Continue" before it sends the body. */
  expectsContinue: boolean;
}

/** A live request head the replay server refuses: the status and the text of its answer. */
export interface LiveRequestRefusal {
  status: 400 | 411 | 417;
  text: string;
}

/**
 * Reads the head of a request from a live client (`text`: the head without its blank line) by
 * the rules every HTTP reader of the workbench shares (sessions/httpFraming.ts), chunked bodies
 * accepted. Returns the text of a 400 answer when the head is refused.
 */
export function parseLiveRequestHead(text: string): LiveRequestHead | string {
  const read = readLiveRequestHead(text);
  return 'text' in read ? read.text : read;
}

/** As parseLiveRequestHead, with the status a refusal is answered with (417 for an expectation other than 100-continue). */
export function readLiveRequestHead(text: string): LiveRequestHead | LiveRequestRefusal {
  const read = readHead(text, { side: 'request', expectations: true });
  if (isRefusal(read)) return { status: read.status, text: `${read.refused === 'start-line' ? 'the replay server speaks HTTP/1.1; ' : ''}${read.reason}\n` };
  const { startLine, headers, method, target, version, expectsContinue } = read;
  const framing: LiveFraming = read.framing.kind === 'chunked' ? { kind: 'chunked' } : { kind: 'length', length: read.framing.kind === 'length' ? read.framing.length : 0 };
  return { startLine, headers, method, target, version, framing, expectsContinue };
}

/**
 * Finds where a live client's chunked body ends, one piece at a time, strictly (see ChunkedBody):
 * a chunk size that is not hex digits, or data that does not end in CRLF, is thrown as an Error
 * with a plain message.
 */
export class ChunkedEnd extends ChunkedBody {
  constructor() {
    super(true);
  }
}

/**
 * Every response in the other direction's bytes, each for the request at the same position
 * (HEAD answers and 1xx/204/304 carry no body). A body that runs to the close takes the rest.
 */
export function parseResponses(bytes: Uint8Array, requests: readonly Pick<ParsedRequest, 'method'>[]): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let at = 0;
  let index = 0;
  while (at < bytes.length) {
    const found = findHeadEnd(bytes, at);
    if (!found) break;
    const head = parseHeadLines(latin1(bytes.subarray(at, found.end)));
    const m = head && STATUS_LINE.exec(head.startLine);
    if (!head || !m) break;
    const status = Number(m[1]);
    const bodyStart = found.next;
    let bodyEnd: number;
    let closes = /close/i.test(headerValue(head, 'connection') ?? '') || head.startLine.startsWith('HTTP/1.0');
    const method = requests[index]?.method ?? 'GET';
    if (status >= 100 && status < 200) {
      // An interim answer: the real one for the same request follows.
      out.push({ ...head, status, raw: bytes.subarray(at, bodyStart), closes: false });
      at = bodyStart;
      continue;
    }
    const te = headerValue(head, 'transfer-encoding');
    const cl = headerValue(head, 'content-length');
    if (method === 'HEAD' || status === 204 || status === 304) bodyEnd = bodyStart;
    else if (te && /chunked/i.test(te)) {
      bodyEnd = chunkedEnd(bytes, bodyStart);
      // Cut short (the recording stops inside it): what there is, and then the close.
      if (bodyEnd < 0) {
        bodyEnd = bytes.length;
        closes = true;
      }
    } else if (cl !== undefined && /^\d+$/.test(cl)) {
      bodyEnd = Math.min(bytes.length, bodyStart + Number(cl));
      if (bodyEnd < bodyStart + Number(cl)) closes = true;
    } else {
      bodyEnd = bytes.length;
      closes = true;
    }
    out.push({ ...head, status, raw: bytes.subarray(at, bodyEnd), closes });
    at = bodyEnd;
    index++;
  }
  return out;
}

/**
 * Follows the bytes a server sends after a request went out, for a client that waits for each
 * answer: `feed` takes the next bytes and says where in them the final answer to the request
 * (past any interim 1xx) ended, or -1 while it has not. An answer framed by Content-Length is
 * counted, not kept; a chunked one is followed piece by piece, not kept; one that runs to the close, or that is
 * not HTTP, never ends here (the connection's close ends it).
 */
const MAX_ANSWER_HEAD_BYTES = 64 * 1024;

export class AnswerWatcher {
  private pending: Uint8Array = new Uint8Array(0);
  private mode: 'head' | 'counted' | 'chunked' | 'close' = 'head';
  private remaining = 0;
  /** A chunked body's end, found piece by piece (joining each piece to the ones before copied a large body once per TLS record). */
  private chunked: ChunkedBody | null = null;

  constructor(private readonly method: string) {}

  feed(data: Uint8Array): number {
    if (this.mode === 'close') return -1;
    if (this.mode === 'chunked') return this.chunkedEnd(data);
    if (this.mode === 'counted') {
      if (data.length < this.remaining) {
        this.remaining -= data.length;
        return -1;
      }
      return this.remaining;
    }
    // Where `data` starts in `pending`; what is returned is an offset in `data`.
    let base = this.pending.length;
    this.pending = base ? concat([this.pending, data]) : data;
    for (;;) {
      const found = findHeadEnd(this.pending, 0);
      if (!found) {
        // No head in 64 KiB: not an HTTP answer this watcher can follow; the close ends it.
        if (this.pending.length > MAX_ANSWER_HEAD_BYTES) {
          this.mode = 'close';
          this.pending = new Uint8Array(0);
        }
        return -1;
      }
      const head = parseHeadLines(latin1(this.pending.subarray(0, found.end)));
      const m = head && STATUS_LINE.exec(head.startLine);
      if (!head || !m) {
        this.mode = 'close';
        return -1;
      }
      const status = Number(m[1]);
      const rest = this.pending.subarray(found.next);
      const consumed = this.pending.length - rest.length;
      if (status < 200) {
        // An interim answer: the final one follows.
        this.pending = rest;
        base -= consumed;
        continue;
      }
      if (this.method === 'HEAD' || status === 204 || status === 304) return consumed - base;
      const te = headerValue(head, 'transfer-encoding');
      const cl = headerValue(head, 'content-length');
      if (te && /chunked/i.test(te)) {
        this.mode = 'chunked';
        this.chunked = new ChunkedBody(false);
        this.pending = new Uint8Array(0);
        const end = this.chunkedEnd(rest);
        return end < 0 ? -1 : consumed - base + end;
      }
      if (cl !== undefined && /^\d+$/.test(cl)) {
        const length = Number(cl);
        if (rest.length >= length) return consumed + length - base;
        this.mode = 'counted';
        this.remaining = length - rest.length;
        this.pending = new Uint8Array(0);
        return -1;
      }
      this.mode = 'close';
      return -1;
    }
  }

  /** Where in `piece` the chunked body ends, or -1; a body that cannot be read as chunked runs to the close. */
  private chunkedEnd(piece: Uint8Array): number {
    try {
      return this.chunked!.feed(piece);
    } catch {
      this.mode = 'close';
      return -1;
    }
  }
}

/** A response's final head (after any interim 1xx answers), as the bytes a HEAD answer carries. */
export function responseHead(response: Pick<ParsedResponse, 'startLine' | 'headers'>): Uint8Array {
  const lines = [response.startLine, ...response.headers.map(([k, v]) => `${k}: ${v}`), '', ''];
  return Uint8Array.from(Buffer.from(lines.join('\r\n'), 'latin1'));
}

/** Requests paired with their responses (interim 1xx answers are kept with the final one). */
export function pairExchanges(clientBytes: Uint8Array, serverBytes: Uint8Array, sni: string | null): RecordedExchange[] {
  const requests = parseRequests(clientBytes);
  const responses = parseResponses(serverBytes, requests);
  const exchanges: RecordedExchange[] = [];
  let r = 0;
  for (const request of requests) {
    let response: ParsedResponse | null = null;
    const interim: Uint8Array[] = [];
    while (r < responses.length) {
      const next = responses[r++];
      if (next.status >= 100 && next.status < 200) {
        interim.push(next.raw);
        continue;
      }
      response = interim.length ? { ...next, raw: concat([...interim, next.raw]) } : next;
      break;
    }
    exchanges.push({ request, response, host: requestHost(request) ?? sni?.toLowerCase() ?? null });
  }
  return exchanges;
}

/** The Host header's name (no port, lower case), or the authority of an absolute target. */
export function requestHost(request: Pick<ParsedRequest, 'headers' | 'target' | 'startLine'>): string | null {
  const host = headerValue(request as HttpMessageHead, 'host');
  const authority = host ?? /^https?:\/\/([^/?#]+)/i.exec(request.target)?.[1];
  if (!authority) return null;
  const bracketed = /^\[([^\]]+)\]/.exec(authority);
  if (bracketed) return bracketed[1].toLowerCase();
  return authority.replace(/:\d+$/, '').toLowerCase();
}

/** Path and query of a request target, absolute form reduced to origin form. */
export function splitTarget(target: string): { path: string; query: string } {
  let t = target.replace(/^https?:\/\/[^/?#]+/i, '');
  if (!t.startsWith('/') && t !== '*') t = `/${t}`;
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  return q < 0 ? { path: t || '/', query: '' } : { path: t.slice(0, q) || '/', query: t.slice(q + 1) };
}

/** The query's parameters in a stable order, so ?b=2&a=1 matches ?a=1&b=2. */
export function normalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter((p) => p.length > 0)
    .sort()
    .join('&');
}

/**
 * A chunked body's data, as far as the bytes go, read as leniently as recorded traffic is: size
 * lines may end in LF alone (what openssl s_client sends, and what the live readers take).
 */
export function dechunk(body: Uint8Array): Uint8Array {
  const reader = new ChunkedBody(false, true);
  try {
    reader.feed(body);
  } catch {
    // What came before the fault is the data.
  }
  return concat(reader.data);
}

/** What a request's body carries: its bytes, with a chunked coding undone (chunk sizes are the client's own affair). */
export function requestContent(request: Pick<ParsedRequest, 'headers' | 'body'>): Uint8Array {
  const te = request.headers.find(([k]) => k.toLowerCase() === 'transfer-encoding')?.[1];
  return te && /chunked/i.test(te) ? dechunk(request.body) : request.body;
}

/** The request asks "only if changed" (If-None-Match, If-Modified-Since): a 304 is an answer to it. */
export function isConditional(request: Pick<ParsedRequest, 'headers'>): boolean {
  return request.headers.some(([k]) => /^if-(none-match|modified-since)$/i.test(k));
}


/** The key requests are matched by: method, path and query (order of parameters aside). */
export function matchKey(request: Pick<ParsedRequest, 'method' | 'target'>): string {
  const { path, query } = splitTarget(request.target);
  return `${request.method} ${path}${query ? `?${normalQuery(query)}` : ''}`;
}

/**
 * The recorded exchanges of one replay server: looks up a response for each new request. Several
 * recordings of the same request are served in the order they were recorded, then the last again.
 */
export class ExchangeIndex {
  private readonly byKey = new Map<string, RecordedExchange[]>();

  constructor(
    exchanges: readonly RecordedExchange[],
    private readonly options: MatchOptions = {},
  ) {
    for (const e of exchanges) {
      if (!e.response) continue;
      const key = matchKey(e.request);
      const list = this.byKey.get(key);
      if (list) list.push(e);
      else this.byKey.set(key, [e]);
    }
  }

  get size(): number {
    let n = 0;
    for (const list of this.byKey.values()) n += list.length;
    return n;
  }

  /** The request lines this index answers, e.g. "GET /index.html". */
  keys(): string[] {
    return [...this.byKey.keys()];
  }

  /**
   * The recorded exchange that answers this request, or null. `connectionHost` (the SNI) stands in
   * when the request names no host. `peek` looks without moving on to the next recorded answer.
   */
  find(request: Pick<ParsedRequest, 'method' | 'target' | 'headers' | 'startLine' | 'body'>, connectionHost: string | null, peek = false): RecordedExchange | null {
    const key = matchKey(request);
    const list = this.byKey.get(key);
    if (!list) return null;
    const host = requestHost(request) ?? connectionHost?.toLowerCase() ?? null;
    const content = requestContent(request);
    let candidates = list.filter(
      (e) => (this.options.ignoreHost || e.host === null || host === null || e.host === host) && (this.options.ignoreBody || sameBytes(requestContent(e.request), content)),
    );
    if (candidates.length === 0) return null;
    // A 304 Not Modified answers a client that said which copy it has; one that asks outright
    // (a fresh browser) gets a recorded full answer where there is one.
    const conditional = isConditional(request);
    if (!conditional) {
      const full = candidates.filter((e) => e.response?.status !== 304);
      if (full.length) candidates = full;
    }
    // The same question asked again gets the next recorded answer, then the last one again.
    const cursorKey = `${key}\n${this.options.ignoreHost ? '' : (host ?? '')}\n${this.options.ignoreBody ? '' : latin1(content)}\n${conditional}`;
    const n = this.cursors.get(cursorKey) ?? 0;
    if (!peek) this.cursors.set(cursorKey, n + 1);
    return candidates[Math.min(n, candidates.length - 1)];
  }

  private readonly cursors = new Map<string, number>();
}

// --- a line diff for the responses -----------------------------------------------------------

export interface DiffLine {
  op: 'same' | 'added' | 'removed';
  text: string;
}

/**
 * Line diff (longest common subsequence) of two texts. Inputs beyond `maxLines` lines each are
 * cut, and the result says so.
 */
export function diffLines(a: string, b: string, maxLines = 2000): { lines: DiffLine[]; truncated: boolean } {
  // No answer is no lines, not one empty line (that would pair off with an empty line of the other).
  let left = a === '' ? [] : a.split(/\r?\n/);
  let right = b === '' ? [] : b.split(/\r?\n/);
  const truncated = left.length > maxLines || right.length > maxLines;
  left = left.slice(0, maxLines);
  right = right.slice(0, maxLines);
  // Common head and tail first: most replays differ in a few header lines.
  let head = 0;
  while (head < left.length && head < right.length && left[head] === right[head]) head++;
  let tail = 0;
  while (tail < left.length - head && tail < right.length - head && left[left.length - 1 - tail] === right[right.length - 1 - tail]) tail++;
  const l = left.slice(head, left.length - tail);
  const r = right.slice(head, right.length - tail);
  const n = l.length;
  const m = r.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = l[i] === r[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const lines: DiffLine[] = left.slice(0, head).map((text) => ({ op: 'same', text }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && l[i] === r[j]) {
      lines.push({ op: 'same', text: l[i] });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      lines.push({ op: 'removed', text: l[i++] });
    } else {
      lines.push({ op: 'added', text: r[j++] });
    }
  }
  for (const text of left.slice(left.length - tail)) lines.push({ op: 'same', text });
  return { lines, truncated };
}
