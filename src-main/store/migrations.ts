// Schema history. Each entry moves the database from version i to i + 1 (PRAGMA user_version);
// never edit a released entry, append a new one.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    target TEXT NOT NULL,
    address TEXT,
    sni TEXT,
    version TEXT,
    cipher_json TEXT,
    alpn TEXT,
    verification_json TEXT,
    error_json TEXT,
    request_json TEXT,
    response_json TEXT
  );
  CREATE INDEX sessions_started ON sessions(started_at DESC);

  CREATE TABLE connections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    leg TEXT NOT NULL,
    local TEXT,
    remote TEXT,
    opened_at INTEGER,
    closed_at INTEGER,
    bytes_c2s INTEGER NOT NULL DEFAULT 0,
    bytes_s2c INTEGER NOT NULL DEFAULT 0,
    recorded_c2s INTEGER NOT NULL DEFAULT 0,
    recorded_s2c INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX connections_session ON connections(session_id);

  -- Raw bytes exactly as they crossed the socket, in order; direction 0 = client to server.
  CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    direction INTEGER NOT NULL,
    t REAL NOT NULL,
    data BLOB NOT NULL
  );
  CREATE UNIQUE INDEX chunks_order ON chunks(connection_id, seq);

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    t REAL NOT NULL,
    kind TEXT NOT NULL,
    data_json TEXT NOT NULL
  );
  CREATE INDEX events_connection ON events(connection_id);

  CREATE TABLE keylog (
    id INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    t REAL NOT NULL,
    line TEXT NOT NULL
  );
  CREATE INDEX keylog_connection ON keylog(connection_id);

  CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    position INTEGER NOT NULL,
    der BLOB NOT NULL
  );
  CREATE INDEX certificates_connection ON certificates(connection_id);

  CREATE TABLE hosts (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    address TEXT NOT NULL
  );
  `,
];
