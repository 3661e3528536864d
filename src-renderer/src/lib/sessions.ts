// The live sessions list: newest first, kept current by session.created/updated events.
import type { SessionSummary } from '../api/contract';
import { sessionOutcome } from './outcome';
import { windowText } from './window-text';

export function newestFirst(a: SessionSummary, b: SessionSummary): number {
  return b.startedAt - a.startedAt || b.id - a.id;
}

/** Inserts or replaces a session, keeping the list sorted newest first. */
export function mergeSession(list: readonly SessionSummary[], session: SessionSummary): SessionSummary[] {
  const next = list.filter((s) => s.id !== session.id);
  next.push(session);
  return next.sort(newestFirst);
}

/** One change to a sessions list, as the engine's session events report it. */
export type SessionChange = { kind: 'upsert'; summary: SessionSummary } | { kind: 'delete'; id: number };

/**
 * Applies a batch of changes in order with a single sort, and keeps the newest `limit`. `shape`
 * turns a summary into the list's entry, given the entry it replaces (undefined for a new one).
 */
export function applySessionChanges<T extends SessionSummary>(
  list: readonly T[],
  changes: readonly SessionChange[],
  shape: (summary: SessionSummary, known: T | undefined) => T,
  limit: number,
): T[] {
  const byId = new Map(list.map((s) => [s.id, s]));
  for (const change of changes) {
    if (change.kind === 'delete') byId.delete(change.id);
    else byId.set(change.summary.id, shape(change.summary, byId.get(change.summary.id)));
  }
  return [...byId.values()].sort(newestFirst).slice(0, limit);
}

export function sortSessions(list: readonly SessionSummary[]): SessionSummary[] {
  return [...list].sort(newestFirst);
}

/** The client failures that come after its ClientHello went out (src-main/sessions/connectionErrors.ts). */
const HANDSHAKE_BEGAN = new Set([
  'PEER_ALERT',
  'HANDSHAKE_FAILURE',
  'VERSION_MISMATCH',
  'LEGACY_TLS_REFUSED',
  'CLIENT_CERTIFICATE_REQUIRED',
  'CLIENT_CERTIFICATE_REFUSED',
  'CLOSED_DURING_HANDSHAKE',
  'NOT_TLS',
]);

/**
 * A session's two lines in the sidebar's recent sessions, one pattern for every kind: the target
 * (for a server session the site its client asked for, at the server's address), then who recorded
 * it, its outcome and its TLS version ("client · verified · TLSv1.3", "server · served · TLSv1.3").
 * A client and a server session read alike, so a student compares the two ends at a glance.
 */
export function sessionNavLine(session: SessionSummary): { target: string; detail: string } {
  const outcome = sessionOutcome(session);
  const label = outcome.label.charAt(0).toLowerCase() + outcome.label.slice(1);
  const handshake = session.version
    ?? (session.status === 'running' ? 'handshaking'
      : session.kind === 'client' && !HANDSHAKE_BEGAN.has(session.error?.code ?? '') ? 'no handshake' : 'handshake failed');
  const target = session.kind === 'server' ? `${session.sni ?? 'no SNI'} at ${session.target}` : session.target;
  return { target, detail: [session.kind, label, handshake].join(' · ') };
}

/**
 * The muted line under a session in the Sessions list that says which part the workbench played:
 * a server's or a proxy's connection looked like a client session to the server's address. Empty
 * for a client session.
 */
export function sessionListRole(session: SessionSummary): string {
  if (session.kind === 'server') return session.sni ? `server session: a client asked for ${session.sni}` : 'server session: the client sent no SNI';
  if (session.kind === 'proxy') return 'proxy session: a victim and the real server, through the man in the middle';
  return '';
}

/**
 * The line under it when the session failed or was not verified: why, in the words of its header.
 * A line of its own, so the role above does not use up the lines a long reason has (a proxy
 * session's read "… through the man in the middle · the…" at 1024 pixels).
 */
export function sessionListNote(session: SessionSummary): string {
  const outcome = sessionOutcome(session);
  return outcome.tone === 'fail' || outcome.tone === 'warn' ? outcome.detail : '';
}

/** How far apart in time two recordings of one TCP connection may start (loopback ports come round again). */
const SAME_CONNECTION_MS = 60_000;

/**
 * Sessions that may have recorded the other end of one of `session`'s connections: another kind
 * (the workbench client and a lab server, the proxy and either), started within a minute of it.
 * Nearest in time first. While there are none, the engine is not asked (sessions.otherEnds), and
 * it is asked again when they change.
 */
export function otherEndCandidates(session: SessionSummary, list: readonly SessionSummary[], max = 6): SessionSummary[] {
  return list
    .filter((s) => s.id !== session.id && s.kind !== session.kind && Math.abs(s.startedAt - session.startedAt) <= SAME_CONNECTION_MS)
    .sort((a, b) => Math.abs(a.startedAt - session.startedAt) - Math.abs(b.startedAt - session.startedAt))
    .slice(0, max);
}

/** What the other end was, for "the other end of this connection": "the lab server's session". */
export function otherEndLabel(other: Pick<SessionSummary, 'kind'>): string {
  if (other.kind === 'server') return "the lab server's session";
  if (other.kind === 'proxy') return "the proxy's session";
  return "the workbench client's session";
}

/** Why the proxy refused a victim, in the window's words (the engine's message names command-line flags). */
const PROXY_REFUSALS: Record<string, string> = {
  UPSTREAM_CERT_INVALID:
    "the real server's certificate did not verify on the proxy's side, so the proxy refused this client instead of showing it a forged certificate, as a careful proxy does",
  UPSTREAM_UNREACHABLE: 'the proxy could not reach the real server, so it refused this client',
  UPSTREAM_CLOSED: 'the real server hung up on the proxy during its handshake, so the proxy refused this client',
};

/**
 * Why a client's handshake failed, when the other end decided it and recorded its reason: a
 * client told only "handshake_failure" by the proxy would otherwise read a list of guesses (TLS
 * version, cipher list ...) while the proxy's session says what really happened. Null when this
 * session did not fail on the other end's alert, or no other end recorded a reason.
 */
export function otherEndReason(session: Pick<SessionSummary, 'kind' | 'status' | 'error'>, ends: readonly SessionSummary[]): { end: SessionSummary; text: string } | null {
  if (session.kind !== 'client' || session.status !== 'failed' || session.error?.code !== 'PEER_ALERT') return null;
  const end = ends.find((e) => e.kind === 'proxy' && e.error) ?? ends.find((e) => e.kind === 'server' && e.error);
  if (!end?.error) return null;
  const text = end.kind === 'proxy' ? (PROXY_REFUSALS[end.error.code] ?? end.error.message) : windowText(end.error.message);
  return { end, text };
}
