// The store: migrations, a database from a newer workbench, and the page size recording needs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../src-main/store/database';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { HostTable } from '../../src-main/store/hostTable';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-store-'));

describe('store', () => {
  it('creates a migrated WAL database with small pages in the data folder (recorded bytes live in files)', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('page_size', { simple: true })).toBe(4096);
    db.close();
    expect(fs.existsSync(path.join(dir, DATABASE_FILE))).toBe(true);
  });

  it('keeps what it stored across reopening', () => {
    const dir = tempDir();
    const first = openDatabase(dir);
    new HostTable(first).set({ name: 'WWW.Bank32.com.', address: '127.0.0.1' });
    first.close();
    const again = openDatabase(dir);
    expect(new HostTable(again).lookup('www.bank32.com')).toBe('127.0.0.1');
    again.close();
  });

  it('refuses a database from a newer workbench with a clear message', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    expect(() => openDatabase(dir)).toThrow(/written by a newer workbench.*--data-dir/);
  });

  it('rejects host entries that are not a name and an address', () => {
    const db = openDatabase(tempDir());
    const hosts = new HostTable(db);
    expect(() => hosts.set({ name: 'www.bank32.com', address: 'localhost' })).toThrow(/not an IP address/);
    expect(() => hosts.set({ name: 'bad name', address: '127.0.0.1' })).toThrow(/not a host name/);
    expect(hosts.list()).toEqual([]);
    db.close();
  });
});
