// A test's view of the engine's WebSocket API: connect with the token, call methods, collect events.
import WebSocket from 'ws';
import type { EventFrame, ResponseFrame, ServerFrame } from '../../src-main/api/methods';
import type { RunningEngine } from '../../src-main/host/engine';

export interface ApiConnection {
  /** Every event received so far, oldest first. */
  events: EventFrame[];
  call(method: string, params: object): Promise<ResponseFrame>;
  /** Calls and returns the result, failing with the engine's error code and message otherwise. */
  result<T>(method: string, params: object): Promise<T>;
  /** Resolves with the first event (already received or still to come) that matches. */
  waitForEvent(predicate: (frame: EventFrame) => boolean): Promise<EventFrame>;
  close(): void;
}

export async function connectApi(engine: RunningEngine): Promise<ApiConnection> {
  const ws = new WebSocket(`ws://127.0.0.1:${engine.port}/api?token=${encodeURIComponent(engine.token)}`);
  const events: EventFrame[] = [];
  const waiters: { predicate: (frame: EventFrame) => boolean; resolve: (frame: EventFrame) => void }[] = [];
  const pending = new Map<number, (frame: ResponseFrame) => void>();
  let nextId = 1;
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as ServerFrame;
    if (frame.type === 'response') {
      pending.get(frame.id)?.(frame);
      pending.delete(frame.id);
      return;
    }
    for (const event of frame.type === 'events' ? frame.events : [frame]) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const call = (method: string, params: object) =>
    new Promise<ResponseFrame>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ type: 'request', id, method, params }));
    });
  return {
    events,
    call,
    async result<T>(method: string, params: object): Promise<T> {
      const frame = await call(method, params);
      if (!frame.ok) throw new Error(`${method}: ${frame.error.code} ${frame.error.message}`);
      return frame.result as T;
    },
    waitForEvent(predicate) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close: () => ws.close(),
  };
}
