// Opening the workbench database: one file in the data dir, WAL, foreign keys, migrated.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

export const DATABASE_FILE = 'workbench.sqlite';
/**
 * Recorded bytes of busy connections live in files (sessionStore RECORDINGS_FOLDER), so rows are
 * small: 4 KiB pages keep each small commit (a new session, a status change) a 4 KiB WAL write
 * instead of 64 KiB. Databases created with larger pages keep them.
 */
const PAGE_SIZE = 4096;

export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export function openDatabase(dataDir: string): Db {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StoreError(
      `cannot create the data folder ${dataDir}: ${(err as Error).message}; choose another with --data-dir or TLSLAB_HOME`,
      'DATA_DIR_UNUSABLE',
    );
  }
  const file = path.join(dataDir, DATABASE_FILE);
  let db: Db;
  try {
    const fresh = !fs.existsSync(file);
    db = new Database(file);
    // Settable only before the first table exists.
    if (fresh) db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    throw new StoreError(
      `cannot open the workbench database ${file}: ${(err as Error).message}`,
      'DATABASE_UNUSABLE',
    );
  }
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new StoreError(
      `this database was written by a newer workbench (schema ${current}, this one knows ${MIGRATIONS.length}); update the workbench or use another --data-dir`,
      'SCHEMA_TOO_NEW',
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
