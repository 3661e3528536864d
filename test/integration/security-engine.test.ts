// The engine's door attacked as a hostile page or a local program would: odd request targets,
// traversal spellings, Host and Origin variants, broken WebSocket frames. Every answer must be a
// clear refusal, never the engine going down or a file from outside the UI's folder.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEngine, staticFile, tokensEqual } from '../../src-main/host/engine';

const ROOT = path.resolve(__dirname, '..', '..');

/** The parts of a running engine the tests use: in this process or in a child. */
interface EngineDoor {
  port: number;
  token: string;
}

let engine: EngineDoor & { close(): Promise<void> };
let staticDir: string;
const SECRET = 'secret-outside-the-ui-folder';

beforeAll(async () => {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-security-engine-'));
  staticDir = path.join(top, 'ui');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>TLS Lab Workbench</title><div id="app"></div>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(top, 'secret.txt'), SECRET);
  engine = await startEngine({ dataDir: path.join(top, 'data'), staticDir });
});
afterAll(async () => engine?.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes exactly as given and reads the answer until the engine closes the connection. */
function raw(request: string, door: EngineDoor = engine): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(door.port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.setEncoding('latin1');
    // An engine that never answers is a failure too: give up after 10 s of silence (status 0).
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

const own = (door: EngineDoor = engine) => `127.0.0.1:${door.port}`;
const get = (target: string, extra = '', door: EngineDoor = engine) =>
  raw(`GET ${target} HTTP/1.1\r\nHost: ${own(door)}\r\n${extra}Connection: close\r\n\r\n`, door);

/** The engine still answers its API: it did not go down on what came before. */
async function engineStillAnswers(door: EngineDoor = engine): Promise<void> {
  const ws = new WebSocket(`ws://${own(door)}/api?token=${door.token}`);
  const frame = await new Promise<{ ok: boolean }>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'request', id: 1, method: 'engine.about', params: {} })));
    ws.on('message', (data) => resolve(JSON.parse(data.toString()) as { ok: boolean }));
    ws.on('error', reject);
  });
  ws.close();
  expect(frame.ok).toBe(true);
}

/**
 * `tlslab engine` in its own process, as npm start and the Electron shell run it: an error nobody
 * catches ends that process (inside vitest it would only be reported), so "stays up" is real here.
 */
let child: ChildProcess;
let door: EngineDoor;
let childExit: string | null = null;

beforeAll(async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-security-child-'));
  child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tlslab.mjs'), 'engine', '--json', '--data-dir', home], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.once('exit', (code) => (childExit = `the engine exited with ${code}: ${err.trim().split('\n').slice(0, 3).join(' | ')}`));
  door = await new Promise<EngineDoor>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]) as EngineDoor);
    });
    child.once('exit', () => reject(new Error(childExit ?? 'the engine exited')));
  });
});
afterAll(() => {
  child?.kill('SIGTERM');
});

describe('the engine process against odd requests', () => {
  it('answers a malformed percent-encoding with 404 and stays up', async () => {
    for (const target of ['/%', '/%E0%A4%A', '/assets/%zz.js']) {
      const answer = await get(target, '', door);
      expect(answer.status, target).toBe(404);
      expect(answer.body).not.toContain('Error');
    }
    expect(childExit).toBeNull();
    await engineStillAnswers(door);
  });

  it('answers a request target it cannot parse, or one naming another host, with 400 and stays up', async () => {
    for (const target of ['http://[/', '*', 'http://evil.example/', 'http://x/../../etc/passwd', 'file:///etc/passwd']) {
      const answer = await get(target, '', door);
      expect(answer.status, target).toBe(400);
      expect(answer.body).not.toContain('root:');
    }
    const upgrade = await raw(
      `GET http://[/ HTTP/1.1\r\nHost: ${own(door)}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      door,
    );
    expect(upgrade.status).toBe(403);
    expect(childExit).toBeNull();
    await engineStillAnswers(door);
  });
});

describe('the engine against odd requests', () => {
  it('serves the page for an absolute-form target naming the engine itself', async () => {
    expect((await get(`http://${own()}/`)).body).toContain('TLS Lab Workbench');
  });

  it('never serves a file from outside the UI folder, however the path is spelled', async () => {
    const spellings = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%252e%252e/secret.txt',
      '/..%00/secret.txt',
      '/index.html%00.js',
      '//../secret.txt',
      `/${'..%2f'.repeat(20)}etc%2fpasswd`,
    ];
    for (const target of spellings) {
      const answer = await get(target);
      expect(answer.body, target).not.toContain(SECRET);
      expect(answer.body, target).not.toContain('root:');
      expect([200, 404], target).toContain(answer.status);
    }
    expect((await get('/assets/app.js')).body).toContain('console.log(1)');
  });

  it('maps URL paths into its folder and refuses the rest', () => {
    expect(staticFile(staticDir, '/')).toBe(path.join(staticDir, 'index.html'));
    expect(staticFile(staticDir, '/assets/app.js')).toBe(path.join(staticDir, 'assets', 'app.js'));
    expect(staticFile(staticDir, '/..%2fsecret.txt')).toBeNull();
    expect(staticFile(staticDir, '/%')).toBeNull();
    expect(staticFile(staticDir, '/a%00b')).toBeNull();
    expect(staticFile(staticDir, '/a%5cb')).toBeNull();
  });

  it('sends its security headers with every answer, refusals and errors included', async () => {
    const answers = [
      await get('/'),
      await get('/%'),
      await get('http://[/'),
      await raw(`GET / HTTP/1.1\r\nHost: evil.example:${engine.port}\r\nConnection: close\r\n\r\n`),
      await raw(`POST / HTTP/1.1\r\nHost: ${own()}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`),
      await get('/api'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 404, 400, 403, 405, 426]);
    for (const answer of answers) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    // As strict as the page's own <meta> policy: no inline styles or scripts.
    expect(answers[0].headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(answers[0].headers['content-security-policy']).not.toContain('unsafe-eval');
  });

  it('accepts only its own Host, in any letter case, and refuses look-alikes', async () => {
    const port = engine.port;
    const accepted = [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`];
    const refused = [`localhost.:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', `localhost.evil.example:${port}`, `127.0.0.1:${port}.evil.example`, `evil.example:${port}`];
    for (const host of accepted) expect((await raw(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).status, host).toBe(200);
    for (const host of refused) expect((await raw(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).status, host).toBe(403);
    expect((await raw('GET / HTTP/1.0\r\n\r\n')).status).toBe(403);
  });

  it('refuses a foreign Origin on pages and on the API, with the right token', async () => {
    const port = engine.port;
    const refused = ['null', 'file://', `http://127.0.0.1:${port + 1}`, `http://localhost.evil.example:${port}`, `https://127.0.0.1:${port}`, `http://127.0.0.1:${port}/`];
    for (const origin of refused) {
      expect((await get('/', `Origin: ${origin}\r\n`)).status, origin).toBe(403);
      const upgrade = await raw(
        `GET /api?token=${engine.token} HTTP/1.1\r\nHost: ${own()}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      expect(upgrade.status, origin).toBe(403);
    }
    expect((await get('/', `Origin: HTTP://LOCALHOST:${port}\r\n`)).status).toBe(200);
  });
});

describe('the engine process against broken WebSocket traffic', () => {
  /** Upgrades by hand, then sends `frame` as raw bytes; resolves with what came back once closed. */
  function sendRawFrame(token: string, frame: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      const socket = net.connect(door.port, '127.0.0.1', () =>
        socket.write(
          `GET /api?token=${token} HTTP/1.1\r\nHost: ${own(door)}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
      );
      let received = Buffer.alloc(0);
      let sent = false;
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (!sent && received.includes('\r\n\r\n')) {
          sent = true;
          socket.write(frame);
        }
      });
      socket.on('error', () => undefined);
      socket.setTimeout(10_000, () => socket.destroy());
      socket.on('close', () => resolve(received));
    });
  }

  /** The close code in the first close frame (opcode 8) the engine sent after the 101 head. */
  function closeCode(received: Buffer): number | null {
    let at = received.indexOf('\r\n\r\n') + 4;
    while (at + 2 <= received.length) {
      const opcode = received[at] & 0x0f;
      const length = received[at + 1] & 0x7f;
      const header = length === 126 ? 4 : 2;
      if (opcode === 8) return received.readUInt16BE(at + header);
      at += header + (length === 126 ? received.readUInt16BE(at + 2) : length);
    }
    return null;
  }

  it('closes on an unmasked frame with 1002 and stays up, with or without the token', async () => {
    const unmasked = Buffer.from([0x81, 0x02, 0x68, 0x69]);
    expect(closeCode(await sendRawFrame(door.token, unmasked))).toBe(1002);
    expect(childExit).toBeNull();
    await sendRawFrame('wrong', unmasked);
    expect(childExit).toBeNull();
    await engineStillAnswers(door);
  });

  it('closes on a frame over the size limit with 1009 and stays up', async () => {
    // A masked text frame that announces 64 MiB: refused from its header, before any payload.
    const head = Buffer.alloc(14);
    head[0] = 0x81;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(64n * 1024n * 1024n, 2);
    expect(closeCode(await sendRawFrame(door.token, head))).toBe(1009);
    expect(childExit).toBeNull();
    await engineStillAnswers(door);
  });

  it('answers a frame that is not JSON with one clear error, no stack trace', async () => {
    const ws = new WebSocket(`ws://${own(door)}/api?token=${door.token}`);
    const frame = await new Promise<{ ok: boolean; error: { code: string; message: string } }>((resolve, reject) => {
      ws.on('open', () => ws.send('{not json'));
      ws.on('message', (data) => resolve(JSON.parse(data.toString())));
      ws.on('error', reject);
    });
    ws.close();
    expect(frame).toMatchObject({ ok: false, error: { code: 'BAD_FRAME' } });
    expect(frame.error.message).not.toMatch(/\n\s+at /);
  });
});

describe('the token', () => {
  it('is compared whole: a prefix, a longer string or an empty one do not pass', () => {
    const token = 'abcDEF123_-abcDEF123_-abcDEF123_-abcDEF123_';
    expect(tokensEqual(token, token)).toBe(true);
    for (const guess of [null, '', token.slice(0, -1), `${token}x`, token.toUpperCase()]) expect(tokensEqual(guess, token)).toBe(false);
  });

  it('refuses to listen off loopback and says what to use instead', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.5']) {
      await expect(startEngine({ dataDir: os.tmpdir(), host })).rejects.toThrow(/only listens on loopback.*use --host 127\.0\.0\.1/);
    }
  });
});
