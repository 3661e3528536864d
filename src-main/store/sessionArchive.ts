// A whole session in and out of the database in one piece: every row of every connection, bytes
// included. The read is what exports and replays start from; the write is how an import lands,
// in one transaction, so a failed import leaves nothing behind.
import type { Direction } from '../api/types';
import type { RecordedConnection, RecordedSession } from '../export/recordedSession';
import type { Db } from './database';
import { CHUNKS_SQL, type RawSessionRow, parseJson, readChunks } from './sessionStore';

const DIRECTION_CODE: Record<Direction, number> = { 'client-to-server': 0, 'server-to-client': 1 };

/** A sessions row as SQLite returns it, with the catalog's name column. */
type SessionRowRaw = RawSessionRow & { name: string | null };

function text(value: unknown): string | null {
  return value == null ? null : JSON.stringify(value);
}

/** Every row of one session, or null when there is no such session. */
export function readRecordedSession(db: Db, id: number): RecordedSession | null {
  const raw = db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRowRaw | undefined;
  if (!raw) return null;
  const chunkRows = db.prepare(CHUNKS_SQL);
  const tags = (db.prepare('SELECT tag FROM session_tags WHERE session_id = ? ORDER BY tag').all(id) as { tag: string }[]).map((r) => r.tag);
  const connections = (
    db
      .prepare(
        `SELECT id, leg, local, remote, opened_at, closed_at, bytes_c2s, bytes_s2c, recorded_c2s, recorded_s2c
         FROM connections WHERE session_id = ? ORDER BY id`,
      )
      .all(id) as {
      id: number;
      leg: RecordedConnection['leg'];
      local: string | null;
      remote: string | null;
      opened_at: number | null;
      closed_at: number | null;
      bytes_c2s: number;
      bytes_s2c: number;
      recorded_c2s: number;
      recorded_s2c: number;
    }[]
  ).map(
    (c): RecordedConnection => ({
      leg: c.leg,
      local: c.local,
      remote: c.remote,
      openedAt: c.opened_at,
      closedAt: c.closed_at,
      bytesClientToServer: c.bytes_c2s,
      bytesServerToClient: c.bytes_s2c,
      recordedClientToServer: c.recorded_c2s,
      recordedServerToClient: c.recorded_s2c,
      chunks: readChunks(db, chunkRows, c.id),
      events: (
        db.prepare('SELECT t, kind, data_json FROM events WHERE connection_id = ? ORDER BY id').all(c.id) as {
          t: number;
          kind: string;
          data_json: string;
        }[]
      ).map((r) => ({ t: r.t, kind: r.kind, data: JSON.parse(r.data_json) as Record<string, unknown> })),
      keylog: db.prepare('SELECT t, line FROM keylog WHERE connection_id = ? ORDER BY id').all(c.id) as { t: number; line: string }[],
      certificates: (
        db.prepare('SELECT role, position, der FROM certificates WHERE connection_id = ? ORDER BY role, position').all(c.id) as {
          role: 'peer' | 'local';
          position: number;
          der: Buffer;
        }[]
      ).map((r) => ({ role: r.role, position: r.position, der: r.der })),
    }),
  );
  return {
    kind: raw.kind,
    status: raw.status,
    startedAt: raw.started_at,
    endedAt: raw.ended_at,
    target: raw.target,
    address: raw.address,
    sni: raw.sni,
    version: raw.version,
    cipher: parseJson(raw.cipher_json),
    alpn: raw.alpn,
    verification: parseJson(raw.verification_json),
    error: parseJson(raw.error_json),
    request: parseJson(raw.request_json),
    response: parseJson(raw.response_json),
    name: raw.name,
    tags,
    connections,
  };
}

/** Writes a whole session as a new one, in one transaction; returns its id. */
export function insertRecordedSession(db: Db, session: RecordedSession): number {
  const insertSession = db.prepare(
    `INSERT INTO sessions (kind, status, started_at, ended_at, target, address, sni, version, cipher_json, alpn,
       verification_json, error_json, request_json, response_json, name)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertTag = db.prepare('INSERT OR IGNORE INTO session_tags (session_id, tag) VALUES (?, ?)');
  const insertConnection = db.prepare(
    `INSERT INTO connections (session_id, leg, local, remote, opened_at, closed_at, bytes_c2s, bytes_s2c, recorded_c2s, recorded_s2c)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertChunk = db.prepare('INSERT INTO chunks (connection_id, seq, direction, t, data) VALUES (?, ?, ?, ?, ?)');
  const insertEvent = db.prepare('INSERT INTO events (connection_id, t, kind, data_json) VALUES (?, ?, ?, ?)');
  const insertKeylog = db.prepare('INSERT INTO keylog (connection_id, t, line) VALUES (?, ?, ?)');
  const insertCertificate = db.prepare('INSERT INTO certificates (connection_id, role, position, der) VALUES (?, ?, ?, ?)');
  return db.transaction(() => {
    const s = session;
    const id = Number(
      insertSession.run(
        s.kind, s.status, s.startedAt, s.endedAt, s.target, s.address, s.sni, s.version, text(s.cipher), s.alpn,
        text(s.verification), text(s.error), text(s.request), text(s.response), s.name,
      ).lastInsertRowid,
    );
    for (const tag of s.tags) insertTag.run(id, tag);
    for (const c of s.connections) {
      const connectionId = Number(
        insertConnection.run(
          id, c.leg, c.local, c.remote, c.openedAt, c.closedAt,
          c.bytesClientToServer, c.bytesServerToClient, c.recordedClientToServer, c.recordedServerToClient,
        ).lastInsertRowid,
      );
      c.chunks.forEach((chunk, seq) => insertChunk.run(connectionId, seq, DIRECTION_CODE[chunk.direction], chunk.t, chunk.data));
      for (const e of c.events) insertEvent.run(connectionId, e.t, e.kind, JSON.stringify(e.data));
      for (const k of c.keylog) insertKeylog.run(connectionId, k.t, k.line);
      for (const cert of c.certificates) insertCertificate.run(connectionId, cert.role, cert.position, cert.der);
    }
    return id;
  })();
}
