// What an imported session was imported from, by content: lets a second import of the same bundle
// or capture find the session the first one made (migration 7). Rows go with their session.
import type { Db } from './database';

/** The oldest session still in the store that was imported with this content identity, if any. */
export function findImportedSession(db: Db, contentId: string): number | null {
  const row = db
    .prepare('SELECT session_id AS id FROM session_imports WHERE content_id = ? ORDER BY session_id LIMIT 1')
    .get(contentId) as { id: number } | undefined;
  return row?.id ?? null;
}

export function rememberImport(db: Db, sessionId: number, contentId: string, now = Date.now()): void {
  db.prepare('INSERT OR REPLACE INTO session_imports (session_id, content_id, imported_at) VALUES (?, ?, ?)').run(sessionId, contentId, now);
}
