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
import { RECORDINGS_FOLDER, StoreError, type Db } from './database';
import { certificatesOf, decodeSegment, emptyLog, SegmentError, type ConnectionLog, type StoredChunk } from './connectionLog';

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

/** One flush of the recorder, as the writer thread stores it in one transaction. */
export interface StoredBatch {
  /** New sessions and connections (their updates in this batch go into the same insert), then updates. */
  sessions: NewSessionRow[];
  connections: NewConnectionRow[];
  sessionUpdates: Map<number, SessionFields>;
  connectionUpdates: Map<number, ConnectionFields>;
  /** What each connection recorded since the last flush, encoded by connectionLog.ts. */
  segments: { connectionId: number; data: Uint8Array }[];
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

const DIRECTION_NAME: Direction[] = ['client-to-server', 'server-to-client'];

/**
 * Where a busy connection's bytes go: an append-only file per connection in the data folder's
 * recordings/ folder, its segments keeping each chunk's offset and length. SQLite wrote BLOBs at
 * about 140 MB/s and, with WAL, every byte twice; a file append is one write to the page cache.
 * Chunks of connections that never see a large read (handshakes) stay inline in their segments.
 */
export { RECORDINGS_FOLDER };

/** How far apart in time two sessions may start and still record the two ends of one connection. */
const OTHER_END_WINDOW_MS = 60_000;
/** A chunk this large moves its connection's bytes to the connection's file from then on. */
export const FILE_CHUNK_BYTES = 8 * 1024;

export function recordingsFolder(db: Db): string | null {
  return db.memory ? null : path.join(path.dirname(db.name), RECORDINGS_FOLDER);
}

export function recordingFile(folder: string, connectionId: number): string {
  return path.join(folder, `${connectionId}.bin`);
}

/** Statements prepared once per database and kept: preparing costs more than running a small query. */
const prepared = new WeakMap<Db, Map<string, Statement>>();

export function statement(db: Db, text: string): Statement {
  let byText = prepared.get(db);
  if (!byText) prepared.set(db, (byText = new Map()));
  let found = byText.get(text);
  if (!found) byText.set(text, (found = db.prepare(text)));
  return found;
}

interface LegacyChunkRow {
  seq: number;
  direction: number;
  t: number;
  data: Buffer;
  file_offset: number | null;
  file_length: number | null;
}

/**
 * Everything recorded under one connection, each kind in order: rows of the layout before
 * segments (databases from before migration 5) first, then its segments. Chunks whose bytes are
 * in the connection's recording file get them from there.
 */
export function readConnectionLog(db: Db, connectionId: number, options: { fileBytes?: boolean } = {}): ConnectionLog {
  const log = emptyLog();
  const legacy = statement(db, 'SELECT seq, direction, t, data, file_offset, file_length FROM chunks WHERE connection_id = ? ORDER BY seq').all(connectionId) as LegacyChunkRow[];
  for (const r of legacy) {
    const file = r.file_offset === null ? null : { offset: r.file_offset, length: r.file_length ?? 0 };
    log.chunks.push({ seq: r.seq, direction: DIRECTION_NAME[r.direction], t: r.t, data: r.data, file });
  }
  const events = statement(db, 'SELECT t, kind, data_json FROM events WHERE connection_id = ? ORDER BY id').all(connectionId) as { t: number; kind: string; data_json: string }[];
  for (const r of events) log.events.push({ t: r.t, kind: r.kind, data: JSON.parse(r.data_json) as Record<string, unknown> });
  log.keylog.push(...(statement(db, 'SELECT t, line FROM keylog WHERE connection_id = ? ORDER BY id').all(connectionId) as { t: number; line: string }[]));
  log.certificates.push(
    ...(statement(db, 'SELECT role, position, der FROM certificates WHERE connection_id = ? ORDER BY id').all(connectionId) as ConnectionLog['certificates']),
  );
  const segments = statement(db, 'SELECT data FROM segments WHERE connection_id = ? ORDER BY id').pluck().all(connectionId) as Buffer[];
  try {
    for (const segment of segments) decodeSegment(segment, log);
  } catch (err) {
    if (err instanceof SegmentError) throw new StoreError(`the recording of connection ${connectionId} is damaged: ${err.message}`, 'RECORDING_DAMAGED');
    throw err;
  }
  if (legacy.length > 0 && segments.length > 0) log.chunks.sort((a, b) => a.seq - b.seq);
  if (options.fileBytes !== false) readFileBytes(db, connectionId, log);
  return log;
}

/**
 * Fills in the bytes of chunks kept in the connection's recording file. A file that is missing or
 * shorter than its rows say (deleted, cut, restored from an older copy) costs only the bytes it
 * no longer has: in each direction the chunks from the first one not there on are left out (the
 * bytes after a gap would not parse), and a note in the connection's timeline says what is
 * missing and what to do. Everything else recorded (events, key log, certificates, inline bytes
 * before the gap) stays readable.
 */
function readFileBytes(db: Db, connectionId: number, log: ConnectionLog): void {
  const chunks = log.chunks;
  if (!chunks.some((c) => c.file !== null)) return;
  const folder = recordingsFolder(db);
  const name = folder ? recordingFile(folder, connectionId) : `${RECORDINGS_FOLDER}/${connectionId}.bin`;
  let file: Buffer;
  let problem: string | null = null;
  try {
    file = fs.readFileSync(name);
  } catch (err) {
    file = Buffer.alloc(0);
    const code = (err as NodeJS.ErrnoException).code;
    problem = code === 'ENOENT' ? `its recording file ${name} is missing` : `its recording file ${name} could not be read (${(err as Error).message})`;
  }
  const cut = new Set<Direction>();
  let firstMissing: StoredChunk | null = null;
  let missingBytes = 0;
  const kept: StoredChunk[] = [];
  for (const c of chunks) {
    if (c.file && !cut.has(c.direction) && c.file.offset + c.file.length <= file.length) {
      c.data = file.subarray(c.file.offset, c.file.offset + c.file.length);
    } else if (c.file || cut.has(c.direction)) {
      cut.add(c.direction);
      firstMissing ??= c;
      missingBytes += c.file?.length ?? c.data.length;
      continue;
    }
    kept.push(c);
  }
  if (!firstMissing) return;
  log.chunks = kept;
  problem ??= `its recording file ${name} is shorter than its rows say (${file.length} bytes, not ${chunks.reduce((end, c) => (c.file ? Math.max(end, c.file.offset + c.file.length) : end), 0)})`;
  log.events.push({
    t: firstMissing.t,
    kind: 'note',
    data: {
      text:
        `recorded bytes missing: ${problem}, so ${missingBytes} bytes (${[...cut].join(' and ')}) from here on cannot be shown; ` +
        `what came before, the key log and the certificates are intact. Put the file back from a copy of the data folder (recordings/ must stay next to workbench.sqlite) to see them`,
      code: 'RECORDING_FILE_MISSING',
    },
  });
  log.events.sort((a, b) => a.t - b.t);
}

/** A connection's chunks in order, with their bytes. */
export function readChunks(db: Db, connectionId: number): { direction: Direction; t: number; data: Uint8Array }[] {
  return readConnectionLog(db, connectionId).chunks.map(({ direction, t, data }) => ({ direction, t, data }));
}

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

const NO_FILE_BYTES = { fileBytes: false };

export class SessionStore {
  private sql(text: string): Statement {
    return statement(this.db, text);
  }

  readonly folder: string | null;

  constructor(private readonly db: Db) {
    this.folder = recordingsFolder(db);
  }

  createSession(session: NewSession): number {
    const result = this
      .sql(
        `INSERT INTO sessions (kind, status, started_at, target, address, sni, request_json, owner_pid)
         VALUES (?, 'running', ?, ?, ?, ?, ?, ${process.pid})`,
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

  /** Inserts a session reserved on the engine thread, with whatever changed before the insert. */
  private insertSession(row: NewSessionRow, changed: SessionFields = {}): void {
    const value = (key: keyof SessionFields, initial: unknown = null) => (key in changed ? changed[key] : initial) ?? null;
    const json = (key: keyof SessionFields) => {
      const v = changed[key];
      return v == null ? null : JSON.stringify(v);
    };
    this
      .sql(
        `INSERT INTO sessions (id, kind, status, started_at, ended_at, target, address, sni, version, cipher_json, alpn,
           verification_json, error_json, request_json, response_json, name, owner_pid)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${process.pid})`,
      )
      .run(
        row.id, row.kind, value('status', 'running'), row.startedAt, value('endedAt'), row.target, value('address', row.address),
        value('sni', row.sni), value('version'), json('cipher'), value('alpn'), json('verification'), json('error'),
        row.request ? JSON.stringify(row.request) : null, json('response'), row.name ?? null,
      );
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

  /**
   * Writes a batch in one transaction. A session or connection created in this batch is inserted
   * with its updates in one statement; a connection's entries are one segment row.
   */
  writeBatch(batch: StoredBatch): void {
    this.db.transaction(() => {
      for (const row of batch.sessions) this.insertSession(row, batch.sessionUpdates.get(row.id));
      const insertConnection = this.sql(
        `INSERT INTO connections (id, session_id, leg, local, remote, opened_at, closed_at, bytes_c2s, bytes_s2c, recorded_c2s, recorded_s2c)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const c of batch.connections) {
        const f = batch.connectionUpdates.get(c.id) ?? {};
        insertConnection.run(
          c.id, c.sessionId, c.leg, f.local ?? null, f.remote ?? null, f.openedAt ?? null, f.closedAt ?? null,
          f.bytesClientToServer ?? 0, f.bytesServerToClient ?? 0, f.recordedClientToServer ?? 0, f.recordedServerToClient ?? 0,
        );
      }
      const newSessions = new Set(batch.sessions.map((r) => r.id));
      for (const [id, fields] of batch.sessionUpdates) if (!newSessions.has(id)) this.updateSession(id, fields);
      const insertSegment = this.sql('INSERT INTO segments (connection_id, data) VALUES (?, ?)');
      for (const segment of batch.segments) insertSegment.run(segment.connectionId, segment.data);
      const newConnections = new Set(batch.connections.map((c) => c.id));
      for (const [id, fields] of batch.connectionUpdates) if (!newConnections.has(id)) this.updateConnection(id, fields);
    })();
  }

  /** The newest sessions, of one kind only when `kind` is given. */
  listSessions(limit = 500, kind?: SessionKind): SessionRow[] {
    const rows = (
      kind
        ? this.sql('SELECT * FROM sessions WHERE kind = ? ORDER BY started_at DESC, id DESC LIMIT ?').all(kind, limit)
        : this.sql('SELECT * FROM sessions ORDER BY started_at DESC, id DESC LIMIT ?').all(limit)
    ) as RawSessionRow[];
    return rows.map(toSessionRow);
  }

  /**
   * The sessions that recorded the other end of one of this session's TCP connections: a
   * connection whose local address is this one's remote and the reverse (the workbench's client
   * and a lab server, the proxy and either), among sessions of another kind started within
   * `windowMs` (ports are reused, so an old session with the same pair is not the other end).
   */
  otherEnds(id: number, windowMs = OTHER_END_WINDOW_MS): SessionRow[] {
    const rows = this.sql(
      `SELECT DISTINCT s2.* FROM sessions s1
         JOIN connections c1 ON c1.session_id = s1.id AND c1.local IS NOT NULL AND c1.remote IS NOT NULL
         JOIN sessions s2 ON s2.started_at BETWEEN s1.started_at - ? AND s1.started_at + ? AND s2.id != s1.id AND s2.kind != s1.kind
         JOIN connections c2 ON c2.session_id = s2.id AND c2.local = c1.remote AND c2.remote = c1.local
       WHERE s1.id = ?
       ORDER BY s2.started_at, s2.id`,
    ).all(windowMs, windowMs, id) as RawSessionRow[];
    return rows.map(toSessionRow);
  }

  getSession(id: number): SessionRow | null {
    const raw = this.sql('SELECT * FROM sessions WHERE id = ?').get(id) as RawSessionRow | undefined;
    return raw ? toSessionRow(raw) : null;
  }

  /**
   * Sessions a previous engine left "running" (it was killed): mark them as interrupted. A session
   * whose recording process is still alive (the window's engine, while this is a CLI command on the
   * same folder) is left alone.
   */
  closeAbandonedSessions(now: number): number {
    const error: ApiErrorInfo = {
      code: 'INTERRUPTED',
      message: 'the engine stopped while this session was running; what was recorded up to then is kept',
    };
    const running = this.sql(`SELECT id, started_at AS startedAt, owner_pid AS ownerPid FROM sessions WHERE status = 'running'`).all() as {
      id: number;
      startedAt: number;
      ownerPid: number | null;
    }[];
    const close = this.sql(`UPDATE sessions SET status = 'failed', ended_at = ?, error_json = ? WHERE id = ? AND status = 'running'`);
    let closed = 0;
    for (const session of running) {
      if (session.ownerPid !== null && session.ownerPid !== process.pid && recordingProcessAlive(session.ownerPid, session.startedAt)) continue;
      closed += close.run(now, JSON.stringify(error), session.id).changes;
    }
    return closed;
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

  /** Everything recorded under one connection; `fileBytes: false` leaves chunks kept in files empty. */
  connectionLog(connectionId: number, options?: { fileBytes?: boolean }): ConnectionLog {
    return readConnectionLog(this.db, connectionId, options);
  }

  getChunks(connectionId: number): { direction: Direction; t: number; data: Uint8Array }[] {
    return readChunks(this.db, connectionId);
  }

  getEvents(connectionId: number): { t: number; kind: string; data: Record<string, unknown> }[] {
    return this.connectionLog(connectionId, NO_FILE_BYTES).events;
  }

  getKeylog(connectionId: number): string[] {
    return this.connectionLog(connectionId, NO_FILE_BYTES).keylog.map((k) => k.line);
  }

  getCertificates(connectionId: number, role: 'peer' | 'local'): Uint8Array[] {
    return certificatesOf(this.connectionLog(connectionId, NO_FILE_BYTES), role);
  }
}

/**
 * Whether the process that began recording a session at `startedAt` still runs: the pid exists,
 * and (where /proc tells) it started before the session did and is a Node.js or Electron process,
 * so that neither a pid reused by a later process nor one that happens to be taken on another
 * machine (a data folder copied from where its engine was killed) keeps a session "running" for ever.
 */
function recordingProcessAlive(pid: number, startedAt: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: gone
  }
  const started = processStartTime(pid);
  if (started !== null && started > startedAt + 1000) return false;
  return couldRecord(pid);
}

/** Whether the process runs Node.js or Electron (the workbench runs in nothing else); true where /proc does not tell. */
function couldRecord(pid: number): boolean {
  let args: string[];
  try {
    args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return true;
  }
  // A kernel thread has no command line; a process may rename itself, but keeps its arguments.
  return /node|electron/i.test(path.basename(args[0] ?? '')) || args.some((a) => /tlslab|tls-lab/i.test(a));
}

/** When a process started (ms since the epoch), from /proc; null where that cannot be read. */
function processStartTime(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const bootTime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(bootTime)) return null;
    return bootTime * 1000 + (ticks / CLOCK_TICKS_PER_SECOND) * 1000;
  } catch {
    return null;
  }
}

/** USER_HZ: Linux reports process times in ticks of 1/100 s. */
const CLOCK_TICKS_PER_SECOND = 100;
