// The store: migrations, a database from a newer workbench, and the page size recording needs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../src-main/store/database';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { HostTable } from '../../src-main/store/hostTable';
import { SessionStore, sweepRecordingFiles } from '../../src-main/store/sessionStore';

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
    // An internationalised name is kept as clients send it (IDNA ASCII), and found either way.
    expect(hosts.set({ name: 'Bücher.example', address: '127.0.0.1' })).toEqual([{ name: 'xn--bcher-kva.example', address: '127.0.0.1' }]);
    expect(hosts.lookup('bücher.example')).toBe('127.0.0.1');
    expect(hosts.lookup('xn--bcher-kva.example')).toBe('127.0.0.1');
    expect(hosts.remove('bücher.example')).toEqual([]);
    db.close();
  });
});

describe('session ids reserved in blocks', () => {
  it('keeps ids handed out in a block away from another process inserting meanwhile', () => {
    const dir = tempDir();
    const engine = new SessionStore(openDatabase(dir));
    const block = engine.reserveIds('sessions', 4);
    // Another process (the CLI beside the GUI) records a session the ordinary way.
    const other = new SessionStore(openDatabase(dir));
    const cliSession = other.createSession({ kind: 'client', target: 'a:443', startedAt: 1 });
    expect(cliSession).toBeGreaterThan(block + 3);
    // The engine's writer then inserts its rows with the reserved ids.
    engine.writeBatch({
      sessions: [{ id: block, kind: 'server', target: '127.0.0.1:4433', startedAt: 2, tags: ['lab'] }],
      connections: [{ id: engine.reserveIds('connections', 1), sessionId: block, leg: 'server' }],
      sessionUpdates: new Map([[block, { status: 'ok' as const }]]),
      connectionUpdates: new Map(),
      segments: [],
    });
    expect(other.getSession(block)?.status).toBe('ok');
    expect(other.getConnections(block)).toHaveLength(1);
    expect(engine.reserveIds('sessions', 1)).toBeGreaterThan(cliSession);
  });
});

describe('recording files without rows', () => {
  it('are removed only once they have been left alone for a while (a busy connection writes bytes before rows)', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const folder = path.join(dir, 'recordings');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, '41.bin'), 'bytes of a deleted session');
    fs.writeFileSync(path.join(folder, '42.bin'), 'bytes whose rows are on their way');
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(folder, '41.bin'), old, old);
    expect(sweepRecordingFiles(db)).toBe(1);
    expect(fs.readdirSync(folder)).toEqual(['42.bin']);
    db.close();
  });
});
