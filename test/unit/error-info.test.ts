// What reaches a person when something fails: SQLite's own errors are said in the workbench's words.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { toErrorInfo } from '../../src-main/errors';

function sqliteError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'SqliteError', code });
}

describe('toErrorInfo', () => {
  it("names SQLite's errors a person can meet in words that say what to do, with a code of the workbench's", () => {
    expect(toErrorInfo(sqliteError('SQLITE_BUSY', 'database is locked'))).toEqual(expect.objectContaining({ code: 'DATA_FOLDER_BUSY', message: expect.stringContaining('try again') }));
    expect(toErrorInfo(sqliteError('SQLITE_FULL', 'database or disk is full')).code).toBe('DISK_FULL');
    expect(toErrorInfo(sqliteError('SQLITE_IOERR_WRITE', 'disk I/O error')).code).toBe('DISK_ERROR');
    expect(toErrorInfo(sqliteError('SQLITE_CORRUPT', 'database disk image is malformed')).code).toBe('DATABASE_DAMAGED');
  });

  it('a real read-only database: DATA_FOLDER_READ_ONLY, not SQLite wording', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-error-info-'));
    const file = path.join(dir, 'x.sqlite');
    new Database(file).exec('CREATE TABLE t (a)').close();
    const db = new Database(file, { readonly: true });
    let caught: unknown;
    try {
      db.exec('INSERT INTO t VALUES (1)');
    } catch (err) {
      caught = err;
    } finally {
      db.close();
    }
    const info = toErrorInfo(caught);
    expect(info.code).toBe('DATA_FOLDER_READ_ONLY');
    expect(info.message).not.toMatch(/attempt to write|SQLITE/);
  });

  it('a constraint SQLite enforces is a bug of ours: INTERNAL, saying so', () => {
    const info = toErrorInfo(sqliteError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: certificates.name'));
    expect(info.code).toBe('INTERNAL');
    expect(info.message).toContain('this is a bug');
  });
});
