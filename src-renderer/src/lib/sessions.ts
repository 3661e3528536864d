// The live sessions list: newest first, kept current by session.created/updated events.
import type { SessionSummary } from '../api/contract';

export function newestFirst(a: SessionSummary, b: SessionSummary): number {
  return b.startedAt - a.startedAt || b.id - a.id;
}

/** Inserts or replaces a session, keeping the list sorted newest first. */
export function mergeSession(list: readonly SessionSummary[], session: SessionSummary): SessionSummary[] {
  const next = list.filter((s) => s.id !== session.id);
  next.push(session);
  return next.sort(newestFirst);
}

export function sortSessions(list: readonly SessionSummary[]): SessionSummary[] {
  return [...list].sort(newestFirst);
}

/** "TLSv1.3 · TLS_AES_256_GCM_SHA384" or what is known so far. */
export function sessionSubtitle(session: SessionSummary): string {
  const parts: string[] = [];
  if (session.version) parts.push(session.version);
  else if (session.status === 'failed') parts.push('no handshake');
  if (session.kind !== 'client') parts.push(session.kind);
  return parts.join(' · ');
}
