// The engine server: the built renderer and one WebSocket API on a loopback address, guarded by
// a per-launch token and by Host and Origin checks (a page elsewhere must not reach it, not even
// through DNS rebinding).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { API_SOCKET_PATH, type ApiMethodName, type ServerFrame } from '../api/methods';
import { PROJECT_ROOT } from '../paths';
import { WorkbenchError, toErrorInfo } from '../errors';
import { Workbench, type WorkbenchOptions } from '../workbench';
import { dispatch } from './dispatch';
import { EventOutbox } from './eventOutbox';
import { isApiMethod, validateParams } from './validation';

export const TOKEN_REFUSED_CLOSE_CODE = 4401;

export interface EngineOptions extends WorkbenchOptions {
  /** Loopback address to listen on; default 127.0.0.1. */
  host?: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** Fixed token (tests); default: 32 random bytes. */
  token?: string;
  /** Folder with the built renderer; default dist-renderer/ in the project. */
  staticDir?: string;
}

export interface RunningEngine {
  /** The page to open, token included (in the fragment, so it never reaches a server log). */
  url: string;
  token: string;
  port: number;
  host: string;
  workbench: Workbench;
  close(): Promise<void>;
}

export const DEFAULT_STATIC_DIR = path.join(PROJECT_ROOT, 'dist-renderer');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export function isLoopbackAddress(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}

/**
 * Compares a token in constant time. Both sides are hashed first, so the comparison takes the same
 * time whatever the length of the guess (timingSafeEqual alone needs equal lengths, and an early
 * length check tells an attacker how long the token is).
 */
export function tokensEqual(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = crypto.createHash('sha256').update(given, 'utf8').digest();
  const b = crypto.createHash('sha256').update(expected, 'utf8').digest();
  return crypto.timingSafeEqual(a, b) && given.length > 0;
}

/**
 * The path of a request target, or null when the target is not one a browser sends to this server.
 * Origin-form ("/x?y") is the normal case; absolute-form ("http://host:port/x") is accepted only
 * when its authority is one of ours, since it overrides the Host header (RFC 9112, 3.2.2).
 */
function requestPath(target: string | undefined, allowedHosts: Set<string>): string | null {
  const text = target ?? '/';
  try {
    if (text.startsWith('/')) {
      // Parse against a fixed base: "//x" is a path here, not another host.
      return new URL(`http://engine${text}`).pathname;
    }
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'ws:') return null;
    return allowedHosts.has(url.host.toLowerCase()) ? url.pathname : null;
  } catch {
    return null;
  }
}

function searchParams(target: string | undefined): URLSearchParams {
  const text = target ?? '';
  const q = text.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : text.slice(q + 1).split('#', 1)[0]);
}

export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host)) {
    throw new WorkbenchError(
      'NOT_LOOPBACK',
      `the engine only listens on loopback (127.0.0.1, ::1), not on ${host}, because its API controls TLS sessions and keys: use --host 127.0.0.1 (open the workbench on another machine by running it there)`,
    );
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    throw new WorkbenchError('PORT_OUT_OF_RANGE', `the port ${String(options.port)} is not a TCP port: give a whole number from 1 to 65535, or 0 for any free one`);
  }
  const token = options.token ?? crypto.randomBytes(32).toString('base64url');
  const staticDir = options.staticDir ?? DEFAULT_STATIC_DIR;
  // Its servers, proxies and replay servers are the window's: a tlslab command on their port says so.
  const workbench = new Workbench({ ...options, startedFrom: 'window' });
  // The window's engine runs for hours and records: its writer thread starts (and tidies) now.
  workbench.writer.start();
  let port = options.port ?? 0;

  const allowedHosts = () => {
    const names = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') names.push(`${host}:${port}`);
    return new Set(names);
  };
  const allowedOrigins = () => new Set([...allowedHosts()].map((h) => `http://${h}`));

  /** null when the request may proceed, else why it may not. */
  const refuseForeign = (req: http.IncomingMessage): string | null => {
    // Node keeps the first of two Host headers; a proxy in front may route by the other, so two
    // are refused as RFC 9112 (3.2) asks, rather than letting the first one pass the check below.
    const hosts = req.rawHeaders.filter((name, i) => i % 2 === 0 && name.toLowerCase() === 'host').length;
    if (hosts > 1) return 'more than one Host header';
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts().has(hostHeader)) return `foreign Host header "${hostHeader}"`;
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin.toLowerCase())) return `foreign Origin "${origin}"`;
    return null;
  };

  // Sent with every answer, refusals and errors included: the page's own <meta> policy is the same
  // (style-src without 'unsafe-inline'), and the header adds what a <meta> cannot: frame-ancestors.
  const securityHeaders = (): Record<string, string> => ({
    'Content-Security-Policy': [
      "default-src 'self'",
      // No ws://[::1]:PORT: Chromium takes a bracketed IPv6 host source for invalid and warns on every
      // page; 'self' covers the WebSocket of a page opened on [::1].
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "img-src 'self' data:",
      "font-src 'self'",
      "style-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });

  const server = http.createServer((req, res) => {
    for (const [name, value] of Object.entries(securityHeaders())) res.setHeader(name, value);
    const refusal = refuseForeign(req);
    if (refusal) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`refused: ${refusal}; open the workbench at the address npm start printed\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const pathname = requestPath(req.url, allowedHosts());
    if (pathname === null) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('bad request target; open the workbench at the address npm start printed\n');
      return;
    }
    if (pathname === '/health') {
      const ok = tokensEqual(searchParams(req.url).get('token'), token);
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(ok ? { ok: true, engineVersion: workbench.about().engineVersion } : { ok: false }));
      return;
    }
    if (pathname === API_SOCKET_PATH) {
      // The API speaks WebSocket only; a plain request gets a plain answer, not the app's page.
      res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: req.headers.connection?.toLowerCase().includes('close') ? 'Upgrade, close' : 'Upgrade' });
      res.end('the workbench API is a WebSocket at /api?token=...; open the workbench at the address npm start printed\n');
      return;
    }
    serveStatic(staticDir, pathname, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    // Node leaves an upgraded socket's errors to us: a reset here must not stop the engine.
    socket.on('error', () => socket.destroy());
    const refusal = refuseForeign(req) ?? (requestPath(req.url, allowedHosts()) !== API_SOCKET_PATH ? 'unknown path' : null);
    if (refusal) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nrefused: ${refusal}\n`);
      return;
    }
    const tokenOk = tokensEqual(searchParams(req.url).get('token'), token);
    wss.handleUpgrade(req, socket, head, (ws) => {
      // A broken frame (unmasked, bad UTF-8, over maxPayload) makes ws close the connection with
      // a code that says why and then report an error; without a listener that error would end
      // the engine, and every window with it.
      ws.on('error', () => ws.terminate());
      if (!tokenOk) {
        // Accept, then close with a code the page can read: a refused upgrade looks like a
        // network failure to a browser, and the student should learn the link is stale instead.
        ws.close(TOKEN_REFUSED_CLOSE_CODE, 'token refused');
        return;
      }
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('message', (raw) => void handleFrame(ws, raw.toString()));
    });
  });

  const sendText = (ws: WebSocket, text: string) => {
    if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const send = (ws: WebSocket, frame: ServerFrame) => sendText(ws, JSON.stringify(frame));

  const handleFrame = async (ws: WebSocket, text: string) => {
    let id = 0;
    try {
      const frame = JSON.parse(text) as { type?: unknown; id?: unknown; method?: unknown; params?: unknown };
      id = typeof frame.id === 'number' ? frame.id : 0;
      if (frame.type !== 'request' || typeof frame.id !== 'number') {
        throw new WorkbenchError('BAD_FRAME', 'a request frame needs type "request", a numeric id and a method');
      }
      if (!isApiMethod(frame.method)) {
        throw new WorkbenchError('UNKNOWN_METHOD', `the engine has no command "${String(frame.method)}"`);
      }
      const method: ApiMethodName = frame.method;
      const result = await dispatch(workbench, method, validateParams(method, frame.params));
      send(ws, { type: 'response', id, ok: true, result });
    } catch (err) {
      const error = err instanceof SyntaxError ? { code: 'BAD_FRAME', message: 'the frame is not JSON' } : toErrorInfo(err);
      send(ws, { type: 'response', id, ok: false, error });
    }
  };

  const events = new EventOutbox((frames) => {
    const text = JSON.stringify(frames.length === 1 ? frames[0] : ({ type: 'events', events: frames } satisfies ServerFrame));
    for (const ws of clients) sendText(ws, text);
  });
  const unsubscribe = workbench.subscribe((event, data) => {
    if (clients.size > 0) events.push(event, data);
  });
  // Sessions and host names that `tlslab` commands add to the same data folder show up live.
  const stopWatching = workbench.watchOtherWriters();

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      stopWatching();
      void workbench.close();
      if (err.code === 'EADDRINUSE') {
        reject(new WorkbenchError('PORT_IN_USE', `port ${port} on ${host} is already in use; stop the other program or choose another port with --port`));
      } else if (err.code === 'EACCES') {
        reject(new WorkbenchError('PORT_PRIVILEGED', `port ${port} needs administrator rights; choose a port above 1023`));
      } else {
        reject(err);
      }
    });
    server.listen(port, host, () => resolve());
  });
  port = (server.address() as net.AddressInfo).port;
  const urlHost = net.isIPv6(host) ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/#token=${token}`,
    token,
    port,
    host,
    workbench,
    async close() {
      stopWatching();
      unsubscribe();
      events.close();
      for (const ws of clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await workbench.close();
    },
  };
}

/** The file under `root` for a URL path, or null when the path is malformed or leaves `root`. */
export function staticFile(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const base = path.resolve(root);
  const file = path.resolve(base, decoded.replace(/^\/+/, '') || 'index.html');
  const inside = path.relative(base, file);
  if (!inside || inside.startsWith('..') || path.isAbsolute(inside)) return null;
  return file;
}

function serveStatic(root: string, pathname: string, res: http.ServerResponse): void {
  const file = staticFile(root, pathname);
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('no such page; open the workbench at the address npm start printed\n');
    return;
  }
  let target = file;
  if (!fs.existsSync(target) || fs.statSync(target).isDirectory()) {
    target = path.join(root, 'index.html');
  }
  if (!fs.existsSync(target)) {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('The workbench UI is not built yet: run "npm run build" (npm start does it for you), then reload.\n');
    return;
  }
  const type = CONTENT_TYPES[path.extname(target)] ?? 'application/octet-stream';
  const stream = fs.createReadStream(target);
  // An unreadable file ends this answer, not the engine.
  stream.on('error', () => res.destroy());
  res.writeHead(200, { 'Content-Type': type });
  stream.pipe(res);
}
