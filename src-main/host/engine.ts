// The engine server: the built renderer and one WebSocket API on a loopback address, guarded by
// a per-launch token and by Host and Origin checks (a page elsewhere must not reach it, not even
// through DNS rebinding).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { API_SOCKET_PATH, type ApiMethodName, type ServerFrame } from '../api/methods';
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

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
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

function tokensEqual(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host)) {
    throw new WorkbenchError('NOT_LOOPBACK', `the engine only listens on loopback (127.0.0.1, ::1), not on ${host}: its API controls TLS sessions and keys`);
  }
  const token = options.token ?? crypto.randomBytes(32).toString('base64url');
  const staticDir = options.staticDir ?? DEFAULT_STATIC_DIR;
  const workbench = new Workbench(options);
  let port = options.port ?? 0;

  const allowedHosts = () => {
    const names = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') names.push(`${host}:${port}`);
    return new Set(names);
  };
  const allowedOrigins = () => new Set([...allowedHosts()].map((h) => `http://${h}`));

  /** null when the request may proceed, else why it may not. */
  const refuseForeign = (req: http.IncomingMessage): string | null => {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts().has(hostHeader)) return `foreign Host header "${hostHeader}"`;
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin.toLowerCase())) return `foreign Origin "${origin}"`;
    return null;
  };

  const securityHeaders = (): Record<string, string> => ({
    'Content-Security-Policy': [
      "default-src 'self'",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "img-src 'self' data:",
      "style-src 'self' 'unsafe-inline'",
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
  });

  const server = http.createServer((req, res) => {
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
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname === '/health') {
      const ok = tokensEqual(url.searchParams.get('token'), token);
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(ok ? { ok: true, engineVersion: workbench.about().engineVersion } : { ok: false }));
      return;
    }
    if (url.pathname === API_SOCKET_PATH) {
      // The API speaks WebSocket only; a plain request gets a plain answer, not the app's page.
      res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'Upgrade' });
      res.end('the workbench API is a WebSocket at /api?token=...; open the workbench at the address npm start printed\n');
      return;
    }
    serveStatic(staticDir, url.pathname, res, securityHeaders());
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    const refusal = url.pathname !== API_SOCKET_PATH ? 'unknown path' : refuseForeign(req);
    if (refusal) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nrefused: ${refusal}\n`);
      return;
    }
    const tokenOk = tokensEqual(url.searchParams.get('token'), token);
    wss.handleUpgrade(req, socket, head, (ws) => {
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

function serveStatic(root: string, pathname: string, res: http.ServerResponse, headers: Record<string, string>): void {
  const relative = decodeURIComponent(pathname).replace(/^\/+/, '') || 'index.html';
  const file = path.resolve(root, relative);
  if (!file.startsWith(path.resolve(root) + path.sep)) {
    res.writeHead(404).end();
    return;
  }
  let target = file;
  if (!fs.existsSync(target) || fs.statSync(target).isDirectory()) {
    target = path.join(root, 'index.html');
  }
  if (!fs.existsSync(target)) {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end('The workbench UI is not built yet: run "npm run build" (npm start does it for you), then reload.\n');
    return;
  }
  const type = CONTENT_TYPES[path.extname(target)] ?? 'application/octet-stream';
  res.writeHead(200, { 'Content-Type': type, ...headers });
  fs.createReadStream(target).pipe(res);
}
