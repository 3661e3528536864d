// The engine's door: a token per launch, and only its own Host and Origin.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ResponseFrame, ServerFrame } from '../../src-main/api/methods';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';
import { WAIT_DEADLINE_MS } from '../support/waitUntil';

let engine: RunningEngine;

beforeAll(async () => {
  engine = await startEngine({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-engine-')) });
});
afterAll(async () => engine?.close());

interface Attempt {
  opened: boolean;
  closeCode: number | null;
  httpStatus: number | null;
  frames: ServerFrame[];
}

function attempt(options: { token?: string | null; origin?: string; host?: string; send?: object }): Promise<Attempt> {
  const token = options.token === undefined ? engine.token : options.token;
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const headers: Record<string, string> = {};
  if (options.origin) headers.Origin = options.origin;
  if (options.host) headers.Host = options.host;
  const ws = new WebSocket(`ws://127.0.0.1:${engine.port}/api${query}`, { headers });
  const result: Attempt = { opened: false, closeCode: null, httpStatus: null, frames: [] };
  return new Promise((resolve) => {
    // Closed by the client once the answer is in (or by the engine, refusing): not after a fixed
    // time, which a busy machine can outlast before the answer is read. No answer and no close in
    // 60 s: the client closes, and the test sees no frames and no refusal code.
    let giveUp: NodeJS.Timeout | undefined;
    ws.on('open', () => {
      result.opened = true;
      ws.send(JSON.stringify(options.send ?? { type: 'request', id: 1, method: 'sessions.list', params: {} }));
      giveUp = setTimeout(() => ws.close(), WAIT_DEADLINE_MS);
    });
    ws.on('message', (data) => {
      result.frames.push(JSON.parse(data.toString()) as ServerFrame);
      if (result.frames.some((f) => f.type === 'response')) ws.close();
    });
    ws.on('unexpected-response', (_req, res) => {
      result.httpStatus = res.statusCode ?? null;
      resolve(result);
    });
    ws.on('close', (code) => {
      clearTimeout(giveUp);
      result.closeCode = code;
      resolve(result);
    });
    ws.on('error', () => undefined);
  });
}

function httpGet(pathname: string, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: engine.port, path: pathname, headers: host ? { Host: host } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

describe('engine API access', () => {
  it('answers a call that carries the token', async () => {
    const a = await attempt({});
    const response = a.frames.find((f): f is ResponseFrame => f.type === 'response');
    expect(response).toMatchObject({ id: 1, ok: true });
    expect(Array.isArray((response as { result: unknown }).result)).toBe(true);
  });

  it('refuses a call without the token: closed with 4401, no answer', async () => {
    const a = await attempt({ token: null });
    expect(a.closeCode).toBe(4401);
    expect(a.frames).toEqual([]);
  });

  it('refuses a call with a wrong token', async () => {
    const a = await attempt({ token: 'x'.repeat(43) });
    expect(a.closeCode).toBe(4401);
    expect(a.frames).toEqual([]);
  });

  it('refuses a foreign Origin even with the token', async () => {
    const a = await attempt({ origin: 'http://evil.example' });
    expect(a.httpStatus).toBe(403);
    expect(a.opened).toBe(false);
  });

  it('refuses a foreign Host (DNS rebinding) even with the token', async () => {
    const a = await attempt({ host: `rebind.example:${engine.port}` });
    expect(a.httpStatus).toBe(403);
    expect(a.opened).toBe(false);
  });

  it('accepts its own origin under both loopback names', async () => {
    for (const origin of [`http://127.0.0.1:${engine.port}`, `http://localhost:${engine.port}`]) {
      const a = await attempt({ origin });
      expect(a.frames.some((f) => f.type === 'response' && f.ok)).toBe(true);
    }
  });

  it('serves pages only to its own Host', async () => {
    expect(await httpGet('/')).not.toBe(403);
    expect(await httpGet('/', `attacker.example:${engine.port}`)).toBe(403);
  });

  it('answers a plain GET of the API path with 426, not with the app page', async () => {
    expect(await httpGet('/api')).toBe(426);
  });

  it('answers bad frames with one clear error and keeps the connection', async () => {
    const a = await attempt({ send: { type: 'request', id: 7, method: 'sessions.get', params: { id: 'seven' } } });
    expect(a.frames[0]).toMatchObject({ id: 7, ok: false, error: { code: 'BAD_INPUT' } });
    const unknown = await attempt({ send: { type: 'request', id: 8, method: 'format.disk', params: {} } });
    expect(unknown.frames[0]).toMatchObject({ id: 8, ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('says which session does not exist', async () => {
    const a = await attempt({ send: { type: 'request', id: 9, method: 'sessions.get', params: { id: 999999 } } });
    expect(a.frames[0]).toMatchObject({ id: 9, ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('refuses to listen anywhere but loopback', async () => {
    await expect(startEngine({ dataDir: os.tmpdir(), host: '0.0.0.0' })).rejects.toThrow(/only listens on loopback/);
  });
});
