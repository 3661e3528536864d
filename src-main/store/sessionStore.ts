// Rows in and out of the session tables. No TLS knowledge here: bytes, times and JSON.
import type {
  ApiErrorInfo,
  ApplicationResponse,
  CipherInfo,
  ClientSessionRequest,
  ConnectionLeg,
  Direction,
  SessionKind,
  SessionStatus,
  SessionSummary,
  VerificationResult,
} from '../api/types';
import fs from 'node:fs';
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import { StoreError, type Db } from './database';

export interface SessionFields {
  status?: SessionStatus;
  endedAt?: number | null;
  address?: string | null;
  sni?: string | null;
  version?: string | null;
  cipher?: CipherInfo | null;
  alpn?: string | null;
  verification?: VerificationResult | null;
  error?: ApiErrorInfo | null;
  response?: ApplicationResponse | null;
}

export interface NewSession {
  kind: SessionKind;
  target: string;
  startedAt: number;
  address?: string | null;
  sni?: string | null;
  request?: ClientSessionRequest | null;
  /** The session's name and tags from the start (a replay names and tags what it records). */
  name?: string | null;
  tags?: readonly string[];
}

/** A session row the writer thread inserts, with an id reserved on the main thread. */
export interface NewSessionRow extends NewSession {
  id: number;
}

export interface NewConnectionRow {
  id: number;
  sessionId: number;
  leg: ConnectionLeg;
}

export interface ConnectionFields {
  local?: string | null;
  remote?: string | null;
  openedAt?: number | null;
  closedAt?: number | null;
  bytesClientToServer?: number;
  bytesServerToClient?: number;
  recordedClientToServer?: number;
  recordedServerToClient?: number;
}

export interface ChunkRow {
  connectionId: number;
  seq: number;
  direction: Direction;
  t: number;
  data: Uint8Array;
  /** Where the bytes already are in the connection's recording file (then `data` is empty). */
  inFile?: { offset: number; length: number };
}

export interface EventRow {
  connectionId: number;
  t: number;
  kind: string;
  data: Record<string, unknown>;
}

export interface KeylogRow {
  connectionId: number;
  t: number;
  line: string;
}

export interface CertificateRow {
  connectionId: number;
  role: 'peer' | 'local';
  position: number;
  der: Uint8Array;
}

/** Everything a recorder accumulated since its last flush; written in one transaction. */
export interface RecordingBatch {
  /** New sessions and connections first, then updates, then what was recorded under them. */
  sessions: NewSessionRow[];
  connections: NewConnectionRow[];
  sessionUpdates: Map<number, SessionFields>;
  chunks: ChunkRow[];
  events: EventRow[];
  keylog: KeylogRow[];
  certificates: CertificateRow[];
  connectionUpdates: Map<number, ConnectionFields>;
}

export interface SessionRow extends SessionSummary {
  request: ClientSessionRequest | null;
  response: ApplicationResponse | null;
}

export interface ConnectionRow {
  id: number;
  sessionId: number;
  leg: ConnectionLeg;
  local: string | null;
  remote: string | null;
  openedAt: number | null;
  closedAt: number | null;
  bytesClientToServer: number;
  bytesServerToClient: number;
  recordedClientToServer: number;
  recordedServerToClient: number;
}

const DIRECTION_CODE: Record<Direction, number> = { 'client-to-server': 0, 'server-to-client': 1 };
const DIRECTION_NAME: Direction[] = ['client-to-server', 'server-to-client'];

/**
 * Where a busy connection's bytes go: an append-only file per connection in the data folder's
 * recordings/ folder, the chunk rows keeping offset and length. SQLite wrote BLOBs at about
 * 140 MB/s and, with WAL, every byte twice; a file append is one write to the page cache.
 * Chunks of connections that never see a large read (handshakes) stay inline as BLOBs.
 */
export const RECORDINGS_FOLDER = 'recordings';
/** A chunk this large moves its connection's bytes to the connection's file from then on. */
export const FILE_CHUNK_BYTES = 8 * 1024;
/** Files kept open by the writer at once; the oldest is closed past this. */
const OPEN_FILES = 128;
const EMPTY = Buffer.alloc(0);

export function recordingsFolder(db: Db): string | null {
  return db.memory ? null : path.join(path.dirname(db.name), RECORDINGS_FOLDER);
}

/** What is left of `parts` after a vectored write took its first `written` bytes. */
export function unwritten(parts: Uint8Array[], written: number): Uint8Array[] {
  let skip = written;
  const rest: Uint8Array[] = [];
  for (const part of parts) {
    if (skip >= part.length) skip -= part.length;
    else {
      rest.push(skip > 0 ? part.subarray(skip) : part);
      skip = 0;
    }
  }
  return rest;
}

export function recordingFile(folder: string, connectionId: number): string {
  return path.join(folder, `${connectionId}.bin`);
}

interface RawChunkRow {
  direction: number;
  t: number;
  data: Buffer;
  file_offset: number | null;
  file_length: number | null;
}

/** A connection's chunks in order, their bytes from the row or from the connection's file. */
export function readChunks(db: Db, statement: Statement, connectionId: number): { direction: Direction; t: number; data: Uint8Array }[] {
  const rows = statement.all(connectionId) as RawChunkRow[];
  let file: Buffer | null = null;
  if (rows.some((r) => r.file_offset !== null)) {
    const folder = recordingsFolder(db);
    const name = folder ? recordingFile(folder, connectionId) : `${RECORDINGS_FOLDER}/${connectionId}.bin`;
    try {
      file = fs.readFileSync(name);
    } catch (err) {
      throw new StoreError(
        `the recorded bytes of connection ${connectionId} are missing (${name}: ${(err as Error).message}); the recordings folder must stay next to workbench.sqlite`,
        'RECORDING_FILE_MISSING',
      );
    }
  }
  return rows.map((r) => {
    let data: Uint8Array = r.data;
    if (r.file_offset !== null) {
      const end = r.file_offset + (r.file_length ?? 0);
      if (!file || end > file.length) {
        throw new StoreError(`the recording file of connection ${connectionId} is shorter than its rows say (${file?.length ?? 0} < ${end} bytes)`, 'RECORDING_FILE_SHORT');
      }
      data = file.subarray(r.file_offset, end);
    }
    return { direction: DIRECTION_NAME[r.direction], t: r.t, data };
  });
}

export const CHUNKS_SQL = 'SELECT direction, t, data, file_offset, file_length FROM chunks WHERE connection_id = ? ORDER BY seq';

/**
 * A file with no connection row is only removed once it has been left alone this long: an engine
 * (this one or another sharing the folder) writes a busy connection's bytes before its rows.
 */
const SWEEP_AFTER_MS = 10 * 60_000;

/** Deletes recording files whose connection is gone (its session was deleted). */
export function sweepRecordingFiles(db: Db, now = Date.now()): number {
  const folder = recordingsFolder(db);
  if (!folder || !fs.existsSync(folder)) return 0;
  const exists = db.prepare('SELECT 1 FROM connections WHERE id = ?').pluck();
  let removed = 0;
  for (const name of fs.readdirSync(folder)) {
    const m = /^(\d+)\.bin$/.exec(name);
    if (!m || exists.get(Number(m[1]))) continue;
    const file = path.join(folder, name);
    try {
      if (now - fs.statSync(file).mtimeMs < SWEEP_AFTER_MS) continue;
    } catch {
      continue;
    }
    fs.rmSync(file, { force: true });
    removed++;
  }
  return removed;
}

const SESSION_COLUMNS: Record<keyof SessionFields, string> = {
  status: 'status',
  endedAt: 'ended_at',
  address: 'address',
  sni: 'sni',
  version: 'version',
  cipher: 'cipher_json',
  alpn: 'alpn',
  verification: 'verification_json',
  error: 'error_json',
  response: 'response_json',
};
const JSON_SESSION_FIELDS = new Set<keyof SessionFields>(['cipher', 'verification', 'error', 'response']);

const CONNECTION_COLUMNS: Record<keyof ConnectionFields, string> = {
  local: 'local',
  remote: 'remote',
  openedAt: 'opened_at',
  closedAt: 'closed_at',
  bytesClientToServer: 'bytes_c2s',
  bytesServerToClient: 'bytes_s2c',
  recordedClientToServer: 'recorded_c2s',
  recordedServerToClient: 'recorded_s2c',
};

/** A sessions row as SQLite returns it. */
export interface RawSessionRow {
  id: number;
  kind: SessionKind;
  status: SessionStatus;
  started_at: number;
  ended_at: number | null;
  target: string;
  address: string | null;
  sni: string | null;
  version: string | null;
  cipher_json: string | null;
  alpn: string | null;
  verification_json: string | null;
  error_json: string | null;
  request_json: string | null;
  response_json: string | null;
}

export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function toSessionRow(raw: RawSessionRow): SessionRow {
  return {
    id: raw.id,
    kind: raw.kind,
    status: raw.status,
    startedAt: raw.started_at,
    endedAt: raw.ended_at,
    target: raw.target,
    address: raw.address,
    sni: raw.sni,
    version: raw.version,
    cipher: parseJson<CipherInfo>(raw.cipher_json),
    alpn: raw.alpn,
    verification: parseJson<VerificationResult>(raw.verification_json),
    error: parseJson<ApiErrorInfo>(raw.error_json),
    request: parseJson<ClientSessionRequest>(raw.request_json),
    response: parseJson<ApplicationResponse>(raw.response_json),
  };
}

export function toSummary(row: SessionRow): SessionSummary {
  const { request: _request, response: _response, ...summary } = row;
  return summary;
}

export class SessionStore {
  private readonly insertChunk;
  private readonly insertEvent;
  private readonly insertKeylog;
  private readonly insertCertificate;

  /** Statements prepared once and kept: preparing costs more than running a small insert. */
  private readonly statements = new Map<string, Statement>();

  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** The writer's open recording files, by connection id (insertion order = age). */
  private readonly files = new Map<number, { fd: number; size: number }>();
  readonly folder: string | null;

  constructor(private readonly db: Db) {
    this.folder = recordingsFolder(db);
    this.insertChunk = db.prepare(
      'INSERT INTO chunks (connection_id, seq, direction, t, data, file_offset, file_length) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertEvent = db.prepare('INSERT INTO events (connection_id, t, kind, data_json) VALUES (?, ?, ?, ?)');
    this.insertKeylog = db.prepare('INSERT INTO keylog (connection_id, t, line) VALUES (?, ?, ?)');
    this.insertCertificate = db.prepare(
      'INSERT INTO certificates (connection_id, role, position, der) VALUES (?, ?, ?, ?)',
    );
  }

  createSession(session: NewSession): number {
    const result = this
      .sql(
        `INSERT INTO sessions (kind, status, started_at, target, address, sni, request_json)
         VALUES (?, 'running', ?, ?, ?, ?, ?)`,
      )
      .run(
        session.kind,
        session.startedAt,
        session.target,
        session.address ?? null,
        session.sni ?? null,
        session.request ? JSON.stringify(session.request) : null,
      );
    return Number(result.lastInsertRowid);
  }

  /**
   * Reserves `count` ids of an AUTOINCREMENT table and returns the first. Rows can then be
   * inserted later with those ids (by the writer thread) while other processes sharing the data
   * folder (the CLI beside the GUI) keep getting ids above the block.
   */
  reserveIds(table: 'sessions' | 'connections', count: number): number {
    return this.db.transaction(() => {
      this.sql(`INSERT INTO sqlite_sequence (name, seq) SELECT ?, 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)`).run(table, table);
      const last = this
        .sql(`UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(id), 0) FROM ${table})) + ? WHERE name = ? RETURNING seq`)
        .pluck()
        .get(count, table) as number;
      return last - count + 1;
    }).immediate();
  }

  private insertSession(row: NewSessionRow): void {
    this
      .sql(
        `INSERT INTO sessions (id, kind, status, started_at, target, address, sni, request_json, name)
         VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
      )
      .run(row.id, row.kind, row.startedAt, row.target, row.address ?? null, row.sni ?? null, row.request ? JSON.stringify(row.request) : null, row.name ?? null);
    for (const tag of row.tags ?? []) this.sql('INSERT OR IGNORE INTO session_tags (session_id, tag) VALUES (?, ?)').run(row.id, tag);
  }

  updateSession(id: number, fields: SessionFields): void {
    const keys = Object.keys(fields) as (keyof SessionFields)[];
    if (keys.length === 0) return;
    const assignments = keys.map((k) => `${SESSION_COLUMNS[k]} = ?`).join(', ');
    const values = keys.map((k) => {
      const value = fields[k];
      if (JSON_SESSION_FIELDS.has(k)) return value == null ? null : JSON.stringify(value);
      return value ?? null;
    });
    this.sql(`UPDATE sessions SET ${assignments} WHERE id = ?`).run(...values, id);
  }

  createConnection(sessionId: number, leg: ConnectionLeg): number {
    const result = this.sql('INSERT INTO connections (session_id, leg) VALUES (?, ?)').run(sessionId, leg);
    return Number(result.lastInsertRowid);
  }

  private updateConnection(id: number, fields: ConnectionFields): void {
    const keys = Object.keys(fields) as (keyof ConnectionFields)[];
    if (keys.length === 0) return;
    const assignments = keys.map((k) => `${CONNECTION_COLUMNS[k]} = ?`).join(', ');
    this.sql(`UPDATE connections SET ${assignments} WHERE id = ?`).run(...keys.map((k) => fields[k] ?? null), id);
  }

  private openFile(connectionId: number): { fd: number; size: number } {
    let file = this.files.get(connectionId);
    if (file) return file;
    fs.mkdirSync(this.folder!, { recursive: true, mode: 0o700 });
    const fd = fs.openSync(recordingFile(this.folder!, connectionId), 'a', 0o600);
    // Bytes a crashed writer appended without committing their rows stay, unreferenced.
    file = { fd, size: fs.fstatSync(fd).size };
    this.files.set(connectionId, file);
    if (this.files.size > OPEN_FILES) this.closeFile(this.files.keys().next().value as number);
    return file;
  }

  private closeFile(connectionId: number): void {
    const file = this.files.get(connectionId);
    if (!file) return;
    this.files.delete(connectionId);
    fs.closeSync(file.fd);
  }

  /** Closes the writer's recording files (the rows say where everything is). */
  closeFiles(): void {
    for (const id of [...this.files.keys()]) this.closeFile(id);
  }

  /**
   * Writes a batch: large chunks' bytes are appended to their connection's file first, then all
   * rows go in one transaction. A crash between the two leaves unreferenced bytes at a file's
   * end, never a row pointing at bytes that are not there.
   */
  writeBatch(batch: RecordingBatch): void {
    const places: ({ offset: number; length: number } | null)[] = new Array(batch.chunks.length).fill(null);
    if (this.folder) {
      const pending = new Map<number, { parts: Uint8Array[]; indexes: number[] }>();
      batch.chunks.forEach((c, i) => {
        if (c.inFile) {
          places[i] = c.inFile;
          return;
        }
        if (c.data.length < FILE_CHUNK_BYTES && !this.files.has(c.connectionId) && !pending.has(c.connectionId)) return;
        let p = pending.get(c.connectionId);
        if (!p) pending.set(c.connectionId, (p = { parts: [], indexes: [] }));
        p.parts.push(c.data);
        p.indexes.push(i);
      });
      for (const [connectionId, p] of pending) {
        const file = this.openFile(connectionId);
        const start = file.size;
        let offset = start;
        p.parts.forEach((data, k) => {
          places[p.indexes[k]] = { offset, length: data.length };
          offset += data.length;
        });
        let written = 0;
        // writev may write less than asked: go on from where it stopped.
        let parts = p.parts;
        while (parts.length > 0) {
          const n = fs.writevSync(file.fd, parts);
          written += n;
          parts = unwritten(parts, n);
        }
        file.size = start + written;
      }
    }
    this.db.transaction(() => {
      for (const row of batch.sessions) this.insertSession(row);
      for (const c of batch.connections) this.sql('INSERT INTO connections (id, session_id, leg) VALUES (?, ?, ?)').run(c.id, c.sessionId, c.leg);
      for (const [id, fields] of batch.sessionUpdates) this.updateSession(id, fields);
      batch.chunks.forEach((c, i) => {
        const place = places[i];
        if (place) this.insertChunk.run(c.connectionId, c.seq, DIRECTION_CODE[c.direction], c.t, EMPTY, place.offset, place.length);
        else this.insertChunk.run(c.connectionId, c.seq, DIRECTION_CODE[c.direction], c.t, c.data, null, null);
      });
      for (const e of batch.events) this.insertEvent.run(e.connectionId, e.t, e.kind, JSON.stringify(e.data));
      for (const k of batch.keylog) this.insertKeylog.run(k.connectionId, k.t, k.line);
      for (const c of batch.certificates) this.insertCertificate.run(c.connectionId, c.role, c.position, c.der);
      for (const [id, fields] of batch.connectionUpdates) this.updateConnection(id, fields);
    })();
    // A closed connection gets no more bytes: let its file go.
    for (const [id, fields] of batch.connectionUpdates) if (fields.closedAt != null) this.closeFile(id);
  }

  listSessions(limit = 500): SessionRow[] {
    const rows = this
      .sql('SELECT * FROM sessions ORDER BY started_at DESC, id DESC LIMIT ?')
      .all(limit) as RawSessionRow[];
    return rows.map(toSessionRow);
  }

  getSession(id: number): SessionRow | null {
    const raw = this.sql('SELECT * FROM sessions WHERE id = ?').get(id) as RawSessionRow | undefined;
    return raw ? toSessionRow(raw) : null;
  }

  /** Sessions a previous engine left "running" (it was killed): mark them as interrupted. */
  closeAbandonedSessions(now: number): number {
    const error: ApiErrorInfo = {
      code: 'INTERRUPTED',
      message: 'the engine stopped while this session was running; what was recorded up to then is kept',
    };
    return this
      .sql(`UPDATE sessions SET status = 'failed', ended_at = ?, error_json = ? WHERE status = 'running'`)
      .run(now, JSON.stringify(error)).changes;
  }

  getConnections(sessionId: number): ConnectionRow[] {
    return (
      this
        .sql(
          `SELECT id, session_id AS sessionId, leg, local, remote, opened_at AS openedAt, closed_at AS closedAt,
                  bytes_c2s AS bytesClientToServer, bytes_s2c AS bytesServerToClient,
                  recorded_c2s AS recordedClientToServer, recorded_s2c AS recordedServerToClient
           FROM connections WHERE session_id = ? ORDER BY id`,
        )
        .all(sessionId) as ConnectionRow[]
    );
  }

  getChunks(connectionId: number): { direction: Direction; t: number; data: Uint8Array }[] {
    return readChunks(this.db, this.sql(CHUNKS_SQL), connectionId);
  }

  getEvents(connectionId: number): { t: number; kind: string; data: Record<string, unknown> }[] {
    const rows = this
      .sql('SELECT t, kind, data_json FROM events WHERE connection_id = ? ORDER BY id')
      .all(connectionId) as { t: number; kind: string; data_json: string }[];
    return rows.map((r) => ({ t: r.t, kind: r.kind, data: JSON.parse(r.data_json) as Record<string, unknown> }));
  }

  getKeylog(connectionId: number): string[] {
    return (
      this.sql('SELECT line FROM keylog WHERE connection_id = ? ORDER BY id').all(connectionId) as {
        line: string;
      }[]
    ).map((r) => r.line);
  }

  getCertificates(connectionId: number, role: 'peer' | 'local'): Uint8Array[] {
    return (
      this
        .sql('SELECT der FROM certificates WHERE connection_id = ? AND role = ? ORDER BY position')
        .all(connectionId, role) as { der: Buffer }[]
    ).map((r) => r.der);
  }
}
