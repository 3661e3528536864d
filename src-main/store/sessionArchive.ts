// A whole session in and out of the database in one piece: every row of every connection, bytes
// included. The read is what exports and replays start from; the write is how an import lands,
// in one transaction, so a failed import leaves nothing behind.
import type { RecordedConnection, RecordedSession } from '../export/recordedSession';
import type { Db } from './database';
import { SegmentEncoder, type LogEntry } from './connectionLog';
import { type RawSessionRow, parseJson, readConnectionLog } from './sessionStore';

/** An imported connection's entries are split into segments of about this size. */
const SEGMENT_BYTES = 4 * 1024 * 1024;

/** A sessions row as SQLite returns it, with the catalog's name column. */
type SessionRowRaw = RawSessionRow & { name: string | null };

function text(value: unknown): string | null {
  return value == null ? null : JSON.stringify(value);
}

/** What one connection recorded, in the shape of an exported session. */
function recordedEntries(db: Db, connectionId: number): Pick<RecordedConnection, 'chunks' | 'events' | 'keylog' | 'certificates'> {
  const log = readConnectionLog(db, connectionId);
  return {
    chunks: log.chunks.map(({ direction, t, data }) => ({ direction, t, data })),
    events: log.events,
    keylog: log.keylog,
    certificates: log.certificates.sort((a, b) => (a.role === b.role ? a.position - b.position : a.role < b.role ? -1 : 1)),
  };
}

/** Every row of one session, or null when there is no such session. */
export function readRecordedSession(db: Db, id: number): RecordedSession | null {
  const raw = db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRowRaw | undefined;
  if (!raw) return null;
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
      ...recordedEntries(db, c.id),
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
  const insertSegment = db.prepare('INSERT INTO segments (connection_id, data) VALUES (?, ?)');
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
      let segment = new SegmentEncoder();
      const store = () => {
        if (segment.length > 0) insertSegment.run(connectionId, Buffer.from(segment.bytes, 0, segment.length));
        segment = new SegmentEncoder();
      };
      const add = (entry: LogEntry) => {
        segment.entry(entry);
        if (segment.length >= SEGMENT_BYTES) store();
      };
      c.chunks.forEach((chunk, seq) => add({ type: 'chunk', seq, direction: chunk.direction, t: chunk.t, data: chunk.data }));
      for (const e of c.events) add({ type: 'event', ...e });
      for (const k of c.keylog) add({ type: 'keylog', ...k });
      for (const cert of c.certificates) add({ type: 'certificate', ...cert });
      store();
    }
    return id;
  })();
}
