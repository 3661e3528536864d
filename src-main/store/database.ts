// Opening the workbench database: one file in the data dir, WAL, foreign keys, migrated.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PROJECT_ROOT } from '../paths';
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

const ELSEWHERE = 'choose another with --data-dir or TLSLAB_HOME';

/** Why the folder `dir` (or, when it does not exist yet, its nearest existing parent) cannot be written in; null when it can. */
function unwritable(dir: string): string | null {
  let at = dir;
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  try {
    if (!fs.statSync(at).isDirectory()) return `${at} is a file, not a folder`;
    fs.accessSync(at, fs.constants.W_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return `${at} is on a read-only file system`;
    if (code === 'EACCES' || code === 'EPERM') return `this user may not write in ${at}`;
    return (err as Error).message;
  }
}

/** The message for a database that could not be opened: what is wrong, and what to do. */
export function openFailure(dataDir: string, file: string, err: Error): string {
  const code = (err as { code?: string }).code ?? '';
  const versions = /NODE_MODULE_VERSION (\d+)[\s\S]*NODE_MODULE_VERSION (\d+)/.exec(err.message);
  if (code === 'ERR_DLOPEN_FAILED' || versions) {
    // better-sqlite3 is native code, built by npm for one Node.js version: another Node (a
    // different one on PATH, TLSLAB_NODE, a package built elsewhere) cannot load it.
    const built = versions ? ` (it was built for Node.js module version ${versions[1]}; this Node.js ${process.version} needs ${versions[2]})` : '';
    const root = PROJECT_ROOT;
    return (
      `the workbench cannot load its SQLite module, better-sqlite3${built}: ${err.message.split('\n')[0]}. ` +
      `Run "npm rebuild better-sqlite3" in ${root} with this Node.js, or run the workbench with the Node.js it was built with (TLSLAB_NODE for the desktop app); nothing in ${dataDir} was touched`
    );
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return (
      `the workbench database ${file} is damaged (${err.message}); nothing in the folder was changed. ` +
      `Keep the folder as it is (its recordings/ too), and ${ELSEWHERE} to go on with a new one; ` +
      `\`sqlite3 workbench.sqlite .recover\` on a copy may save its sessions`
    );
  }
  const why = unwritable(dataDir);
  if (why) {
    return (
      `cannot open the workbench database ${file}: ${why} (the workbench writes in its data folder, also to read it); ` +
      `${why.includes('read-only') ? '' : 'give this user write access, or '}copy the folder somewhere writable and ${ELSEWHERE}`
    );
  }
  return `cannot open the workbench database ${file}: ${err.message}; ${ELSEWHERE}`;
}

export function openDatabase(dataDir: string): Db {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StoreError(`cannot create the data folder ${dataDir}: ${unwritable(dataDir) ?? (err as Error).message}; ${ELSEWHERE}`, 'DATA_DIR_UNUSABLE');
  }
  const file = path.join(dataDir, DATABASE_FILE);
  let db: Db | undefined;
  try {
    const fresh = !fs.existsSync(file);
    // Waits up to 5 s for another process that holds the file (creating or upgrading it) in every
    // step below, rather than refusing the folder as busy (upgrade-data-folder-concurrent.test.ts).
    db = new Database(file, { timeout: 5000 });
    keepPrivate(dataDir, file);
    // Settable only before the first table exists.
    if (fresh) db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (err) {
    db?.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError(openFailure(dataDir, file, err as Error), 'DATABASE_UNUSABLE');
  }
  return db;
}

/** Where recordings go in the data folder (sessionStore.ts). */
export const RECORDINGS_FOLDER = 'recordings';
/** The lab servers' ticket keys (sessions/ticketKeyring.ts). */
export const TICKET_KEYRING_FILE = 'ticket-keys.json';

/**
 * The database holds private keys (sealed only under a workbench passphrase) and every recorded
 * byte: readable by its owner alone, as key files are (mode 0600). SQLite gives its -wal and -shm
 * files the database file's mode. Files an older workbench made readable to others are tightened,
 * and so are the recordings folder and the ticket keys of a folder copied with loose modes (an
 * archive unpacked as another user, say). The data folder itself is left as it is: it may be one
 * the user chose for other things too.
 */
function keepPrivate(dataDir: string, file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, path.join(dataDir, RECORDINGS_FOLDER), path.join(dataDir, TICKET_KEYRING_FILE)]) {
    try {
      const mode = fs.statSync(f).mode & 0o777;
      if (mode & 0o077) fs.chmodSync(f, mode & 0o700);
    } catch {
      // Missing (-wal before the first write) or not ours to change: nothing to tighten.
    }
  }
}

export function migrate(db: Db): void {
  const tooNew = (version: number): StoreError =>
    new StoreError(
      `this database was written by a newer workbench (schema ${version}, this one knows ${MIGRATIONS.length}); update the workbench or use another --data-dir`,
      'SCHEMA_TOO_NEW',
    );
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) throw tooNew(current);
  if (current === MIGRATIONS.length) return;
  // Another process may be upgrading the same folder at this moment (the window's engine and a
  // tlslab command, both started after an update): each step takes the write lock first (BEGIN
  // IMMEDIATE, waiting as the busy timeout allows) and reads the version again under it, so a step the
  // other process applied meanwhile is not applied twice ("table already exists").
  const step = db.transaction((): boolean => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) throw tooNew(version);
    if (version === MIGRATIONS.length) return false;
    db.exec(MIGRATIONS[version]);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (step.immediate());
}
