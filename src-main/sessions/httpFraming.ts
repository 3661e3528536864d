// The one place that decides how an HTTP/1.x head frames its body, and whether a live peer's head
// is refused. Three readers use it: the lab servers (serverResponders.ts), the replay server
// (serverReplay.ts) and the proxy (proxyRewrite.ts). A head that two HTTP parsers could split
// into messages differently is how one request hides inside another's body (request smuggling);
// RFC 9112 (2.2, 3, 5, 6.1-6.3, 7.1) says how a recipient must read the head and its body, and
// the rules below follow it. What differs between the readers is a parameter, not a copy:
//  - `side`: a request, or a response (whose body may run to the close);
//  - `chunked`: whether the reader reads chunked bodies at all (the lab servers do not: 411).
// How each reader answers a refusal is its own affair (a 400 or 411, the proxy's refusal, or for
// a response the proxy passing the bytes on unchanged). Recorded traffic from past sessions is
// read leniently elsewhere (httpMatch.ts parseRequests/parseResponses) and never refused here.
import net from 'node:net';
import { headLines } from './httpHead';

/**
 * How a message's body is framed. `none`: no body (a request with neither Content-Length nor
 * Transfer-Encoding). `close`: the body runs until the sender closes (a response only).
 */
export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

/** Which rule a refused head broke: stable names, for the readers and their tests. */
export type HeadRefusalCode =
  | 'start-line'
  | 'bare-cr'
  | 'nul'
  | 'folded'
  | 'field-line'
  | 'coding-not-read'
  | 'http10-coding'
  | 'length-and-coding'
  | 'codings'
  | 'length-not-digits'
  | 'lengths-disagree'
  | 'host'
  | 'expectation';

export interface HeadRefusal {
  refused: HeadRefusalCode;
  /** The status a server answers with: 411 when it reads no chunked bodies and one came, 417 for an expectation it cannot meet, else 400. */
  status: 400 | 411 | 417;
  /** One sentence in plain words, lower case, without a final stop or line end: what is wrong and what to send instead. */
  reason: string;
}

export interface ReadHead {
  startLine: string;
  /** A request's method, target and version; a response's version and status. */
  method: string;
  target: string;
  version: string;
  status: number;
  /** Names as sent; values without the spaces and tabs around them. */
  headers: [string, string][];
  framing: BodyFraming;
  /**
   * The client waits for "100 Continue" before it sends the body (RFC 9110, 10.1.1): an HTTP/1.1
   * request with "Expect: 100-continue" and a body. An HTTP/1.0 one's expectation is ignored.
   */
  expectsContinue: boolean;
}

export interface HeadRules {
  side: 'request' | 'response';
  /** Whether chunked bodies are read (default true). A reader that says no refuses every Transfer-Encoding with 411. */
  chunked?: boolean;
  /**
   * Whether the reader meets a request's expectations itself, as a server does: one other than
   * 100-continue gets 417. A proxy leaves them to the server it forwards to.
   */
  expectations?: boolean;
}

/** A method as the readers here take one: capitals, digits, "_" and "-", at most 20 characters. */
const METHOD = '[A-Z][A-Z0-9_-]{0,19}';
const REQUEST_LINE = new RegExp(`^(${METHOD}) ([!-~\\x80-\\xff]+) (HTTP/1\\.[01])$`);
const STATUS_LINE = /^(HTTP\/1\.[01]) (\d{3})(?: [^\0\r\n]*)?$/;
/** What a request head's first bytes look like while the rest of it is still to come. */
const REQUEST_START = new RegExp(`^${METHOD}( |$)`);

/** A header name as RFC 9110 (5.1) spells one: a token, so no space or tab in it or before its colon. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Spaces and tabs around a value (RFC 9110 OWS); JavaScript's trim() also takes \v, \f and NBSP, which no other parser does. */
export function trimOws(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** True when `text`, the first bytes of a request, could still become a request line. */
export function couldStartRequest(text: string): boolean {
  return REQUEST_START.test(text);
}

/** True when the first line is a request line the readers take ("GET /path HTTP/1.1"). */
export function isRequestLine(line: string): boolean {
  return REQUEST_LINE.test(line);
}

/**
 * A piece of the peer's own bytes, safe to quote in a message: at most `max` characters, anything
 * but printable ASCII shown as "?" (the bytes were read as Latin-1; a message goes out as UTF-8).
 */
export function quote(text: string, max = 40): string {
  return text.slice(0, max).replace(/[^\x20-\x7e]/g, '?');
}

/** The reason phrase for each status a refusal carries. */
export const REFUSAL_REASONS: Record<HeadRefusal['status'], string> = { 400: 'Bad Request', 411: 'Length Required', 417: 'Expectation Failed' };

const refuse = (refused: HeadRefusalCode, reason: string, status: HeadRefusal['status'] = 400): HeadRefusal => ({ refused, status, reason });

const FIELD_RULE = 'each header line must be "Name: value", with no space before the colon and no line folded onto the one before';
const LENGTH_RULE = 'the Content-Length header must be one whole number of bytes (digits only, given once)';

/**
 * Reads a head (`text`: the head without its blank line, lines ending in CRLF or LF alone) and
 * says how its body is framed, or refuses it with one reason. The order of the checks is fixed,
 * so every reader names the same rule for the same head.
 */
export function readHead(text: string, rules: HeadRules): ReadHead | HeadRefusal {
  const lines = headLines(text);
  // A caller may pass the blank line that ends the head too.
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const startLine = lines[0];
  let method = '';
  let target = '';
  let version: string;
  let status = 0;
  if (rules.side === 'request') {
    const m = REQUEST_LINE.exec(startLine);
    if (!m) return refuse('start-line', 'the request line was not "METHOD /path HTTP/1.1"');
    [, method, target, version] = m;
  } else {
    const m = STATUS_LINE.exec(startLine);
    if (!m) return refuse('start-line', 'the status line was not "HTTP/1.1 200 Reason"');
    version = m[1];
    status = Number(m[2]);
  }
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    // A CR that does not end a line: some parsers take it as a line end, others as part of the
    // value (RFC 9112, 2.2 has a recipient refuse it or read it as a space).
    if (line.includes('\r')) return refuse('bare-cr', 'a header line holds a CR that does not end the line; end each line with CRLF, or LF alone');
    if (line.includes('\0')) return refuse('nul', 'a header line holds a NUL byte, which no header may carry (RFC 9110, 5.5); send the header without it');
    if (line[0] === ' ' || line[0] === '\t') return refuse('folded', `a header line is folded onto the one before (it starts with a space or tab); ${FIELD_RULE}`);
    const colon = line.indexOf(':');
    if (colon <= 0 || !FIELD_NAME.test(line.slice(0, colon))) {
      return refuse('field-line', `the header line "${quote(line)}" is not "Name: value" (a space before the colon, or no colon); ${FIELD_RULE}`);
    }
    headers.push([line.slice(0, colon), trimOws(line.slice(colon + 1))]);
  }
  const named = (name: string) => headers.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
  const lengths = named('content-length');
  const codings = named('transfer-encoding');
  const head = { startLine, method, target, version, status, headers };
  const framing = bodyFraming(lengths, codings, version, rules);
  if ('refused' in framing) return framing;
  if (rules.side === 'response') return { ...head, framing, expectsContinue: false };
  // RFC 9112 (3.2): a server answers 400 to an HTTP/1.1 request without Host, and to any request
  // with more than one (which site it is for is then a matter of which parser reads it).
  const hosts = named('host');
  if (hosts.length > 1) return refuse('host', `the request has ${hosts.length} Host headers; send exactly one, naming the site (such as "Host: www.bank32.com")`);
  if (hosts.length === 0 && version === 'HTTP/1.1') return refuse('host', 'an HTTP/1.1 request must name its site in a Host header; add one, such as "Host: www.bank32.com"');
  // ... and to one whose Host value is not a host with an optional port: which site, and which
  // port, would again be each parser's guess ("a@b", "a b", "a:80x").
  const unfit = hosts.length === 1 ? hostValueProblem(hosts[0]) : null;
  if (unfit) return refuse('host', `the Host header "${quote(hosts[0])}" is not a site name with an optional port: ${unfit}; send it as "www.bank32.com" or "127.0.0.1:4433"`);
  // RFC 9110 (10.1.1): "100-continue" is the one expectation; a server answers any other with 417.
  const expectations = named('expect')
    .join(',')
    .split(',')
    .map((e) => trimOws(e).toLowerCase())
    .filter((e) => e !== '');
  const http11 = version === 'HTTP/1.1';
  const unmet = expectations.find((e) => e !== '100-continue');
  if (rules.expectations && http11 && unmet !== undefined) {
    return refuse('expectation', `this server meets no expectation but 100-continue, and the request expects "${quote(unmet, 40)}"; send it without that Expect header`, 417);
  }
  const hasBody = framing.kind === 'chunked' || (framing.kind === 'length' && framing.length > 0);
  return { ...head, framing, expectsContinue: http11 && hasBody && expectations.includes('100-continue') };
}

/** A reg-name's characters (RFC 3986, 3.2.2): unreserved, sub-delims, and %XX. */
const REG_NAME_CHAR = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})$/;
const IP_FUTURE = /^v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/;

/**
 * Why a Host value is not `uri-host [ ":" port ]` (RFC 9110, 7.2; RFC 3986, 3.2.2), or null when
 * it is. An empty value is allowed: it is what a client sends for a target with no authority.
 */
export function hostValueProblem(value: string): string | null {
  let host = value;
  let port: string | null = null;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0) return 'its "[" (an IPv6 address) is never closed by "]"';
    const literal = value.slice(1, close);
    if (!net.isIPv6(literal) && !IP_FUTURE.test(literal)) return `"${quote(literal)}" between its brackets is not an IPv6 address`;
    host = '';
    const rest = value.slice(close + 1);
    if (rest !== '') {
      if (rest[0] !== ':') return 'after its "]" may come only ":" and a port';
      port = rest.slice(1);
    }
  } else {
    const colon = value.indexOf(':');
    if (colon >= 0) {
      host = value.slice(0, colon);
      port = value.slice(colon + 1);
    }
    for (let i = 0; i < host.length; i++) {
      const pct = host[i] === '%' ? host.slice(i, i + 3) : host[i];
      if (REG_NAME_CHAR.test(pct)) {
        i += pct.length - 1;
        continue;
      }
      const c = host[i];
      if (c === '@') return 'it holds "@", which puts a user name before the site, and a Host names only the site';
      if (c === ' ' || c === '\t') return 'it holds a space';
      if (c === '%') return 'its "%" is not followed by two hex digits';
      return `it holds "${quote(c)}", which no host name may carry`;
    }
  }
  if (port !== null) {
    if (!/^\d*$/.test(port)) return `its port "${quote(port)}" is not a number`;
    if (port !== '' && Number(port) > 65535) return `its port ${quote(port)} is over 65535, the highest there is`;
  }
  return null;
}

/** How the body is framed, by the head's Content-Length and Transfer-Encoding values (RFC 9112, 6). */
function bodyFraming(lengths: string[], codings: string[], version: string, rules: HeadRules): BodyFraming | HeadRefusal {
  if (codings.length) {
    if (rules.side === 'request' && rules.chunked === false) return refuse('coding-not-read', 'send the body with Content-Length, not chunked', 411);
    // RFC 9112 (6.1): HTTP/1.0 has no transfer codings, so such a message's framing is faulty.
    if (version === 'HTTP/1.0') return refuse('http10-coding', 'an HTTP/1.0 message cannot carry Transfer-Encoding (HTTP/1.0 has no chunked bodies); send the body with Content-Length');
    if (lengths.length) return refuse('length-and-coding', 'the head has both Content-Length and Transfer-Encoding; send Content-Length or Transfer-Encoding, not both');
    const list = codings
      .join(',')
      .split(',')
      .map((c) => trimOws(c).toLowerCase())
      .filter((c) => c !== '');
    const chunkedCount = list.filter((c) => c === 'chunked').length;
    const endsInChunked = list[list.length - 1] === 'chunked';
    if (chunkedCount > 1 || (rules.side === 'request' && !endsInChunked)) {
      return refuse('codings', `the Transfer-Encoding "${quote(codings.join(', '))}" does not end in chunked (once); send the body with Content-Length, or with Transfer-Encoding: chunked (chunked last, and once)`);
    }
    // A response whose codings do not end in chunked runs to the close (RFC 9112, 6.3).
    return endsInChunked ? { kind: 'chunked' } : { kind: 'close' };
  }
  if (lengths.length) {
    const bad = lengths.find((v) => !/^\d+$/.test(v));
    if (bad !== undefined) return refuse('length-not-digits', `the Content-Length "${quote(bad, 20)}" is not digits alone; ${LENGTH_RULE}`);
    // The same text repeated is one value (RFC 9110, 8.6); "5" and "05" are not taken as the same.
    const distinct = [...new Set(lengths)];
    if (distinct.length > 1) return refuse('lengths-disagree', `the Content-Length values ${distinct.slice(0, 3).map((v) => quote(v, 20)).join(' and ')} disagree; ${LENGTH_RULE}`);
    return { kind: 'length', length: Number(distinct[0]) };
  }
  return rules.side === 'request' ? { kind: 'none' } : { kind: 'close' };
}

/** The most bytes a request head may take, its blank line included (the servers here answer 414 or 431 past it). */
export const MAX_REQUEST_HEAD_BYTES = 64 * 1024;

/**
 * A server's answer to a request head still not ended within MAX_REQUEST_HEAD_BYTES (`found`: the
 * head's end, if it came later): 414 when the request line alone is that long, else 431. Null
 * while the head may still end in time.
 */
export function oversizeHead(buffered: Uint8Array, found: { next: number } | null): { status: 414 | 431; reason: string; text: string } | null {
  if (found ? found.next <= MAX_REQUEST_HEAD_BYTES : buffered.length <= MAX_REQUEST_HEAD_BYTES) return null;
  const lineEnd = buffered.indexOf(10);
  return lineEnd < 0 || lineEnd > MAX_REQUEST_HEAD_BYTES
    ? { status: 414, reason: 'URI Too Long', text: 'the request line is over 64 KiB\n' }
    : { status: 431, reason: 'Request Header Fields Too Large', text: 'the request head is over 64 KiB\n' };
}

/** True when readHead refused the head. */
export function isRefusal(result: ReadHead | HeadRefusal): result is HeadRefusal {
  return 'refused' in result;
}

const FIELD_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:/;

/**
 * Finds where a chunked body ends, one piece at a time, without joining the pieces; keeps the
 * decoded data when `collect` is on. `feed` says how many bytes of the piece belong to the body
 * once it is complete, else -1; it throws an Error with a plain message when the body cannot be
 * read.
 *
 * `strict` (a request's body, RFC 9112 7.1): chunk sizes are hex digits alone (before any ";"
 * extension), each chunk's data ends in CRLF where its size says, no line holds a CR that does
 * not end it, and trailer lines are "Name: value". A parser that skips two bytes of anything after
 * the data, or reads "0x10" as 16, finds the body's end elsewhere. Not strict (a response the
 * proxy passes on): the size is read as far as it is hex, and the two bytes after the data are
 * skipped, as lenient clients read them.
 */
export class ChunkedBody {
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' = 'size';
  private line = '';
  private remaining = 0;
  /** The decoded data so far, when collected. */
  readonly data: Uint8Array[] = [];
  /** How many bytes of data the body has carried so far (without the chunk lines around it). */
  dataBytes = 0;

  constructor(
    private readonly strict: boolean,
    public collect = false,
  ) {}

  get done(): boolean {
    return this.state === 'done';
  }

  feed(piece: Uint8Array): number {
    let i = 0;
    while (i < piece.length && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, piece.length - i);
        if (this.collect) this.data.push(piece.subarray(i, i + take));
        this.dataBytes += take;
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) {
          this.state = 'data-crlf';
          this.remaining = 2;
        }
        continue;
      }
      if (this.state === 'data-crlf') {
        if (this.strict && piece[i] !== (this.remaining === 2 ? 13 : 10)) throw new Error("a chunk's data does not end in CRLF where its size says; each chunk is its size in hex, CRLF, that many bytes, CRLF");
        i++;
        if (--this.remaining === 0) this.state = 'size';
        continue;
      }
      // 'size' and 'trailer' read lines.
      const lf = piece.indexOf(10, i);
      if (lf < 0) {
        this.line += Buffer.from(piece.buffer, piece.byteOffset + i, piece.length - i).toString('latin1');
        if (this.line.length > 8192) throw new Error('a chunk-size or trailer line is longer than 8 KiB');
        return -1;
      }
      this.line += Buffer.from(piece.buffer, piece.byteOffset + i, lf - i).toString('latin1');
      i = lf + 1;
      const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      if (line.length > 8192) throw new Error('a chunk-size or trailer line is longer than 8 KiB');
      if (this.strict && line.includes('\r')) throw new Error('a chunk-size or trailer line holds a CR that does not end the line');
      if (this.state === 'size') {
        const sizeText = line.split(';')[0];
        let size: number;
        if (this.strict) {
          if (!/^[0-9A-Fa-f]{1,12}[ \t]*$/.test(sizeText)) throw new Error(`a chunk size must be hex digits, not "${quote(line)}"`);
          size = parseInt(sizeText, 16);
        } else {
          size = parseInt(trimOws(sizeText), 16);
          if (!Number.isFinite(size) || size < 0) throw new Error(`a chunk size must be hex digits, not "${quote(line)}"`);
        }
        if (size === 0) this.state = 'trailer';
        else {
          this.state = 'data';
          this.remaining = size;
        }
      } else if (line === '') {
        this.state = 'done';
        return i;
      } else if (this.strict && !FIELD_LINE.test(line)) {
        throw new Error(`the trailer line "${quote(line)}" is not "Name: value"`);
      }
    }
    return this.state === 'done' ? i : -1;
  }
}
