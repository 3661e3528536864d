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
  // 2: the certificate workshop (issue 3). Private keys are PKCS#8 DER, sealed with AES-256-GCM
  // under the workbench passphrase when one is set ('sealed'), else kept as they are ('plain').
  `
  CREATE TABLE pki_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spki_sha256 TEXT NOT NULL UNIQUE,
    summary TEXT NOT NULL,
    protection TEXT NOT NULL CHECK (protection IN ('plain', 'sealed')),
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE pki_certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind TEXT NOT NULL CHECK (kind IN ('ca', 'server', 'client', 'imported', 'forged')),
    der BLOB NOT NULL,
    fingerprint_sha256 TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    issuer_id INTEGER REFERENCES pki_certificates(id) ON DELETE CASCADE,
    key_id INTEGER REFERENCES pki_keys(id),
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX pki_certificates_issuer ON pki_certificates(issuer_id);

  CREATE TABLE pki_cas (
    certificate_id INTEGER PRIMARY KEY REFERENCES pki_certificates(id) ON DELETE CASCADE,
    path_length INTEGER,
    name_constraints_json TEXT
  );

  CREATE TABLE pki_csrs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    der BLOB NOT NULL,
    subject TEXT NOT NULL,
    key_id INTEGER REFERENCES pki_keys(id),
    created_at INTEGER NOT NULL
  );

  -- One row: the workbench passphrase's scrypt salt and parameters, and a verifier sealed under it.
  CREATE TABLE pki_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    kdf_json TEXT NOT NULL,
    verifier BLOB NOT NULL
  );
  `,
  // 3: exchange (issue 7). A session's own name and its tags, for finding it again.
  `
  ALTER TABLE sessions ADD COLUMN name TEXT;
  CREATE TABLE session_tags (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    tag TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (session_id, tag)
  );
  CREATE INDEX session_tags_tag ON session_tags(tag);
  `,
  // 4: recording speed. A busy connection's bytes live in an append-only file per connection
  // (recordings/<connection id>.bin next to the database); its chunk rows keep where, with an
  // empty data BLOB. Rows without an offset still hold their bytes inline.
  `
  ALTER TABLE chunks ADD COLUMN file_offset INTEGER;
  ALTER TABLE chunks ADD COLUMN file_length INTEGER;
  `,
  // 5: recording speed again. What a connection records between two flushes (chunks, events,
  // key-log lines, certificates) is one row: a segment, encoded by store/connectionLog.ts. The
  // four tables above stay for what older versions recorded and are read before the segments.
  `
  CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    data BLOB NOT NULL
  );
  CREATE INDEX segments_connection ON segments(connection_id);
  `,
  // 6: which process records a session, so that a second process opening the data folder (a CLI
  // command while the window's engine runs) does not take another's running sessions for ones a
  // killed engine left behind. Rows from older versions have none: they are judged as before.
  `
  ALTER TABLE sessions ADD COLUMN owner_pid INTEGER;
  `,
  // 7: imports know what they already hold. Each imported session keeps the content identity of
  // what it was imported from (store/importIdentity.ts), so importing the same bundle or capture
  // again names the session it became instead of copying it. Deleting the session forgets it.
  `
  CREATE TABLE session_imports (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    content_id TEXT NOT NULL,
    imported_at INTEGER NOT NULL
  );
  CREATE INDEX session_imports_content ON session_imports(content_id);
  `,
  // 8: deletions are told to other processes. A session deleted by a CLI command leaves a row
  // here, which an open window's engine reads to take it off its list (Workbench.watchOtherWriters).
  // Only the newest thousand are kept.
  `
  CREATE TABLE session_deletions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL
  );
  CREATE TRIGGER sessions_deleted AFTER DELETE ON sessions BEGIN
    INSERT INTO session_deletions (session_id) VALUES (old.id);
    DELETE FROM session_deletions WHERE seq <= last_insert_rowid() - 1000;
  END;
  `,
  // 9: an imported session says where it came from: the file's base name, whether it was a bundle
  // or a capture, for a bundle the workbench that wrote it and when, for a capture where its key
  // log came from ('inside' the pcapng, a 'separate' file, or 'none'). Rows of older imports have
  // NULLs here and say only when they were imported.
  `
  ALTER TABLE session_imports ADD COLUMN file_name TEXT;
  ALTER TABLE session_imports ADD COLUMN kind TEXT;
  ALTER TABLE session_imports ADD COLUMN made_by TEXT;
  ALTER TABLE session_imports ADD COLUMN made_at INTEGER;
  ALTER TABLE session_imports ADD COLUMN key_log TEXT;
  ALTER TABLE session_imports ADD COLUMN key_log_file TEXT;
  `,
];
