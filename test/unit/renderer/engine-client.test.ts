import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EngineClient,
  EngineCallError,
  TOKEN_REFUSED_MESSAGE,
  engineUrls,
  type EngineConnectionState,
  type ProbeVerdict,
  type SocketLike,
} from '../../../src-renderer/src/api/client';
import { summary } from './fixtures';

/** A socket the test drives by hand, standing in for the browser's WebSocket. */
class FakeSocket implements SocketLike {
  sent: unknown[] = [];
  closed: { code?: number } | null = null;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closed = { code };
  }
  open(): void {
    this.onopen?.({});
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006): void {
    this.onclose?.({ code, reason: '' });
  }
}

function setup(probeVerdict: ProbeVerdict = 'unreachable') {
  const sockets: FakeSocket[] = [];
  const states: EngineConnectionState[] = [];
  const client = new EngineClient({
    ...engineUrls('127.0.0.1:8123', 'tok en'),
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    probe: async () => probeVerdict,
    backoff: { initialMs: 100, maxMs: 400, factor: 2 },
    callTimeoutMs: 5_000,
  });
  client.onState((s) => states.push(s));
  client.start();
  return { client, sockets, states, last: () => sockets[sockets.length - 1] };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the engine client', () => {
  it('opens ws://HOST/api with the token as a query parameter', () => {
    const { sockets } = setup();
    expect(sockets[0].url).toBe('ws://127.0.0.1:8123/api?token=tok%20en');
    expect(engineUrls('127.0.0.1:8123', 'x').probeUrl).toBe('http://127.0.0.1:8123/api?token=x');
  });

  it('sends typed request frames and resolves with the matching response', async () => {
    const { client, last } = setup();
    last().open();
    const hosts = client.call('hosts.list', {});
    expect(last().sent).toEqual([{ type: 'request', id: 1, method: 'hosts.list', params: {} }]);
    last().receive({ type: 'response', id: 1, ok: true, result: [{ name: 'www.bank32.com', address: '127.0.0.1' }] });
    await expect(hosts).resolves.toEqual([{ name: 'www.bank32.com', address: '127.0.0.1' }]);
  });

  it("rejects with the engine's own error code and message", async () => {
    const { client, last } = setup();
    last().open();
    const run = client.call('sessions.get', { id: 99 });
    last().receive({ type: 'response', id: 1, ok: false, error: { code: 'NOT_FOUND', message: 'there is no session 99' } });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineCallError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'there is no session 99' });
  });

  it('holds calls made before the socket opens and sends them once it does', async () => {
    const { client, last } = setup();
    const about = client.call('engine.about', {});
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toHaveLength(1);
    last().receive({ type: 'response', id: 1, ok: true, result: { engineVersion: '0.1.0' } });
    await expect(about).resolves.toMatchObject({ engineVersion: '0.1.0' });
  });

  it('delivers events to subscribers until they unsubscribe', () => {
    const { client, last } = setup();
    last().open();
    const seen: number[] = [];
    const off = client.on('session.created', (s) => seen.push(s.id));
    last().receive({ type: 'event', event: 'session.created', data: summary({ id: 5 }) });
    off();
    last().receive({ type: 'event', event: 'session.created', data: summary({ id: 6 }) });
    expect(seen).toEqual([5]);
  });

  it('delivers the events of a batched frame one by one, in order', () => {
    const { client, last } = setup();
    last().open();
    const seen: string[] = [];
    client.on('session.created', (s) => seen.push(`created ${s.id}`));
    client.on('session.updated', (s) => seen.push(`updated ${s.id}`));
    last().receive({
      type: 'events',
      events: [
        { type: 'event', event: 'session.created', data: summary({ id: 7 }) },
        { type: 'event', event: 'session.updated', data: summary({ id: 5 }) },
        { type: 'event', event: 'session.created', data: summary({ id: 8 }) },
      ],
    });
    expect(seen).toEqual(['created 7', 'updated 5', 'created 8']);
  });

  it('stops and says the token is refused when the engine closes with 4401', async () => {
    const { client, last, states, sockets } = setup();
    const pending = client.call('hosts.list', {});
    last().drop(4401);
    await expect(pending).rejects.toMatchObject({ code: 'TOKEN_REFUSED', message: TOKEN_REFUSED_MESSAGE });
    expect(states.at(-1)).toEqual({ kind: 'token-refused' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(1);
    await expect(client.call('hosts.list', {})).rejects.toMatchObject({ code: 'TOKEN_REFUSED' });
  });

  it('treats an HTTP 401/403 on a failed upgrade as a refused token', async () => {
    const { last, states } = setup('token-refused');
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ kind: 'token-refused' });
  });

  it('retries with growing delays while the engine is gone, then reconnects', async () => {
    const { client, sockets, states, last } = setup();
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ kind: 'engine-gone', attempt: 1, retryInMs: 100 });
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(2);
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ kind: 'engine-gone', attempt: 2, retryInMs: 200 });
    await vi.advanceTimersByTimeAsync(200);
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    last().drop(1006);
    expect(states.at(-1)).toMatchObject({ retryInMs: 400 });
    await vi.advanceTimersByTimeAsync(400);
    last().open();
    expect(states.at(-1)).toEqual({ kind: 'open', reconnected: false });
    const call = client.call('hosts.list', {});
    last().receive({ type: 'response', id: 1, ok: true, result: [] });
    await expect(call).resolves.toEqual([]);
  });

  it('fails calls in flight when an open connection drops, and says it reconnected', async () => {
    const { client, last, states } = setup();
    last().open();
    const run = client.call('client.run', {
      host: 'www.bank32.com',
      port: 443,
      trust: { kind: 'system' },
      verifyPeer: true,
      checkHostname: true,
      send: { kind: 'none' },
    });
    last().drop(1001);
    await expect(run).rejects.toMatchObject({ code: 'ENGINE_DISCONNECTED' });
    expect(states.at(-1)).toMatchObject({ kind: 'engine-gone', attempt: 1 });
    await vi.advanceTimersByTimeAsync(100);
    last().open();
    expect(states.at(-1)).toEqual({ kind: 'open', reconnected: true });
  });

  it('gives up on a call the engine never answers', async () => {
    const { client, last } = setup();
    last().open();
    const call = client.call('engine.about', {}, { timeoutMs: 1_000 });
    const result = call.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await result).toMatchObject({ code: 'ENGINE_TIMEOUT' });
  });
});
