// The TLS servers' commands and events (issue 4). Types only.
import type { RunningElsewhere, ServerConfig, ServerConnectionSummary, ServerInfo } from './serverTypes';

export interface ServerMethods {
  /** Every server started since the engine began, running or not. */
  'servers.list': { params: Record<string, never>; result: ServerInfo[] };
  /** Start a server; a server that cannot start fails with a clear error and is not listed. */
  'servers.start': { params: { config: ServerConfig }; result: ServerInfo };
  'servers.stop': { params: { id: number }; result: ServerInfo };
  /** Stop and start again, with a new configuration if one is given. */
  'servers.restart': { params: { id: number; config?: ServerConfig }; result: ServerInfo };
  /** Forget a stopped server (a running one is stopped first). */
  'servers.remove': { params: { id: number }; result: ServerInfo[] };
  /**
   * Servers, proxies and replay servers started from a terminal (`tlslab server`, ...) on this data
   * folder, oldest first: their connections are recorded here, but only their terminal stops them.
   */
  'servers.elsewhere': { params: Record<string, never>; result: RunningElsewhere[] };
}

export interface ServerEvents {
  /** A server started, stopped, failed or changed its counters. */
  'server.changed': ServerInfo;
  /** A connection to a server ended (handshake failures included); its session is recorded. */
  'server.connection': ServerConnectionSummary;
}
