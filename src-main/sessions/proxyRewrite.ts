// The proxy's plug-in points: named hooks on an HTTP exchange ('request-head', 'request-body',
// 'response-head', 'response-body'), and the rewrite rules that register on them. The forwarding
// loop only runs whatever is registered; it has no rule-specific branches.
import type { ProxyHookEvent, ProxyRewritePart, ProxyRewriteRule } from '../api/proxyTypes';
import { WorkbenchError } from '../errors';
import { findHeadEnd, headLines } from './httpHead';
import { ChunkedBody, couldStartRequest, isRefusal, oversizeHead, quote, readHead } from './httpFraming';

/** A parsed HTTP/1.x head; hooks edit it in place and set `changed`. */
export interface HttpHead {
  /** "GET /path HTTP/1.1" or "HTTP/1.1 200 OK". */
  startLine: string;
  headers: [name: string, value: string][];
  changed: boolean;
}

/** What a hook knows about the exchange it runs in, and how it reports back. */
export interface ExchangeContext {
  /** 1-based number of the exchange on this connection. */
  exchange: number;
  /** A rule replaced something. */
  fired(rule: number, event: ProxyHookEvent, replacements: number): void;
  note(text: string): void;
}

export type HeadHook = (head: HttpHead, ctx: ExchangeContext) => void;
/** Returns the new body (or the same buffer when nothing changed). */
export type BodyHook = (body: Buffer, head: HttpHead, ctx: ExchangeContext) => Buffer;

type HeadEvent = 'request-head' | 'response-head';
type BodyEvent = 'request-body' | 'response-body';

/** Hooks by event, run in the order they were added. */
export class ProxyHooks {
  private readonly heads: Record<HeadEvent, HeadHook[]> = { 'request-head': [], 'response-head': [] };
  private readonly bodies: Record<BodyEvent, BodyHook[]> = { 'request-body': [], 'response-body': [] };

  onHead(event: HeadEvent, hook: HeadHook): this {
    this.heads[event].push(hook);
    return this;
  }

  onBody(event: BodyEvent, hook: BodyHook): this {
    this.bodies[event].push(hook);
    return this;
  }

  /** Whether bodies of this kind must be held whole (some hook wants to see them). */
  wantsBody(event: BodyEvent): boolean {
    return this.bodies[event].length > 0;
  }

  runHead(event: HeadEvent, head: HttpHead, ctx: ExchangeContext): void {
    for (const hook of this.heads[event]) hook(head, ctx);
  }

  runBody(event: BodyEvent, body: Buffer, head: HttpHead, ctx: ExchangeContext): Buffer {
    let current = body;
    for (const hook of this.bodies[event]) current = hook(current, head, ctx);
    return current;
  }
}

// --- rewrite rules -----------------------------------------------------------------------------

/** Bytes as a string one char per byte, so binary bodies survive a find/replace untouched. */
const asBytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

type Replacer = (text: string) => { text: string; count: number };

function compileReplacer(rule: ProxyRewriteRule, index: number): Replacer {
  if (!rule.find) throw new WorkbenchError('BAD_REWRITE', `rewrite rule ${index + 1} has nothing to find; write it as request:FROM=>TO`);
  const replacement = asBytes(rule.replace);
  if (rule.regex) {
    let pattern: RegExp;
    try {
      const flags = [...new Set(`g${rule.flags ?? ''}`)].join('');
      pattern = new RegExp(asBytes(rule.find), flags);
    } catch (err) {
      throw new WorkbenchError('BAD_REWRITE', `rewrite rule ${index + 1}: /${rule.find}/ is not a valid regular expression (${(err as Error).message})`);
    }
    return (text) => {
      let count = 0;
      const out = text.replace(pattern, (...args: unknown[]) => {
        count++;
        // Expand $1, $&, ... as String.replace would.
        const groups = args.slice(0, -2) as string[];
        return replacement.replace(/\$(\d+|&)/g, (m, g: string) => (g === '&' ? groups[0] : (groups[Number(g)] ?? m)));
      });
      return { text: out, count };
    };
  }
  const needle = asBytes(rule.find);
  return (text) => {
    const parts = text.split(needle);
    return { text: parts.join(replacement), count: parts.length - 1 };
  };
}

export function defaultParts(rule: ProxyRewriteRule): ProxyRewritePart[] {
  return rule.parts?.length ? rule.parts : rule.direction === 'request' ? ['body', 'url'] : ['body'];
}

function contentEncoding(head: HttpHead): string | null {
  const value = header(head, 'content-encoding');
  return value && value.toLowerCase() !== 'identity' ? value : null;
}

/** Registers each rule on the hooks its parts need. */
export function rewriteHooks(rules: readonly ProxyRewriteRule[], hooks = new ProxyHooks()): ProxyHooks {
  rules.forEach((rule, index) => {
    if (rule.direction !== 'request' && rule.direction !== 'response') {
      throw new WorkbenchError('BAD_REWRITE', `rewrite rule ${index + 1}: the direction must be "request" or "response"`);
    }
    const replace = compileReplacer(rule, index);
    const parts = defaultParts(rule);
    const headEvent: HeadEvent = rule.direction === 'request' ? 'request-head' : 'response-head';
    const bodyEvent: BodyEvent = rule.direction === 'request' ? 'request-body' : 'response-body';
    if (parts.includes('url') && rule.direction === 'request') {
      hooks.onHead(headEvent, (head, ctx) => {
        const m = /^(\S+) (\S+)( .*)$/.exec(head.startLine);
        if (!m) return;
        const { text, count } = replace(m[2]);
        if (count === 0) return;
        head.startLine = `${m[1]} ${text}${m[3]}`;
        head.changed = true;
        ctx.fired(index, headEvent, count);
      });
    }
    if (parts.includes('headers')) {
      hooks.onHead(headEvent, (head, ctx) => {
        let total = 0;
        for (const h of head.headers) {
          const { text, count } = replace(h[1]);
          if (count > 0) {
            h[1] = text;
            total += count;
          }
        }
        if (total === 0) return;
        head.changed = true;
        ctx.fired(index, headEvent, total);
      });
    }
    if (parts.includes('body')) {
      hooks.onBody(bodyEvent, (body, head, ctx) => {
        const encoding = contentEncoding(head);
        if (encoding) {
          ctx.note(`rule ${index + 1} skipped a body sent with Content-Encoding ${encoding} (compressed text cannot be searched)`);
          return body;
        }
        const { text, count } = replace(body.toString('latin1'));
        if (count === 0) return body;
        ctx.fired(index, bodyEvent, count);
        return Buffer.from(text, 'latin1');
      });
    }
  });
  if (rules.some((r) => r.direction === 'response' && defaultParts(r).includes('body'))) {
    // Response bodies can only be rewritten uncompressed: ask the upstream for identity encoding.
    hooks.onHead('request-head', (head) => {
      const before = head.headers.length;
      head.headers = head.headers.filter(([name]) => name.toLowerCase() !== 'accept-encoding');
      if (head.headers.length !== before) head.changed = true;
    });
  }
  return hooks;
}

/** "request:FROM=>TO", "response:/re/i=>TO", "request+headers:FROM=>TO" as the CLI takes them. */
export function parseRewriteArgument(text: string): ProxyRewriteRule {
  const m = /^(request|response)((?:\+(?:headers|body|url))*):([\s\S]*)$/.exec(text);
  const arrow = m ? m[3].lastIndexOf('=>') : -1;
  if (!m || arrow < 0) {
    throw new WorkbenchError(
      'BAD_REWRITE',
      `--rewrite ${text}: write it as request:FROM=>TO or response:FROM=>TO (a regular expression as /FROM/flags, headers too with request+headers:...)`,
    );
  }
  const extra = m[2].split('+').filter(Boolean) as ProxyRewritePart[];
  const direction = m[1] as 'request' | 'response';
  let find = m[3].slice(0, arrow);
  const replace = m[3].slice(arrow + 2);
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(find);
  const rule: ProxyRewriteRule = { direction, find, replace };
  if (regex) {
    find = regex[1];
    Object.assign(rule, { find, regex: true, flags: regex[2] || undefined });
  }
  if (extra.length) rule.parts = [...new Set([...defaultParts({ direction, find, replace }), ...extra])];
  return rule;
}

// --- HTTP/1.x framing ------------------------------------------------------------------------

const MAX_HEAD_BYTES = 64 * 1024;
/** Bodies held for rewriting up to this size; a larger one passes unchanged (and the record says so). */
export const MAX_REWRITE_BODY_BYTES = 32 * 1024 * 1024;

export function header(head: HttpHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of head.headers) if (n.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * The proxy's own answer to a request it refuses (`reason`: what was wrong, `why`: why the proxy
 * will not pass it on, one sentence); the connection closes after it.
 */
function refusalAnswer(status: number, statusText: string, reason: string, why: string): Buffer {
  const body = `The TLS Lab Workbench's proxy refused this request: ${reason}.\n${why}\n`;
  const answer = Buffer.from(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    'utf8',
  );
  FINAL_ANSWERS.add(answer);
  return answer;
}

const SMUGGLING = 'A server could read where this request ends differently from the proxy';

/** Answers after which this direction carries nothing more: they wait until every earlier response has gone out. */
const FINAL_ANSWERS = new WeakSet<Buffer>();

function serializeHead(head: HttpHead): Buffer {
  return Buffer.from(`${head.startLine}\r\n${head.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`, 'latin1');
}

type Framing = { kind: 'none' } | { kind: 'length'; remaining: number } | { kind: 'chunked'; scanner: ChunkedBody } | { kind: 'close' };

export interface HttpStreamEvents {
  /** Bytes to forward, in order. */
  out(data: Buffer): void;
  /** A head was parsed (a request starts a new exchange). */
  head?(head: HttpHead): void;
  /**
   * The proxy answers the sender itself with these bytes (an interim "100 Continue"): they go
   * back the other way, between two messages of the other direction.
   */
  answer?(data: Buffer): void;
  /** The bytes are not HTTP/1.x (or stopped being parseable): everything from here on is forwarded as is. */
  raw?(reason: string): void;
  /** A final answer (the proxy's refusal of a request) has gone out: the connection has nothing more to carry. */
  final?(): void;
}

/**
 * One direction of HTTP/1.x: finds each message's head and body, runs the hooks, and keeps
 * Content-Length or chunking correct when a body changes. Bodies no hook wants stream through.
 * The response side learns request methods from `methods` (HEAD has no body) in order.
 */
export class HttpStream {
  private buffer: Buffer = Buffer.alloc(0);
  /** 'refused': the proxy refused a request; nothing more from this sender is forwarded. */
  private state: 'head' | 'body' | 'raw' | 'refused' = 'head';
  /** A final answer (a refusal) waiting for every earlier response to go out. */
  private finalAnswer: Buffer | null = null;
  private framing: Framing = { kind: 'none' };
  private held: Buffer[] | null = null;
  private heldBytes = 0;
  private heldRaw: Buffer[] = [];
  /** The head of a held message, as it will be sent if the body stays the same. */
  private heldHead: Buffer | null = null;
  private current: HttpHead | null = null;
  /** Bytes to send between two messages of this direction (see interject). */
  private interjections: Buffer[] = [];
  private readonly bodyEvent: BodyEvent;
  private readonly headEvent: HeadEvent;

  constructor(
    private readonly side: 'request' | 'response',
    private readonly hooks: ProxyHooks,
    private readonly ctx: () => ExchangeContext,
    private readonly events: HttpStreamEvents,
    private readonly methods: string[],
  ) {
    this.bodyEvent = side === 'request' ? 'request-body' : 'response-body';
    this.headEvent = side === 'request' ? 'request-head' : 'response-head';
  }

  get isRaw(): boolean {
    return this.state === 'raw';
  }

  /** The proxy refused a request of this sender (see readHead in httpFraming.ts): nothing more is forwarded. */
  get isRefused(): boolean {
    return this.state === 'refused';
  }

  /** Body bytes held in memory for the hooks, for this message. */
  get heldBodyBytes(): number {
    const framing = this.framing;
    const decoded = framing.kind === 'chunked' ? framing.scanner.data.reduce((n, b) => n + b.length, 0) : 0;
    return decoded + this.heldRaw.reduce((n, b) => n + b.length, 0) + (this.held ?? []).reduce((n, b) => n + b.length, 0);
  }

  /**
   * Sends `data` in this direction at the next boundary between messages: now when no message
   * is under way (or none is parsed any more), else once the current one has gone out whole.
   */
  interject(data: Buffer): void {
    if (FINAL_ANSWERS.has(data) && this.state !== 'raw') {
      // A refusal answers the request after the last forwarded one: the responses to those come first.
      this.finalAnswer = data;
      this.sendFinal();
    } else if (this.state === 'body') this.interjections.push(data);
    else this.events.out(data);
  }

  private sendFinal(): void {
    if (!this.finalAnswer || this.state === 'body' || this.methods.length > 0) return;
    const answer = this.finalAnswer;
    this.finalAnswer = null;
    this.events.out(answer);
    this.events.final?.();
  }

  /** A message has gone out whole: what waited for the boundary goes now. */
  private boundary(): void {
    if (this.interjections.length) {
      const waiting = this.interjections;
      this.interjections = [];
      for (const b of waiting) this.events.out(b);
    }
    this.sendFinal();
  }

  /** From now on forward bytes as they come (the other direction gave up on HTTP, or a protocol switch). */
  goRaw(): void {
    // A refused sender stays refused: what it sends after the refusal never reaches the other side.
    if (this.state === 'raw' || this.state === 'refused') return;
    this.state = 'raw';
    const pending = [...(this.heldHead ? [this.heldHead] : []), ...this.heldRaw, this.buffer].filter((b) => b.length > 0);
    this.heldHead = null;
    this.heldRaw = [];
    this.held = null;
    this.buffer = Buffer.alloc(0);
    for (const b of pending) this.events.out(b);
    this.boundary();
    if (this.finalAnswer) {
      this.events.out(this.finalAnswer);
      this.finalAnswer = null;
      this.events.final?.();
    }
  }

  push(chunk: Buffer): void {
    if (this.state === 'raw') return this.events.out(chunk);
    if (this.state === 'refused') return;
    let data = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.buffer = Buffer.alloc(0);
    while (data.length > 0 && !this.isRaw) {
      if (this.state === 'head') {
        // A blank line after CRLF or LF alone (what openssl s_client sends unless given -crlf).
        const found = findHeadEnd(data);
        // A request head past the limit the lab servers keep is refused as they refuse it.
        const over = this.side === 'request' && this.looksLikeStart(data) ? oversizeHead(data, found) : null;
        if (over) {
          const startLine = data.toString('latin1', 0, Math.min(data.length, 200)).split(/\r?\n/)[0];
          return this.refuseRequest(startLine, over.status, over.reason, over.text.trim(), 'The proxy reads request heads of up to 64 KiB, as the lab servers do, so it was not forwarded.', 'the most the proxy reads, as the lab servers do');
        }
        if (!found) {
          if (data.length > MAX_HEAD_BYTES || !this.looksLikeStart(data)) return this.fallBack(data, 'the bytes are not an HTTP/1.1 message');
          this.buffer = data;
          return;
        }
        const headBytes = data.subarray(0, found.next);
        data = data.subarray(found.next);
        if (!this.startHead(headBytes, found.end)) return this.fallBack(Buffer.concat([headBytes, data]), 'the bytes are not an HTTP/1.1 message');
        if (this.isRefused) return;
        continue;
      }
      data = this.body(data);
    }
    if (this.isRaw && data.length) this.events.out(data);
  }

  /** The sender closed: a body delimited by the close ends here. */
  end(): void {
    if (this.state === 'body' && this.framing.kind === 'close' && this.held) this.release();
    else if (this.buffer.length) this.events.out(this.buffer);
    this.buffer = Buffer.alloc(0);
  }

  private looksLikeStart(data: Buffer): boolean {
    const text = data.toString('latin1', 0, Math.min(data.length, 32));
    if (this.side === 'request') return couldStartRequest(text);
    return text.startsWith('HTTP/1.') || 'HTTP/1.'.startsWith(text);
  }

  private fallBack(data: Buffer, reason: string): void {
    this.state = 'raw';
    this.events.raw?.(reason);
    if (data.length) this.events.out(data);
  }

  /**
   * Refuses the victim's request whose head is `startLine`: the victim gets this answer after the
   * answers to its earlier requests, and nothing more it sends goes to the real server (the
   * session ends both connections once the answer is out). `because`: why, for the session's note.
   */
  private refuseRequest(startLine: string, status: number, statusText: string, reason: string, why: string, because: string, forwarded = ''): void {
    this.state = 'refused';
    this.buffer = Buffer.alloc(0);
    this.held = null;
    this.heldHead = null;
    this.heldRaw = [];
    this.current = null;
    this.ctx().note(`the proxy refused the victim's request "${quote(startLine, 80)}" and answered ${status} ${statusText}: ${reason}, ${because}; ${forwarded}nothing more the victim sends on this connection is forwarded`);
    this.events.answer?.(refusalAnswer(status, statusText, reason, why));
  }

  /** Parses one head, runs the head hooks and chooses how the body is framed. */
  /** `bytes`: the head with its blank line; `end`: where its last line ends. */
  private startHead(bytes: Buffer, end: number): boolean {
    const text = bytes.toString('latin1', 0, end);
    // The rules every HTTP reader of the workbench shares (httpFraming.ts).
    const read = readHead(text, { side: this.side });
    if (isRefusal(read) && read.refused === 'start-line') return false;
    const startLine = headLines(text)[0];
    if (isRefusal(read) && this.side === 'request') {
      if (read.refused === 'host') {
        this.refuseRequest(startLine, 400, 'Bad Request', read.reason, 'A server could not tell which site it is for, so it was not forwarded.', 'as the real server should (RFC 9112, 3.2)');
      } else {
        this.refuseRequest(startLine, 400, 'Bad Request', read.reason, `${SMUGGLING}, so it was not forwarded.`, 'so the real server could read where it ends differently from the proxy (request smuggling)');
      }
      return true;
    }
    if (isRefusal(read)) {
      // A response cannot be refused on the server's behalf: it goes on as the server sent it,
      // and the victim's own HTTP parser decides what it means.
      this.fallBack(bytes, `the real server's response "${quote(startLine, 80)}" has ambiguous framing (${read.reason}); the proxy passes it on unchanged and no longer reads it as HTTP`);
      return true;
    }
    const head: HttpHead = { startLine: read.startLine, headers: read.headers, changed: false };
    const status = read.status;
    if (this.side === 'request') this.methods.push(read.method);
    this.events.head?.(head);
    const ctx = this.ctx();
    this.hooks.runHead(this.headEvent, head, ctx);
    let framing: Framing;
    if (this.side === 'response' && status >= 100 && status < 200) {
      framing = { kind: 'none' };
      if (status === 101) {
        this.events.out(head.changed ? serializeHead(head) : bytes);
        this.methods.shift();
        this.goRaw();
        this.events.raw?.('the connection switched protocols (101)');
        return true;
      }
    } else if (this.side === 'response' && (this.methods.shift() === 'HEAD' || status === 204 || status === 304)) {
      framing = { kind: 'none' };
    } else if (read.framing.kind === 'chunked') {
      // A request's chunks are read strictly; a response's as leniently as clients read them.
      framing = { kind: 'chunked', scanner: new ChunkedBody(this.side === 'request', this.hooks.wantsBody(this.bodyEvent)) };
    } else if (read.framing.kind === 'length') {
      framing = { kind: 'length', remaining: read.framing.length };
    } else {
      framing = { kind: read.framing.kind };
    }
    this.framing = framing;
    this.current = head;
    if (framing.kind !== 'none' && this.hooks.wantsBody(this.bodyEvent)) {
      if (read.expectsContinue) {
        // The head waits here for the whole body, so the real server cannot answer "100 Continue"
        // and the client would sit out its timeout (curl: 1 s; some clients: for ever). The proxy
        // meets that expectation itself and sends the request on, body and all. Any other
        // expectation is the real server's to meet or refuse with 417 (RFC 9110, 10.1.1): it goes on.
        const others = withoutContinue(head.headers);
        head.headers = others.headers;
        head.changed = true;
        this.events.answer?.(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1'));
        this.ctx().note(
          others.kept.length
            ? `the proxy answered "100 Continue" itself: it holds the request body for the rewrite rules, so the request goes on whole, expecting only ${others.kept.map((e) => `"${e}"`).join(', ')} of the real server`
            : 'the proxy answered "100 Continue" itself: it holds the request body for the rewrite rules, so the request goes on whole, without its Expect header',
        );
      }
      this.held = [];
      this.heldBytes = 0;
      this.heldRaw = [];
      this.heldHead = head.changed ? serializeHead(head) : bytes;
      this.state = 'body';
      return true;
    }
    this.events.out(head.changed ? serializeHead(head) : bytes);
    this.state = framing.kind === 'none' ? 'head' : 'body';
    if (this.state === 'head') this.boundary();
    return true;
  }

  /** Consumes body bytes; returns what is left after this message's body. */
  private body(data: Buffer): Buffer {
    const framing = this.framing;
    let used: number;
    let complete: boolean;
    switch (framing.kind) {
      case 'length': {
        used = Math.min(framing.remaining, data.length);
        framing.remaining -= used;
        complete = framing.remaining === 0;
        if (this.held) this.held.push(data.subarray(0, used));
        break;
      }
      case 'chunked': {
        let end: number;
        try {
          end = framing.scanner.feed(data);
        } catch (err) {
          // A response's chunks are read leniently, as clients read them; the caller decides.
          if (this.side !== 'request') throw err;
          this.refuseBody(`the chunked body could not be read: ${(err as Error).message}`);
          return Buffer.alloc(0);
        }
        used = end < 0 ? data.length : end;
        complete = end >= 0;
        break;
      }
      case 'close':
        used = data.length;
        complete = false;
        if (this.held) this.held.push(data);
        break;
      default:
        used = 0;
        complete = true;
    }
    const part = data.subarray(0, used);
    if (this.held) {
      this.heldRaw.push(part);
      this.heldBytes += part.length;
      if (this.heldBytes > MAX_REWRITE_BODY_BYTES) {
        this.ctx().note(`a ${this.side} body larger than ${MAX_REWRITE_BODY_BYTES / 1048576} MiB passed unchanged: the rules only rewrite bodies up to that size`);
        this.events.out(this.heldHead!);
        for (const b of this.heldRaw) this.events.out(b);
        this.heldHead = null;
        this.heldRaw = [];
        this.held = null;
        if (framing.kind === 'chunked') {
          // The rest of the body streams through: the scanner only finds its end from here on.
          framing.scanner.data.length = 0;
          framing.scanner.collect = false;
        }
      }
    } else if (part.length) {
      this.events.out(part);
    }
    if (complete) {
      if (this.held) this.release();
      this.state = 'head';
      this.current = null;
      this.boundary();
    }
    return data.subarray(used);
  }

  /**
   * The victim's chunked body cannot be read (RFC 9112, 7.1): refused like a head. A held request
   * never reached the real server; a streamed one went out up to the fault, and its answer will
   * not come, so it is no longer waited for before the refusal.
   */
  private refuseBody(reason: string): void {
    const streamed = this.held === null;
    const startLine = this.current?.startLine ?? '';
    // The last method queued is this request's (the response side takes them from the front).
    this.methods.pop();
    this.refuseRequest(
      startLine,
      400,
      'Bad Request',
      reason,
      `${SMUGGLING}, so ${streamed ? 'the rest of it was' : 'it was'} not forwarded.`,
      'so the real server could read where it ends differently from the proxy (request smuggling)',
      streamed ? 'its head and its body up to there had already gone to the real server, which the proxy disconnects; ' : '',
    );
  }

  /** A held body is complete: run the body hooks and send the head with the framing fixed. */
  private release(): void {
    const head = this.current!;
    const framing = this.framing;
    const body = framing.kind === 'chunked' ? Buffer.concat(framing.scanner.data) : Buffer.concat(this.held ?? []);
    const changed = this.hooks.runBody(this.bodyEvent, body, head, this.ctx());
    if (changed === body) {
      this.events.out(this.heldHead!);
      for (const b of this.heldRaw) this.events.out(b);
    } else {
      head.headers = head.headers.filter(([n]) => !/^(content-length|transfer-encoding)$/i.test(n));
      head.headers.push(['Content-Length', String(changed.length)]);
      if (framing.kind === 'chunked') this.ctx().note(`a chunked ${this.side} body was rewritten and sent with Content-Length ${changed.length}`);
      this.events.out(serializeHead(head));
      this.events.out(changed);
    }
    this.held = null;
    this.heldHead = null;
    this.heldRaw = [];
    this.heldBytes = 0;
  }
}

/**
 * The header fields with "100-continue" taken out of Expect: the other expectations stay, in one
 * Expect field where the first was ("Expect: 100-continue, x" goes on as "Expect: x").
 */
function withoutContinue(headers: [string, string][]): { headers: [string, string][]; kept: string[] } {
  const kept = headers
    .filter(([n]) => n.toLowerCase() === 'expect')
    .flatMap(([, v]) => v.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '' && e.toLowerCase() !== '100-continue');
  const out: [string, string][] = [];
  let placed = false;
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'expect') out.push([name, value]);
    else if (!placed && kept.length) {
      out.push([name, kept.join(', ')]);
      placed = true;
    }
  }
  return { headers: out, kept };
}
