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
import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

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

interface RawSessionRow {
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

function parseJson<T>(text: string | null): T | null {
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

  constructor(private readonly db: Db) {
    this.insertChunk = db.prepare(
      'INSERT INTO chunks (connection_id, seq, direction, t, data) VALUES (?, ?, ?, ?, ?)',
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

  writeBatch(batch: RecordingBatch): void {
    this.db.transaction(() => {
      for (const c of batch.chunks) {
        this.insertChunk.run(c.connectionId, c.seq, DIRECTION_CODE[c.direction], c.t, c.data);
      }
      for (const e of batch.events) this.insertEvent.run(e.connectionId, e.t, e.kind, JSON.stringify(e.data));
      for (const k of batch.keylog) this.insertKeylog.run(k.connectionId, k.t, k.line);
      for (const c of batch.certificates) this.insertCertificate.run(c.connectionId, c.role, c.position, c.der);
      for (const [id, fields] of batch.connectionUpdates) this.updateConnection(id, fields);
    })();
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
    const rows = this
      .sql('SELECT direction, t, data FROM chunks WHERE connection_id = ? ORDER BY seq')
      .all(connectionId) as { direction: number; t: number; data: Buffer }[];
    return rows.map((r) => ({ direction: DIRECTION_NAME[r.direction], t: r.t, data: r.data }));
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
