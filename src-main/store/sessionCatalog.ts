// Finding sessions again: a name of the user's choosing, tags, search over what was negotiated,
// and deletion (connections, bytes, keys and certificates go with the session).
import type { SessionKind, SessionStatus } from '../api/types';
import type { Db } from './database';

export interface SessionQuery {
  /** Matches the target, the address, the SNI and the name (substring, any case). */
  host?: string;
  /** "TLSv1.3", "1.3", "TLS 1.2" ... */
  version?: string;
  /** A substring of the OpenSSL or IANA cipher name. */
  cipher?: string;
  /** 'ok', 'failed' or 'running'. */
  outcome?: SessionStatus;
  kind?: SessionKind;
  /** All of these tags. */
  tags?: string[];
  /** Anything: name, target, SNI, cipher, tags. */
  text?: string;
  limit?: number;
}

export interface CatalogEntry {
  id: number;
  name: string | null;
  tags: string[];
}

function like(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** "1.3", "tls1.3", "TLS 1.3" all mean "TLSv1.3" as Node names it. */
export function normalVersion(value: string): string {
  const m = /^(?:tls\s*v?\s*)?(1(?:\.[0-3])?)$/i.exec(value.trim());
  return m ? `TLSv${m[1]}` : value.trim();
}

export class SessionCatalog {
  constructor(private readonly db: Db) {}

  exists(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM sessions WHERE id = ?').get(id) !== undefined;
  }

  status(id: number): SessionStatus | null {
    const row = this.db.prepare('SELECT status FROM sessions WHERE id = ?').get(id) as { status: SessionStatus } | undefined;
    return row?.status ?? null;
  }

  entry(id: number): CatalogEntry {
    const row = this.db.prepare('SELECT name FROM sessions WHERE id = ?').get(id) as { name: string | null } | undefined;
    return { id, name: row?.name ?? null, tags: this.tags(id) };
  }

  tags(id: number): string[] {
    return (this.db.prepare('SELECT tag FROM session_tags WHERE session_id = ? ORDER BY tag').all(id) as { tag: string }[]).map((r) => r.tag);
  }

  rename(id: number, name: string | null): void {
    this.db.prepare('UPDATE sessions SET name = ? WHERE id = ?').run(name, id);
  }

  tag(id: number, add: readonly string[], remove: readonly string[]): void {
    this.db.transaction(() => {
      for (const t of remove) this.db.prepare('DELETE FROM session_tags WHERE session_id = ? AND tag = ?').run(id, t);
      for (const t of add) this.db.prepare('INSERT OR IGNORE INTO session_tags (session_id, tag) VALUES (?, ?)').run(id, t);
    })();
  }

  /** Deletes a session and everything recorded under it; false when there was none. */
  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id).changes > 0;
  }

  /** Ids of matching sessions, newest first. */
  search(query: SessionQuery): number[] {
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.host) {
      where.push(`(s.target LIKE ? ESCAPE '\\' OR s.address LIKE ? ESCAPE '\\' OR s.sni LIKE ? ESCAPE '\\')`);
      values.push(like(query.host), like(query.host), like(query.host));
    }
    if (query.version) {
      where.push('s.version = ? COLLATE NOCASE');
      values.push(normalVersion(query.version));
    }
    if (query.cipher) {
      where.push(`s.cipher_json LIKE ? ESCAPE '\\'`);
      values.push(like(query.cipher));
    }
    if (query.outcome) {
      where.push('s.status = ?');
      values.push(query.outcome);
    }
    if (query.kind) {
      where.push('s.kind = ?');
      values.push(query.kind);
    }
    for (const tag of query.tags ?? []) {
      where.push('EXISTS (SELECT 1 FROM session_tags t WHERE t.session_id = s.id AND t.tag = ?)');
      values.push(tag);
    }
    if (query.text) {
      const l = like(query.text);
      where.push(
        `(s.name LIKE ? ESCAPE '\\' OR s.target LIKE ? ESCAPE '\\' OR s.sni LIKE ? ESCAPE '\\' OR s.cipher_json LIKE ? ESCAPE '\\'
          OR s.version LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM session_tags t WHERE t.session_id = s.id AND t.tag LIKE ? ESCAPE '\\'))`,
      );
      values.push(l, l, l, l, l, l);
    }
    const sql = `SELECT s.id FROM sessions s ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY s.started_at DESC, s.id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...values, query.limit ?? 500) as { id: number }[]).map((r) => r.id);
  }
}
