// The renderer's only door to the engine: typed calls and events over one WebSocket.
// It reconnects with backoff when the engine goes away and stops for good when the token is
// refused (close code 4401, or an HTTP 401/403 on the upgrade), so the UI can say which it is.
import {
  API_SOCKET_PATH,
  type ApiErrorInfo,
  type ApiEventName,
  type ApiEvents,
  type ApiMethodName,
  type ApiParams,
  type ApiResult,
  type RequestFrame,
  type EventFrame,
  type ServerFrame,
} from './contract';

/** Close code the engine uses when it refuses the token after accepting the upgrade. */
export const TOKEN_REFUSED_CLOSE_CODE = 4401;

export type EngineConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open'; reconnected: boolean }
  /** The engine does not answer; the client keeps retrying. */
  | { kind: 'engine-gone'; attempt: number; retryInMs: number }
  | { kind: 'token-refused' }
  | { kind: 'closed' };

/** A failed call: the engine's own ApiErrorInfo, or one made here when the link broke. */
export class EngineCallError extends Error implements ApiErrorInfo {
  readonly code: string;
  constructor(info: ApiErrorInfo) {
    super(info.message);
    this.name = 'EngineCallError';
    this.code = info.code;
  }
}

/** The part of the browser's WebSocket the client uses; tests pass a fake. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** What a plain HTTP request to the API endpoint says about a failed WebSocket upgrade. */
export type ProbeVerdict = 'token-refused' | 'unreachable' | 'reachable';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export interface EngineClientOptions {
  /** ws://HOST/api?token=TOKEN */
  socketUrl: string;
  /** http://HOST/api?token=TOKEN, asked over plain HTTP when an upgrade fails without a reason. */
  probeUrl: string;
  openSocket?: (url: string) => SocketLike;
  probe?: (url: string) => Promise<ProbeVerdict>;
  backoff?: BackoffPolicy;
  /** How long a call may wait for its answer, including time spent waiting for a connection. */
  callTimeoutMs?: number;
}

export interface CallOptions {
  timeoutMs?: number;
}

interface PendingCall {
  frame: RequestFrame;
  sent: boolean;
  resolve: (value: unknown) => void;
  reject: (error: EngineCallError) => void;
  timer: ReturnType<typeof setTimeout>;
}

type EventHandler<E extends ApiEventName> = (data: ApiEvents[E]) => void;

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5_000, factor: 2 };
const DEFAULT_CALL_TIMEOUT_MS = 120_000;

export class EngineClient {
  private readonly options: Required<EngineClientOptions>;
  private socket: SocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readonly eventHandlers = new Map<ApiEventName, Set<(data: unknown) => void>>();
  private readonly stateHandlers = new Set<(state: EngineConnectionState) => void>();
  private currentState: EngineConnectionState = { kind: 'connecting' };
  private failedAttempts = 0;
  private everOpened = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(options: EngineClientOptions) {
    this.options = {
      openSocket: defaultOpenSocket,
      probe: defaultProbe,
      backoff: DEFAULT_BACKOFF,
      callTimeoutMs: DEFAULT_CALL_TIMEOUT_MS,
      ...options,
    };
  }

  get state(): EngineConnectionState {
    return this.currentState;
  }

  /** Opens the connection; calls made before it opens wait for it. */
  start(): void {
    this.stopped = false;
    this.connect();
  }

  call<M extends ApiMethodName>(
    method: M,
    params: ApiParams<M>,
    options: CallOptions = {},
  ): Promise<ApiResult<M>> {
    if (this.currentState.kind === 'token-refused') {
      return Promise.reject(tokenRefusedError());
    }
    if (this.stopped) {
      return Promise.reject(new EngineCallError({ code: 'CLIENT_CLOSED', message: 'The workbench window closed its connection to the engine.' }));
    }
    const id = this.nextId++;
    const frame: RequestFrame = { type: 'request', id, method, params };
    return new Promise<ApiResult<M>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.options.callTimeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new EngineCallError({
            code: 'ENGINE_TIMEOUT',
            message: `The engine did not answer "${method}" within ${Math.round(timeoutMs / 1000)} s; check that npm start is still running.`,
          }),
        );
      }, timeoutMs);
      const call: PendingCall = { frame, sent: false, resolve: resolve as (value: unknown) => void, reject, timer };
      this.pending.set(id, call);
      this.trySend(call);
    });
  }

  /** Subscribes to an engine event; returns the unsubscribe function. */
  on<E extends ApiEventName>(event: E, handler: EventHandler<E>): () => void {
    let handlers = this.eventHandlers.get(event);
    if (!handlers) {
      handlers = new Set();
      this.eventHandlers.set(event, handlers);
    }
    const untyped = handler as (data: unknown) => void;
    handlers.add(untyped);
    return () => handlers.delete(untyped);
  }

  /** Subscribes to connection state changes; the handler hears the current state at once. */
  onState(handler: (state: EngineConnectionState) => void): () => void {
    this.stateHandlers.add(handler);
    handler(this.currentState);
    return () => this.stateHandlers.delete(handler);
  }

  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      detach(socket);
      socket.close(1000, 'client closed');
    }
    this.rejectAll(() => new EngineCallError({ code: 'CLIENT_CLOSED', message: 'The workbench window closed its connection to the engine.' }));
    this.setState({ kind: 'closed' });
  }

  private connect(): void {
    if (this.stopped) return;
    this.retryTimer = null;
    if (!this.everOpened && this.failedAttempts === 0) this.setState({ kind: 'connecting' });
    let socket: SocketLike;
    try {
      socket = this.options.openSocket(this.options.socketUrl);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.failedAttempts = 0;
      this.setState({ kind: 'open', reconnected });
      for (const call of this.pending.values()) this.trySend(call);
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onerror = () => {
      // Every error is followed by a close event, which carries what we can know.
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.rejectSent();
      if (event.code === TOKEN_REFUSED_CLOSE_CODE) {
        this.refuseToken();
      } else if (opened) {
        this.scheduleReconnect();
      } else {
        void this.classifyFailedUpgrade();
      }
    };
  }

  /** A browser hides the HTTP status of a refused upgrade, so ask the same URL over plain HTTP. */
  private async classifyFailedUpgrade(): Promise<void> {
    let verdict: ProbeVerdict;
    try {
      verdict = await this.options.probe(this.options.probeUrl);
    } catch {
      verdict = 'unreachable';
    }
    if (this.stopped) return;
    if (verdict === 'token-refused') this.refuseToken();
    else this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const { initialMs, maxMs, factor } = this.options.backoff;
    const retryInMs = Math.min(maxMs, initialMs * factor ** this.failedAttempts);
    this.failedAttempts += 1;
    this.setState({ kind: 'engine-gone', attempt: this.failedAttempts, retryInMs });
    this.retryTimer = setTimeout(() => this.connect(), retryInMs);
  }

  private refuseToken(): void {
    this.stopped = true;
    this.rejectAll(tokenRefusedError);
    this.setState({ kind: 'token-refused' });
  }

  private trySend(call: PendingCall): void {
    if (call.sent || !this.socket || this.currentState.kind !== 'open') return;
    try {
      this.socket.send(JSON.stringify(call.frame));
      call.sent = true;
    } catch {
      // The close event follows and decides what happens to this call.
    }
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'response') {
      const call = this.pending.get(frame.id);
      if (!call) return;
      this.pending.delete(frame.id);
      clearTimeout(call.timer);
      if (frame.ok) call.resolve(frame.result);
      else call.reject(new EngineCallError(frame.error));
    } else if (frame.type === 'event') {
      this.dispatchEvent(frame);
    } else if (frame.type === 'events') {
      for (const event of frame.events) this.dispatchEvent(event);
    }
  }

  private dispatchEvent(frame: EventFrame): void {
    const handlers = this.eventHandlers.get(frame.event);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        handler(frame.data);
      } catch (error) {
        console.error(`handler for ${frame.event} failed`, error);
      }
    }
  }

  /** Calls already on the wire cannot be matched to an answer on a new connection. */
  private rejectSent(): void {
    for (const [id, call] of this.pending) {
      if (!call.sent) continue;
      this.pending.delete(id);
      clearTimeout(call.timer);
      call.reject(
        new EngineCallError({
          code: 'ENGINE_DISCONNECTED',
          message: `The connection to the engine dropped before it answered "${call.frame.method}"; the engine may still have finished it, so look in Sessions.`,
        }),
      );
    }
  }

  private rejectAll(makeError: () => EngineCallError): void {
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(makeError());
    }
    this.pending.clear();
  }

  private setState(state: EngineConnectionState): void {
    this.currentState = state;
    for (const handler of [...this.stateHandlers]) handler(state);
  }
}

function tokenRefusedError(): EngineCallError {
  return new EngineCallError({ code: 'TOKEN_REFUSED', message: TOKEN_REFUSED_MESSAGE });
}

export const TOKEN_REFUSED_MESSAGE =
  "This window's access token is not valid; reopen the workbench from the link printed by npm start.";

function detach(socket: SocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = null;
}

/** The engine's API URLs for a page served by the engine at `host` ("127.0.0.1:PORT"). */
export function engineUrls(host: string, token: string): { socketUrl: string; probeUrl: string } {
  const query = `?token=${encodeURIComponent(token)}`;
  return {
    socketUrl: `ws://${host}${API_SOCKET_PATH}${query}`,
    probeUrl: `http://${host}${API_SOCKET_PATH}${query}`,
  };
}

// The browser globals are reached through globalThis so this module type-checks without DOM types.
interface BrowserGlobals {
  WebSocket: new (url: string) => SocketLike;
  fetch: (url: string, init: { cache: 'no-store'; credentials: 'omit' }) => Promise<{ status: number }>;
}

function defaultOpenSocket(url: string): SocketLike {
  const { WebSocket } = globalThis as unknown as BrowserGlobals;
  return new WebSocket(url);
}

async function defaultProbe(url: string): Promise<ProbeVerdict> {
  const { fetch } = globalThis as unknown as BrowserGlobals;
  try {
    const response = await fetch(url, { cache: 'no-store', credentials: 'omit' });
    return response.status === 401 || response.status === 403 ? 'token-refused' : 'reachable';
  } catch {
    return 'unreachable';
  }
}
