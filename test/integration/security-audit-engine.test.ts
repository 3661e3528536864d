// The engine's door, attacked past what security-engine covers: request heads no browser sends
// but a program on the same machine (or a proxy in front) could.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';

let engine: RunningEngine;
let top: string;

beforeAll(async () => {
  top = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-security-audit-engine-'));
  const staticDir = path.join(top, 'ui');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>TLS Lab Workbench</title>');
  engine = await startEngine({ dataDir: path.join(top, 'data'), staticDir });
});
afterAll(async () => {
  await engine?.close();
  fs.rmSync(top, { recursive: true, force: true });
});

/** Sends the bytes as given; the answer's status line and body once the engine closes. */
function raw(request: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(engine.port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }));
  });
}

describe('the engine against request heads no browser sends', () => {
  it('refuses two Host headers, whichever comes first, on pages and on the API', async () => {
    const own = `127.0.0.1:${engine.port}`;
    for (const hosts of [[own, 'evil.example'], ['evil.example', own], [own, own]]) {
      const head = hosts.map((h) => `Host: ${h}\r\n`).join('');
      const page = await raw(`GET / HTTP/1.1\r\n${head}Connection: close\r\n\r\n`);
      expect(page.status, hosts.join(' + ')).toBe(403);
      expect(page.text).toContain('more than one Host header');
      expect(page.text).not.toContain('TLS Lab Workbench</title>');
      const api = await raw(
        `GET /api?token=${engine.token} HTTP/1.1\r\n${head}Upgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      expect(api.status, hosts.join(' + ')).toBe(403);
    }
    // One Host is still fine.
    expect((await raw(`GET / HTTP/1.1\r\nHost: ${own}\r\nConnection: close\r\n\r\n`)).status).toBe(200);
  });
});
