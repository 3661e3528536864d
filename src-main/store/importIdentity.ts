// What an imported session was imported from: by content, so that a second import of the same
// bundle or capture finds the session the first one made (migration 7), and by name and maker, so
// that the session says where it came from (migration 9). Rows go with their session.
import type { SessionImportOrigin } from '../api/exchangeTypes';
import type { Db } from './database';

/**
 * The session each of a file's sessions already is in the store, by content identity, or null where
 * it is new. A file may hold one content twice (a hand-out of two copies imported with --again, each
 * maybe named for its own exercise): its n-th copy is the n-th session imported with that identity,
 * oldest first, so each copy is its own session and importing the file again copies nothing.
 * Call it before storing any session of the file, or the file would find its own first copy.
 */
export function findImportedSessions(db: Db, contentIds: readonly string[]): (number | null)[] {
  const nth = db.prepare('SELECT session_id AS id FROM session_imports WHERE content_id = ? ORDER BY session_id LIMIT 1 OFFSET ?');
  const seen = new Map<string, number>();
  return contentIds.map((contentId) => {
    const copy = seen.get(contentId) ?? 0;
    seen.set(contentId, copy + 1);
    const row = nth.get(contentId, copy) as { id: number } | undefined;
    return row?.id ?? null;
  });
}

/** What an import knows of its file when it lands; importedAt is the moment it is remembered. */
export type ImportFacts = Omit<SessionImportOrigin, 'importedAt'>;

const MAX_FILE_NAME = 255;

/** A name as the user gave it, without folders, cut to what a file system allows; null when empty. */
function baseName(name: string | null | undefined): string | null {
  const base = name?.split(/[\\/]/).pop()?.trim();
  return base ? base.slice(0, MAX_FILE_NAME) : null;
}

export function rememberImport(db: Db, sessionId: number, contentId: string, facts: ImportFacts | null = null, now = Date.now()): void {
  db.prepare(
    `INSERT OR REPLACE INTO session_imports (session_id, content_id, imported_at, file_name, kind, made_by, made_at, key_log, key_log_file)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    sessionId,
    contentId,
    now,
    baseName(facts?.file),
    facts?.kind ?? null,
    facts?.madeBy?.slice(0, MAX_FILE_NAME) ?? null,
    facts?.madeAt !== undefined && Number.isFinite(facts.madeAt) ? Math.round(facts.madeAt) : null,
    facts?.keyLog ?? null,
    baseName(facts?.keyLogFile),
  );
}

interface ImportRow {
  imported_at: number;
  file_name: string | null;
  kind: string | null;
  made_by: string | null;
  made_at: number | null;
  key_log: string | null;
  key_log_file: string | null;
}

/**
 * Where session `sessionId` was imported from, or null for a session recorded here (and for one
 * imported before migration 7, which left no row: its removable "imported" tag is all there is).
 */
export function importOrigin(db: Db, sessionId: number): SessionImportOrigin | null {
  const row = db
    .prepare('SELECT imported_at, file_name, kind, made_by, made_at, key_log, key_log_file FROM session_imports WHERE session_id = ?')
    .get(sessionId) as ImportRow | undefined;
  if (!row) return null;
  const kind = row.kind === 'bundle' || row.kind === 'capture' ? row.kind : null;
  const origin: SessionImportOrigin = { file: row.file_name, importedAt: row.imported_at, kind };
  if (kind === 'bundle') {
    if (row.made_by) origin.madeBy = row.made_by;
    if (row.made_at !== null) origin.madeAt = row.made_at;
  }
  if (kind === 'capture') {
    origin.keyLog = row.key_log === 'inside' || row.key_log === 'separate' ? row.key_log : 'none';
    if (row.key_log === 'separate' && row.key_log_file) origin.keyLogFile = row.key_log_file;
  }
  return origin;
}
