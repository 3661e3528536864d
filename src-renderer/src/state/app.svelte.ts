// The app's shared live state: connection, route, sessions list and host table.
import { EngineClient, engineUrls, type EngineConnectionState } from '../api/client';
import type { HostEntry, SessionDetail, SessionSummary } from '../api/contract';
import { parseRoute, routeHash, type Route } from '../lib/route';
import { mergeSession, sortSessions } from '../lib/sessions';
import { sortHosts } from '../lib/hosts';
import { keepCatalog } from '../lib/sessions-catalog';
import { resolveAccessToken } from './access-token';

export type AppConnection = EngineConnectionState | { kind: 'no-token' };

export const app = $state({
  connection: { kind: 'connecting' } as AppConnection,
  route: { name: 'new-client' } as Route,
  sessions: [] as SessionSummary[],
  sessionsLoaded: false,
  sessionsError: null as string | null,
  hosts: [] as HostEntry[],
  hostsLoaded: false,
  /** Sessions deleted while this window was open (here or elsewhere): their pages say so. */
  deletedIds: [] as number[],
});

/** Details fetched or just run, so opening a session does not wait for the engine twice. */
const detailCache = new Map<number, SessionDetail>();

let client: EngineClient | null = null;

export function engine(): EngineClient {
  if (!client) throw new Error('The engine client is not started yet.');
  return client;
}

export function navigate(route: Route): void {
  const hash = routeHash(route);
  if (location.hash !== hash) location.hash = hash;
  else app.route = route;
}

export function cachedDetail(id: number): SessionDetail | undefined {
  return detailCache.get(id);
}

export function rememberDetail(detail: SessionDetail): void {
  if (app.deletedIds.includes(detail.id)) return; // an answer that crossed the deletion
  detailCache.set(detail.id, detail);
  app.sessions = mergeSession(app.sessions, keepCatalog(app.sessions, detail));
}

export async function refreshSessions(): Promise<void> {
  try {
    // The catalog's search with no criteria: the newest sessions, with their names and tags.
    app.sessions = sortSessions(await engine().call('sessions.search', { limit: 500 }));
    app.sessionsError = null;
  } catch (error) {
    app.sessionsError = error instanceof Error ? error.message : String(error);
  } finally {
    app.sessionsLoaded = true;
  }
}

export async function refreshHosts(): Promise<void> {
  try {
    app.hosts = sortHosts(await engine().call('hosts.list', {}));
  } finally {
    app.hostsLoaded = true;
  }
}

export function startApp(): void {
  // The token comes out of the hash first, so the router never sees it.
  const token = resolveAccessToken();
  app.route = parseRoute(location.hash);
  window.addEventListener('hashchange', () => {
    app.route = parseRoute(location.hash);
  });

  if (token === null) {
    app.connection = { kind: 'no-token' };
    return;
  }
  client = new EngineClient(engineUrls(location.host, token));
  client.on('session.created', (summary) => {
    app.sessions = mergeSession(app.sessions, summary);
  });
  client.on('session.updated', (summary) => {
    detailCache.delete(summary.id);
    app.sessions = mergeSession(app.sessions, keepCatalog(app.sessions, summary));
  });
  client.on('session.deleted', ({ id }) => {
    detailCache.delete(id);
    app.sessions = app.sessions.filter((s) => s.id !== id);
    if (!app.deletedIds.includes(id)) app.deletedIds = [...app.deletedIds, id];
  });
  client.on('hosts.changed', (hosts) => {
    app.hosts = sortHosts(hosts);
  });
  client.onState((state) => {
    app.connection = state;
    // Events missed while disconnected are not replayed, so reload the lists on every (re)open.
    if (state.kind === 'open') {
      void refreshSessions();
      void refreshHosts().catch(() => undefined);
    }
  });
  client.start();
}
