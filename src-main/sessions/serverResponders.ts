// What a lab server does after the handshake: HTTP/1.1 with keep-alive (a built-in page per host,
// one file, a folder, an echo, a fixed raw answer) or plain bytes for non-HTTP lessons.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Duplex } from 'node:stream';
import type { BuiltinPageName, ServerResponder } from '../api/serverTypes';
import { WorkbenchError } from '../errors';
import { PROJECT_ROOT } from '../paths';
import { findHeadEnd, hasBareLf } from './httpHead';
import { isRefusal, MAX_REQUEST_HEAD_BYTES, oversizeHead, readHead, REFUSAL_REASONS } from './httpFraming';

const PAGES_DIR = pathToFileURL(path.join(PROJECT_ROOT, 'resources', 'pages') + path.sep);

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** What the page templates may show about the connection. */
export interface ConnectionFacts {
  host: string | null;
  version: string;
  cipher: string;
}

export interface ResponderHooks {
  /** One HTTP request answered (or one chunk echoed in plain mode). */
  answered(): void;
  note(text: string): void;
}

const builtinCache = new Map<BuiltinPageName, string>();

function builtinTemplate(page: BuiltinPageName): string {
  let text = builtinCache.get(page);
  if (text === undefined) {
    text = fs.readFileSync(new URL(`${page}.html`, PAGES_DIR), 'utf8');
    builtinCache.set(page, text);
  }
  return text;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function pageForHost(host: string | null): BuiltinPageName {
  return host && /bank32/i.test(host) ? 'bank32' : 'plain';
}

function fill(template: string, facts: ConnectionFacts, fallbackHost: string): string {
  const values: Record<string, string> = { host: facts.host ?? fallbackHost, version: facts.version, cipher: facts.cipher };
  return template.replace(/\{\{(host|version|cipher)\}\}/g, (_, k: string) => escapeHtml(values[k]));
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.pem': 'application/x-pem-file',
  '.crt': 'application/x-x509-ca-cert',
};

/** Checks a responder's settings before the server starts: missing files are start failures. */
export function checkResponder(responder: ServerResponder): void {
  if (responder.kind === 'file') {
    let stat;
    try {
      stat = fs.statSync(responder.path);
    } catch {
      throw new WorkbenchError('FILE_NOT_FOUND', `the page file ${responder.path} does not exist; check the path, or use a built-in page (bank32, plain)`);
    }
    if (!stat.isFile()) throw new WorkbenchError('BAD_INPUT', `the page ${responder.path} is not a file; to serve a folder use --dir`);
  }
  if (responder.kind === 'dir') {
    let stat;
    try {
      stat = fs.statSync(responder.path);
    } catch {
      throw new WorkbenchError('FILE_NOT_FOUND', `the folder ${responder.path} does not exist; check the path`);
    }
    if (!stat.isDirectory()) throw new WorkbenchError('BAD_INPUT', `${responder.path} is not a folder; to serve one file use --page`);
  }
}

interface HttpRequest {
  method: string;
  target: string;
  version: string;
  headers: [string, string][];
  head: Buffer;
  body: Buffer;
  /** The body's length, as its head gives it. */
  length: number;
  /** The client waits for "100 Continue" before it sends the body. */
  expectsContinue: boolean;
}

function header(req: HttpRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  return req.headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

function wantsKeepAlive(req: HttpRequest): boolean {
  const connection = (header(req, 'connection') ?? '').toLowerCase();
  if (req.version === 'HTTP/1.0') return connection.includes('keep-alive');
  return !connection.includes('close');
}

interface HttpAnswer {
  status: number;
  reason: string;
  type: string;
  body: Buffer;
  /** A large file is sent from disk piece by piece instead of `body` (which is then empty). */
  file?: { path: string; size: number };
  /** Where a redirect sends the client (the Location header). */
  location?: string;
  /** The methods a 405 answer allows (the Allow header). */
  allow?: string;
}

/** Files above this are streamed from disk rather than read whole into memory per request. */
const STREAM_FILE_BYTES = 1024 * 1024;
const FILE_PIECE_BYTES = 1024 * 1024;
/** Pieces read ahead of the socket at most; their buffers are reused once written. */
const PIECES_IN_FLIGHT = 4;

/**
 * Sends `size` bytes of a file to the stream with backpressure: reads on the thread pool into a
 * few reused buffers, one piece at a time ahead of what the socket has taken. `done` gets an error
 * when the file could not be read to its announced length (the caller must close: the
 * Content-Length cannot be honoured).
 */
export function streamFile(stream: Duplex, file: string, size: number, done: (err?: Error) => void): void {
  const free: Buffer[] = [];
  let position = 0;
  let inFlight = 0;
  let reading = false;
  let finished = false;
  let fd = -1;
  const finish = (err?: Error) => {
    if (finished) return;
    finished = true;
    stream.off('drain', next);
    if (fd >= 0) fs.close(fd, () => undefined);
    done(err);
  };
  const next = () => {
    if (finished || reading) return;
    if (stream.destroyed) return finish(new Error('the client went away'));
    if (position >= size) {
      if (inFlight === 0) finish();
      return;
    }
    if (inFlight >= PIECES_IN_FLIGHT || stream.writableNeedDrain) return;
    reading = true;
    const buffer = free.pop() ?? Buffer.allocUnsafeSlow(FILE_PIECE_BYTES);
    fs.read(fd, buffer, 0, Math.min(FILE_PIECE_BYTES, size - position), position, (err, n) => {
      reading = false;
      if (err || n === 0) return finish(err ?? new Error(`${file} is shorter than the ${size} bytes announced`));
      position += n;
      inFlight++;
      stream.write(buffer.subarray(0, n), () => {
        inFlight--;
        free.push(buffer);
        next();
      });
      next();
    });
  };
  stream.on('drain', next);
  fs.open(file, 'r', (err, opened) => {
    if (err) return finish(err);
    fd = opened;
    next();
  });
}

function answer(status: number, reason: string, body: string, type = 'text/plain; charset=utf-8'): HttpAnswer {
  return { status, reason, type, body: Buffer.from(body, 'utf8') };
}

/** The target's path and its query (with its "?", or ""), without a fragment. */
function splitQuery(target: string): [string, string] {
  const bare = target.split('#', 1)[0];
  const q = bare.indexOf('?');
  return q < 0 ? [bare, ''] : [bare.slice(0, q), bare.slice(q)];
}

/**
 * The path and query of a request target. An absolute-form target ("http://host/x", which clients
 * send to proxies and RFC 9112 says a server must accept too) counts by its path alone; its host
 * is not looked at, since this server has one folder for every name.
 */
export function originForm(target: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  if (!m) return target;
  const rest = target.slice(m[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * A path under `root` for the request target, or null when it would leave the folder: "..",
 * "%2e%2e", "%2f" and the like are decoded once and then resolved, so no spelling gets out (a
 * backslash is an ordinary character in a file name here, not a separator). A symbolic link is
 * checked later, by serveFromFolder.
 */
export function resolveInFolder(root: string, target: string): string | null {
  let pathname = originForm(target).split(/[?#]/, 1)[0];
  try {
    pathname = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || !pathname.startsWith('/')) return null;
  const base = path.resolve(root);
  const full = path.resolve(base, `.${pathname}`);
  if (full !== base && !full.startsWith(base + path.sep)) return null;
  return full;
}

/** The URL path of `folder` (inside `root`) with its closing slash, each name percent-encoded. */
function folderPath(root: string, folder: string): string {
  const inside = path.relative(path.resolve(root), folder);
  return inside ? `/${inside.split(path.sep).map(encodeURIComponent).join('/')}/` : '/';
}

/** A folder without index.html, listed as web servers and `python3 -m http.server` list one. */
function folderListing(folder: string, pathname: string): HttpAnswer {
  const entries = fs
    .readdirSync(folder, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .map((e) => ({ name: e.name, folder: e.isDirectory() }))
    .sort((a, b) => Number(b.folder) - Number(a.folder) || a.name.localeCompare(b.name));
  const title = `Index of ${escapeHtml(pathname)}`;
  const rows = [
    ...(pathname === '/' ? [] : ['<li><a href="../">../</a></li>']),
    ...entries.map((e) => {
      const shown = e.name + (e.folder ? '/' : '');
      return `<li><a href="${escapeHtml(encodeURIComponent(e.name) + (e.folder ? '/' : ''))}">${escapeHtml(shown)}</a></li>`;
    }),
  ];
  const body = `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>\n<body><h1>${title}</h1>\n<ul>\n${rows.join('\n')}\n</ul>\n${entries.length ? '' : '<p>This folder is empty.</p>\n'}</body></html>\n`;
  return answer(200, 'OK', body, 'text/html; charset=utf-8');
}

/**
 * A folder answers GET and HEAD only, as nginx does for static files (python3 -m http.server
 * answers 501 to the others): a POST or PUT that got the file back would look like it worked.
 *
 * Symbolic links: a link whose real target lies outside the served folder is refused with 403,
 * whether it names a file or a folder. python3 -m http.server and nginx (disable_symlinks off, its
 * default) both follow such links, but a folder handed out for a lab exercise must not become a way
 * to read the rest of the disk through a link someone left in it. Links that stay inside are
 * followed.
 */
function serveFromFolder(root: string, req: HttpRequest): HttpAnswer {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { ...answer(405, 'Method Not Allowed', `this server only sends files (GET and HEAD), not ${req.method}\n`), allow: 'GET, HEAD' };
  }
  const full = resolveInFolder(root, req.target);
  if (!full) return answer(403, 'Forbidden', 'that path leaves the served folder\n');
  const [pathname, query] = splitQuery(originForm(req.target));
  let file = full;
  try {
    const realRoot = fs.realpathSync(root);
    const inside = (real: string) => real === realRoot || real.startsWith(realRoot + path.sep);
    if (fs.statSync(file).isDirectory()) {
      // Relative links in a folder's page resolve against the folder only with the slash. The
      // address is built from the folder found, not from the target as sent: a browser reads
      // "//evil.example/" and "/\\evil.example/" (a backslash counts as a slash in http URLs) as
      // another host, and "/\\evil.example/.." leads to this very folder.
      if (!pathname.endsWith('/')) {
        const location = `${folderPath(root, full)}${query}`;
        return { ...answer(301, 'Moved Permanently', `${location}\n`), location };
      }
      const index = path.join(file, 'index.html');
      if (!fs.existsSync(index)) {
        if (!inside(fs.realpathSync(file))) return answer(403, 'Forbidden', 'that path leaves the served folder\n');
        return folderListing(file, decodeURIComponent(pathname));
      }
      file = index;
    }
    // A link inside the folder must not lead outside it either.
    const real = fs.realpathSync(file);
    if (!inside(real)) return answer(403, 'Forbidden', 'that path leaves the served folder\n');
    // A named pipe, socket or device: reading one would wait for a writer (or never end), and the
    // read is synchronous, so every session of the engine would stop with it.
    const stat = fs.statSync(real);
    if (!stat.isFile()) return answer(403, 'Forbidden', `${pathname} is not a regular file; this server only sends files\n`);
    const type = CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
    const size = stat.size;
    if (size > STREAM_FILE_BYTES) return { status: 200, reason: 'OK', type, body: Buffer.alloc(0), file: { path: real, size } };
    return { status: 200, reason: 'OK', type, body: fs.readFileSync(real) };
  } catch {
    return answer(404, 'Not Found', `no file ${pathname} here\n`);
  }
}

/** The answer for one request under an HTTP responder. */
function respond(responder: ServerResponder, req: HttpRequest, facts: ConnectionFacts, fallbackHost: string, hostPage: BuiltinPageName | undefined): HttpAnswer | Buffer {
  switch (responder.kind) {
    case 'builtin': {
      const page = responder.page ?? hostPage ?? pageForHost(facts.host);
      return answer(200, 'OK', fill(builtinTemplate(page), facts, fallbackHost), 'text/html; charset=utf-8');
    }
    case 'file':
      try {
        return { status: 200, reason: 'OK', type: 'text/html; charset=utf-8', body: fs.readFileSync(responder.path) };
      } catch {
        return answer(404, 'Not Found', `the page file ${responder.path} is gone\n`);
      }
    case 'dir':
      return serveFromFolder(responder.path, req);
    case 'echo':
      return { status: 200, reason: 'OK', type: 'text/plain; charset=utf-8', body: Buffer.concat([req.head, req.body]) };
    case 'fixed':
      return Buffer.from(responder.response.replace(/\r?\n/g, '\r\n'), 'utf8');
    case 'plain':
      throw new Error('plain mode has no HTTP answers');
  }
}

/**
 * The request, or its refusal (status and the text of the answer). The head is read by the rules
 * all of the workbench's HTTP readers share (httpFraming.ts); this server reads no chunked bodies,
 * so any Transfer-Encoding gets 411.
 */
function parseHead(head: Buffer, end: number): HttpRequest | { status: 400 | 411 | 417; text: string } {
  const read = readHead(head.toString('latin1', 0, end), { side: 'request', chunked: false, expectations: true });
  if (isRefusal(read)) {
    const prefix = read.refused === 'start-line' ? 'this server speaks HTTP/1.1; ' : '';
    return { status: read.status, text: `${prefix}${read.reason}\n` };
  }
  const length = read.framing.kind === 'length' ? read.framing.length : 0;
  return { method: read.method, target: read.target, version: read.version, headers: read.headers, head, body: Buffer.alloc(0), length, expectsContinue: read.expectsContinue };
}

/** The interim answer to "Expect: 100-continue" (RFC 9110, 15.2.1). */
export const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

function writeAnswer(stream: Duplex, a: HttpAnswer, keepAlive: boolean, head: boolean): void {
  const lines = [
    `HTTP/1.1 ${a.status} ${a.reason}`,
    'Server: tlslab',
    `Content-Type: ${a.type}`,
    ...(a.location ? [`Location: ${a.location}`] : []),
    ...(a.allow ? [`Allow: ${a.allow}`] : []),
    `Content-Length: ${a.file ? a.file.size : a.body.length}`,
    `Connection: ${keepAlive ? 'keep-alive' : 'close'}`,
    '',
    '',
  ];
  const headBytes = Buffer.from(lines.join('\r\n'), 'latin1');
  if (head) stream.write(headBytes);
  else if (a.body.length <= 16 * 1024) stream.write(Buffer.concat([headBytes, a.body]));
  else {
    // A large body is not copied behind its head (a 100 MB copy cost as much as encrypting it).
    stream.write(headBytes);
    stream.write(a.body);
  }
}

/**
 * Serves HTTP/1.1 requests on the decrypted stream, one after another, until the client closes
 * or asks to. `fallbackHost` names the server when the client sent no SNI.
 */
export function serveHttp(
  stream: Duplex,
  responder: ServerResponder,
  facts: ConnectionFacts,
  fallbackHost: string,
  hostPage: BuiltinPageName | undefined,
  hooks: ResponderHooks,
): void {
  let buffered: Buffer = Buffer.alloc(0);
  /** Pieces of a body still arriving, kept apart: joining each to the rest copied 8 MiB bodies some 500 times. */
  let bodyPieces: Buffer[] = [];
  let bodyPieceBytes = 0;
  let pending: HttpRequest | null = null;
  let bodyNeeded = 0;
  let closing = false;
  /** Said once per connection: its request lines end in LF alone. */
  let noted = false;
  /** A file answer is on its way: later pipelined requests wait for it. */
  let sending = false;
  /** The client has closed its side: once every request it sent is answered, this side closes too. */
  let peerEnded = false;
  /** The client has not taken the last answers yet: the requests behind them wait. */
  let draining = false;

  const fail = (status: number, reason: string, text: string) => {
    hooks.note(`bad request: ${text.trim()}`);
    writeAnswer(stream, answer(status, reason, text), false, false);
    closing = true;
    stream.end();
  };

  const answered = (keepAlive: boolean) => {
    hooks.answered();
    if (!keepAlive) {
      closing = true;
      stream.end();
    }
  };

  /**
   * Stops answering (and reading) until the client has taken what was written. Small requests can
   * ask for large answers: without this, a client that pipelines them and never reads had the
   * engine hold every answer in memory, a hundred megabytes for one TLS record of requests.
   */
  const waitForDrain = () => {
    draining = true;
    stream.pause();
    stream.once('drain', () => {
      draining = false;
      stream.resume();
      pump();
    });
  };

  const pump = () => {
    answerWhatWaits();
    if (peerEnded && !closing && !sending && !draining) {
      closing = true;
      stream.end();
    }
  };

  const answerWhatWaits = () => {
    while (!closing && !sending && !draining) {
      if (!pending) {
        const found = findHeadEnd(buffered);
        if (!found || found.next > MAX_REQUEST_HEAD_BYTES) {
          const over = oversizeHead(buffered, found);
          if (over) fail(over.status, over.reason, over.text);
          return;
        }
        const headBytes = buffered.subarray(0, found.next);
        if (!noted && hasBareLf(headBytes)) {
          noted = true;
          hooks.note('the request\'s lines end in LF alone, as openssl s_client sends what is typed unless given -crlf; HTTP wants CRLF, and this server takes LF too, as RFC 9112 allows');
        }
        const req = parseHead(headBytes, found.end);
        if ('text' in req) return fail(req.status, REFUSAL_REASONS[req.status], req.text);
        const length = req.length;
        if (length > MAX_BODY_BYTES) return fail(413, 'Content Too Large', 'the body is over 8 MiB\n');
        buffered = buffered.subarray(found.next);
        pending = req;
        bodyNeeded = length;
        // The client holds its body back until told to go on (curl waits a second, then sends anyway).
        if (req.expectsContinue) stream.write(CONTINUE);
      }
      if (buffered.length < bodyNeeded) return;
      const req: HttpRequest = pending;
      req.body = Buffer.from(buffered.subarray(0, bodyNeeded));
      buffered = buffered.subarray(bodyNeeded);
      pending = null;
      const keepAlive = wantsKeepAlive(req);
      const result = respond(responder, req, facts, fallbackHost, hostPage);
      if (Buffer.isBuffer(result)) stream.write(result);
      else writeAnswer(stream, result, keepAlive, req.method === 'HEAD');
      if (!Buffer.isBuffer(result) && result.file && req.method !== 'HEAD') {
        sending = true;
        streamFile(stream, result.file.path, result.file.size, (err) => {
          sending = false;
          if (stream.isPaused()) stream.resume();
          if (err) {
            if (!stream.destroyed) hooks.note(`the answer could not be sent whole (${err.message}); the connection is closed`);
            closing = true;
            stream.destroy();
            return;
          }
          answered(keepAlive);
          pump();
        });
        return;
      }
      answered(keepAlive);
      if (!closing && stream.writableNeedDrain) waitForDrain();
    }
  };

  stream.on('data', (data: Buffer) => {
    if (closing) return;
    if (pending && buffered.length + bodyPieceBytes + data.length < bodyNeeded) {
      bodyPieces.push(data);
      bodyPieceBytes += data.length;
      return;
    }
    buffered = buffered.length === 0 && bodyPieces.length === 0 ? data : Buffer.concat([buffered, ...bodyPieces, data]);
    bodyPieces = [];
    bodyPieceBytes = 0;
    // While a file goes out, the requests behind it wait here; past one full request's worth,
    // stop reading (TCP then holds the client back) instead of buffering without end.
    if (sending && buffered.length > MAX_REQUEST_HEAD_BYTES + MAX_BODY_BYTES) stream.pause();
    pump();
  });
  stream.on('end', () => {
    peerEnded = true;
    pump();
  });
}

/** Plain bytes after the handshake: an optional greeting, then every byte echoed back. */
export function servePlain(stream: Duplex, greeting: string | undefined, hooks: ResponderHooks): void {
  if (greeting) stream.write(greeting.replace(/\r?\n/g, '\r\n'));
  stream.on('data', (data: Buffer) => {
    // A client that sends without reading the echo is not read from until it does.
    if (!stream.write(data) && !stream.isPaused()) {
      stream.pause();
      stream.once('drain', () => stream.resume());
    }
    hooks.answered();
  });
  stream.on('end', () => stream.end());
}
