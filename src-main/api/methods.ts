// The engine's commands and events, and the frames that carry them over the WebSocket.
import type {
  AboutInfo,
  ApiErrorInfo,
  ClientSessionRequest,
  HostEntry,
  SessionDetail,
  SessionSummary,
} from './types';
import type { DecryptMethods } from './decryptMethods';
import type { ExchangeEvents, ExchangeMethods } from './exchangeMethods';
import type { PkiEvents, PkiMethods } from './pkiMethods';
import type { ProxyEvents, ProxyMethods } from './proxyMethods';
import type { RecordMethods } from './recordMethods';
import type { ReplayEvents, ReplayMethods } from './replayMethods';
import type { ServerEvents, ServerMethods } from './serverMethods';

/** The foundation's commands: the engine, client sessions, the session list and the host table. */
export interface CoreMethods {
  'engine.about': { params: Record<string, never>; result: AboutInfo };
  'client.run': { params: ClientSessionRequest; result: SessionDetail };
  'sessions.list': { params: { limit?: number }; result: SessionSummary[] };
  'sessions.get': { params: { id: number }; result: SessionDetail };
  /** The sessions that recorded the other end of this one's connections (client, lab server, proxy). */
  'sessions.otherEnds': { params: { id: number }; result: SessionSummary[] };
  'hosts.list': { params: Record<string, never>; result: HostEntry[] };
  'hosts.set': { params: HostEntry; result: HostEntry[] };
  'hosts.remove': { params: { name: string }; result: HostEntry[] };
}

/** Every command: its parameters and its result. Each domain declares its own in its own file. */
export interface ApiMethods extends CoreMethods, PkiMethods, ServerMethods, ProxyMethods, DecryptMethods, RecordMethods, ExchangeMethods, ReplayMethods {}

export type ApiMethodName = keyof ApiMethods;
export type ApiParams<M extends ApiMethodName> = ApiMethods[M]['params'];
export type ApiResult<M extends ApiMethodName> = ApiMethods[M]['result'];

export interface CoreEvents {
  'session.created': SessionSummary;
  'session.updated': SessionSummary;
  'hosts.changed': HostEntry[];
}

/** Everything the engine pushes without being asked. */
export interface ApiEvents extends CoreEvents, PkiEvents, ServerEvents, ProxyEvents, ExchangeEvents, ReplayEvents {}

export type ApiEventName = keyof ApiEvents;

export interface RequestFrame<M extends ApiMethodName = ApiMethodName> {
  type: 'request';
  id: number;
  method: M;
  params: ApiParams<M>;
}

export type ResponseFrame =
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: ApiErrorInfo };

export interface EventFrame<E extends ApiEventName = ApiEventName> {
  type: 'event';
  event: E;
  data: ApiEvents[E];
}

/** Several events in one frame, oldest first (the engine batches what a busy server reports). */
export interface EventsFrame {
  type: 'events';
  events: EventFrame[];
}

export type ServerFrame = ResponseFrame | EventFrame | EventsFrame;

/** The WebSocket endpoint; the token travels as the `token` query parameter. */
export const API_SOCKET_PATH = '/api';
