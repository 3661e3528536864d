// Errors a person can meet: a stable code and one sentence that says what happened, why and
// what to try. Anything else that escapes is a bug and is reported as INTERNAL.
import type { ApiErrorInfo } from './api/types';

export class WorkbenchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkbenchError';
  }

  toInfo(): ApiErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/**
 * SQLite's own errors (better-sqlite3's SqliteError) in words that say what to do: its codes and
 * texts are the database's ("database is locked", "UNIQUE constraint failed: ..."). Those a person
 * can meet (another process writing, a full disk, a read-only or damaged file) get a code of ours;
 * the rest are bugs.
 */
function sqliteErrorInfo(code: string, message: string): ApiErrorInfo | null {
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return { code: 'DATA_FOLDER_BUSY', message: 'the workbench database is busy: another workbench or tlslab command is writing to the same data folder; try again in a moment' };
  }
  if (code === 'SQLITE_FULL') {
    return { code: 'DISK_FULL', message: "the disk under the data folder is full; free some space and try again (what is already recorded is kept)" };
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return { code: 'DATA_FOLDER_READ_ONLY', message: 'the workbench database cannot be written (a read-only file or folder); give this user write access to the data folder, or use another one (--data-dir)' };
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return { code: 'DISK_ERROR', message: `the disk under the data folder failed a read or write (${message}); check the disk, then try again` };
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return { code: 'DATABASE_DAMAGED', message: 'the workbench database is damaged; keep the data folder as it is and use another one (--data-dir) to go on; `sqlite3 workbench.sqlite .recover` on a copy may save its sessions' };
  }
  return null;
}

export function toErrorInfo(err: unknown): ApiErrorInfo {
  if (err instanceof WorkbenchError) return err.toInfo();
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' && 'message' in err) {
    // Typed errors of other modules (store, pki) carry a code and a student-ready message.
    const known = err as { code: string; message: string; name?: string };
    if (known.name === 'SqliteError') {
      const plain = sqliteErrorInfo(known.code, known.message);
      if (plain) return plain;
    } else if (known.name && known.name !== 'Error' && known.name !== 'SystemError') {
      return { code: known.code, message: known.message };
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: `unexpected engine error: ${message} (this is a bug; the session data is kept)` };
}
