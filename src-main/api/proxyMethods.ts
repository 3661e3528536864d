// The man-in-the-middle proxy's commands and events (issue 5). Types only.
import type { ProxyConfig, ProxyConnectionSummary, ProxyInfo } from './proxyTypes';

export interface ProxyMethods {
  /** Every proxy started since the engine began, running or not. */
  'proxies.list': { params: Record<string, never>; result: ProxyInfo[] };
  /** Start a proxy; one that cannot start fails with a clear error and is not listed. */
  'proxies.start': { params: { config: ProxyConfig }; result: ProxyInfo };
  'proxies.stop': { params: { id: number }; result: ProxyInfo };
  /** Forget a proxy (a running one is stopped first). */
  'proxies.remove': { params: { id: number }; result: ProxyInfo[] };
  /** The last victim connections of every proxy (200 each), oldest first, for a window opened after they ended. */
  'proxies.connections': { params: Record<string, never>; result: ProxyConnectionSummary[] };
}

export interface ProxyEvents {
  /** A proxy started, stopped, failed or changed its counters. */
  'proxy.changed': ProxyInfo;
  /** A victim connection ended (failures included); its session is recorded. */
  'proxy.connection': ProxyConnectionSummary;
}
