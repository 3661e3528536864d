// A test's view of the engine's WebSocket API: connect with the token, call methods, collect events.
import WebSocket from 'ws';
import type { EventFrame, ResponseFrame, ServerFrame } from '../../src-main/api/methods';
import type { RunningEngine } from '../../src-main/host/engine';
import { WAIT_DEADLINE_MS } from './waitUntil';

export interface ApiConnection {
  /** Every event received so far, oldest first. */
  events: EventFrame[];
  call(method: string, params: object): Promise<ResponseFrame>;
  /** Calls and returns the result, failing with the engine's error code and message otherwise. */
  result<T>(method: string, params: object): Promise<T>;
  /**
   * Resolves with the first event (already received or still to come) that matches; fails after
   * `timeoutMs` (60 s unless told) naming `what` and the events that did come.
   */
  waitForEvent(predicate: (frame: EventFrame) => boolean, what?: string, timeoutMs?: number): Promise<EventFrame>;
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
    waitForEvent(predicate, what = 'the event the test waits for', timeoutMs = WAIT_DEADLINE_MS) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      const waiting = new Promise<EventFrame>((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (frame: EventFrame) => {
            clearTimeout(timer);
            resolve(frame);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          const names = [...new Set(events.map((e) => e.event))].join(', ') || 'none';
          reject(new Error(`waited ${Math.round(timeoutMs / 1000)} s for ${what} from the engine, and it never came (events received: ${names})`));
        }, timeoutMs);
        waiters.push(waiter);
      });
      // A test that fails before it awaits this has its own error; the expiry must not add another.
      waiting.catch(() => undefined);
      return waiting;
    },
    close: () => ws.close(),
  };
}
