// The app's shared live state: connection, route, sessions list and host table.
import { EngineClient, engineUrls, type EngineConnectionState } from '../api/client';
import type { HostEntry, SessionDetail, SessionSummary } from '../api/contract';
import { parseRoute, routeHash, type Route } from '../lib/route';
import { live } from '../lib/batched';
import { applySessionChanges, mergeSession, sortSessions, type SessionChange } from '../lib/sessions';
import { sortHosts } from '../lib/hosts';
import { keepCatalog, SEARCH_LIMIT, withCatalogOf } from '../lib/sessions-catalog';
import { resolveAccessToken } from './access-token';

export type AppConnection = EngineConnectionState | { kind: 'no-token' };

class AppState {
  connection = $state<AppConnection>({ kind: 'connecting' });
  route = $state<Route>({ name: 'new-client' });
  /**
   * Newest first. Always replaced whole, never edited in place, so it is raw state: reading a
   * session's fields costs no proxy (a server under load has it re-read several times a second).
   */
  sessions = $state.raw<SessionSummary[]>([]);
  sessionsLoaded = $state(false);
  sessionsError = $state<string | null>(null);
  hosts = $state<HostEntry[]>([]);
  hostsLoaded = $state(false);
  /** Sessions deleted while this window was open (here or elsewhere): their pages say so. */
  deletedIds = $state<number[]>([]);
  /** What the screen reader is told now (a polite live region in App): a run's start and its verdict. */
  announcement = $state('');
  /** The session a run from the client form just opened: its page takes the keyboard focus once. */
  arrivedFromRun = $state<number | null>(null);
}

export const app = new AppState();

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

/**
 * Says `text` through the live region. The same words twice in a row are still read: the region is
 * emptied first and filled on the next frame.
 */
export function announce(text: string): void {
  app.announcement = '';
  requestAnimationFrame(() => {
    app.announcement = text;
  });
}

export function cachedDetail(id: number): SessionDetail | undefined {
  return detailCache.get(id);
}

export function rememberDetail(detail: SessionDetail): void {
  if (app.deletedIds.includes(detail.id)) return; // an answer that crossed the deletion
  detailCache.set(detail.id, detail);
  // Events queued before this answer go first, so an older one cannot land after it.
  live.flush();
  app.sessions = mergeSession(app.sessions, keepCatalog(app.sessions, detail));
}

const sessionListeners = new Set<(changes: SessionChange[]) => void>();

/**
 * The session events, a batch at a time (batched.ts says why): the sidebar's list (the newest
 * SEARCH_LIMIT, like a refresh) is updated first, then every listener gets the same batch.
 */
const sessionChanges = live.queue<SessionChange>((changes) => {
  app.sessions = applySessionChanges(app.sessions, changes, withCatalogOf, SEARCH_LIMIT);
  for (const listener of sessionListeners) listener(changes);
});

/** Calls `listener` with each batch of session changes; returns the function that stops it. */
export function onSessionChanges(listener: (changes: SessionChange[]) => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

/**
 * The newest sessions as an unfiltered search of the catalog just found them: the sidebar takes
 * them too. Sessions the CLI records in the same data folder reach no engine event, so the
 * Sessions page counted 50 while the sidebar still said 31.
 */
export function adoptSessionList(found: readonly SessionSummary[]): void {
  live.flush();
  app.sessions = sortSessions(found.filter((s) => !app.deletedIds.includes(s.id)));
  app.sessionsError = null;
  app.sessionsLoaded = true;
}

export async function refreshSessions(): Promise<void> {
  try {
    // The catalog's search with no criteria: the newest sessions, with their names and tags.
    const found = await engine().call('sessions.search', { limit: SEARCH_LIMIT });
    live.flush();
    app.sessions = sortSessions(found);
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
    const next = parseRoute(location.hash);
    // Another page starts at its top: a session opened from the bottom of the client form showed its certificates, not its verdict.
    if (routeHash(next) !== routeHash(app.route)) window.scrollTo({ top: 0 });
    app.route = next;
  });

  if (token === null) {
    app.connection = { kind: 'no-token' };
    return;
  }
  client = new EngineClient(engineUrls(location.host, token));
  client.on('session.created', (summary) => sessionChanges.add({ kind: 'upsert', summary }));
  client.on('session.updated', (summary) => {
    detailCache.delete(summary.id);
    sessionChanges.add({ kind: 'upsert', summary });
  });
  client.on('session.deleted', ({ id }) => {
    detailCache.delete(id);
    if (!app.deletedIds.includes(id)) app.deletedIds = [...app.deletedIds, id];
    // Deletions are rare and usually someone's own action: they show at once, after what came before.
    sessionChanges.add({ kind: 'delete', id });
    live.flush();
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
