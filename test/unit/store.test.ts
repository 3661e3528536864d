// The store: migrations, a database from a newer workbench, and the page size recording needs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../src-main/store/database';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { HostTable } from '../../src-main/store/hostTable';
import { SessionStore, sweepRecordingFiles } from '../../src-main/store/sessionStore';
import { SegmentEncoder } from '../../src-main/store/connectionLog';

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

  it('says what to do with a data folder that is a file, and leaves the file alone', () => {
    const file = path.join(tempDir(), 'not-a-folder');
    fs.writeFileSync(file, 'mine');
    expect(() => openDatabase(file)).toThrow(/not-a-folder is a file, not a folder; choose another with --data-dir/);
    expect(() => openDatabase(path.join(file, 'sub'))).toThrow(/not-a-folder is a file, not a folder; choose another with --data-dir/);
    expect(fs.readFileSync(file, 'utf8')).toBe('mine');
  });

  it('calls a damaged database damaged, says what to do, and changes nothing in the folder', () => {
    const dir = tempDir();
    const garbage = Buffer.from('this is not SQLite at all, but it is somebody\'s data'.repeat(200));
    fs.writeFileSync(path.join(dir, DATABASE_FILE), garbage);
    expect(() => openDatabase(dir)).toThrow(/workbench\.sqlite is damaged \(file is not a database\); nothing in the folder was changed.*--data-dir.*\.recover/);
    expect(fs.readFileSync(path.join(dir, DATABASE_FILE)).equals(garbage)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([DATABASE_FILE]);
  });

  it.skipIf(process.getuid?.() === 0)('says a data folder this user may not write in is the trouble, and what to do (skipped as root: root writes anywhere)', () => {
    const dir = tempDir();
    openDatabase(dir).close();
    fs.chmodSync(dir, 0o555);
    try {
      expect(() => openDatabase(dir)).toThrow(/this user may not write in .*give this user write access, or copy the folder somewhere writable/);
      expect(() => openDatabase(path.join(dir, 'sub'))).toThrow(/cannot create the data folder .*this user may not write in/);
    } finally {
      fs.chmodSync(dir, 0o700);
    }
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

describe('a recording file deleted or cut under a recorded session', () => {
  /** A session whose connection has a handshake inline, then 3 x 1000 bytes in its file, a key log line and an event. */
  function recorded(dir: string) {
    const db = openDatabase(dir);
    const store = new SessionStore(db);
    const encoder = new SegmentEncoder();
    encoder.entry({ type: 'chunk', seq: 0, direction: 'client-to-server', t: 1, data: Buffer.from('hello') });
    encoder.entry({ type: 'keylog', t: 2, line: 'CLIENT_TRAFFIC_SECRET_0 00 11' });
    for (let i = 0; i < 3; i++) {
      encoder.entry({ type: 'chunk', seq: 1 + i, direction: 'server-to-client', t: 3 + i, data: new Uint8Array(0), inFile: { offset: i * 1000, length: 1000 } });
    }
    encoder.entry({ type: 'event', t: 9, kind: 'tcp-close', data: { by: 'server' } });
    store.writeBatch({
      sessions: [{ id: 1, kind: 'client', target: 'a:443', startedAt: 1 }],
      connections: [{ id: 7, sessionId: 1, leg: 'client' }],
      sessionUpdates: new Map(),
      connectionUpdates: new Map(),
      segments: [{ connectionId: 7, data: Buffer.from(encoder.bytes, 0, encoder.length) }],
    });
    fs.mkdirSync(path.join(dir, 'recordings'));
    fs.writeFileSync(path.join(dir, 'recordings', '7.bin'), Buffer.alloc(3000, 0x61));
    return { db, store, file: path.join(dir, 'recordings', '7.bin') };
  }

  it('still shows what is there, and says in the timeline which bytes are missing and what to do', () => {
    const dir = tempDir();
    const { db, store, file } = recorded(dir);
    expect(store.connectionLog(7).chunks.map((c) => c.data.length)).toEqual([5, 1000, 1000, 1000]);

    fs.truncateSync(file, 1500);
    const cut = store.connectionLog(7);
    expect(cut.chunks.map((c) => c.data.length)).toEqual([5, 1000]);
    expect(cut.keylog.map((k) => k.line)).toEqual(['CLIENT_TRAFFIC_SECRET_0 00 11']);
    const shortNote = cut.events.find((e) => e.kind === 'note');
    expect(shortNote?.t).toBe(4);
    expect(String(shortNote?.data.text)).toMatch(/shorter than its rows say.*2000 bytes \(server-to-client\).*Put the file back/);
    expect(cut.events.map((e) => e.kind)).toEqual(['note', 'tcp-close']);

    fs.rmSync(file);
    const gone = store.connectionLog(7);
    expect(gone.chunks.map((c) => c.data.length)).toEqual([5]);
    expect(String(gone.events.find((e) => e.kind === 'note')?.data.text)).toMatch(/7\.bin is missing.*3000 bytes/);
    expect(store.getChunks(7)).toHaveLength(1);
    db.close();
  });
});

describe('sessions left running', () => {
  it('are closed as interrupted when their recording process is gone, not while it runs (a CLI opening the folder beside the engine)', async () => {
    const { spawn } = await import('node:child_process');
    const db = openDatabase(tempDir());
    const store = new SessionStore(db);
    const insert = (ownerPid: number | null, startedAt: number) =>
      Number(db.prepare(`INSERT INTO sessions (kind, status, started_at, target, owner_pid) VALUES ('client', 'running', ?, 'x:443', ?)`).run(startedAt, ownerPid).lastInsertRowid);
    // A live recording process: another engine, started before its session.
    const engine = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    await new Promise((r) => setTimeout(r, 300));
    const alive = insert(engine.pid!, Date.now());
    // A killed engine (its pid is gone), one from before owners were kept, and a pid now held by a
    // process that started after the session did (reused).
    const killed = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => killed.once('exit', r));
    const gone = insert(killed.pid!, Date.now());
    const old = insert(null, Date.now());
    const reused = insert(engine.pid!, Date.now() - 3_600_000);
    // A folder copied from a machine where its engine was killed: here its pid belongs to an older
    // process that is not the workbench.
    const other = spawn('sleep', ['30']);
    await new Promise((r) => setTimeout(r, 300));
    const elsewhere = insert(other.pid!, Date.now());
    try {
      expect(store.closeAbandonedSessions(Date.now())).toBe(4);
      const status = (id: number) => store.getSession(id)?.status;
      expect([status(alive), status(gone), status(old), status(reused), status(elsewhere)]).toEqual(['running', 'failed', 'failed', 'failed', 'failed']);
      expect(store.getSession(gone)?.error?.code).toBe('INTERRUPTED');
    } finally {
      engine.kill();
      other.kill();
      db.close();
    }
  });
});

describe('the database file', () => {
  it('is readable by its owner alone (it holds keys and recorded bytes), its WAL too; an older one is tightened', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    new HostTable(db).set({ name: 'www.bank32.com', address: '127.0.0.1' });
    const mode = (f: string) => fs.statSync(path.join(dir, f)).mode & 0o777;
    expect(mode(DATABASE_FILE)).toBe(0o600);
    expect(mode(`${DATABASE_FILE}-wal`)).toBe(0o600);
    db.close();
    fs.chmodSync(path.join(dir, DATABASE_FILE), 0o644);
    openDatabase(dir).close();
    expect(mode(DATABASE_FILE)).toBe(0o600);
  });

  it('a data folder unpacked with loose modes gets its recordings folder and ticket keys tightened, not the folder itself', () => {
    const dir = tempDir();
    openDatabase(dir).close();
    // As an archive unpacked by another tool leaves them: readable by all.
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, 'recordings'), { mode: 0o755 });
    fs.chmodSync(path.join(dir, 'recordings'), 0o755);
    fs.writeFileSync(path.join(dir, 'ticket-keys.json'), '{"about":"x"}\n', { mode: 0o644 });
    fs.chmodSync(path.join(dir, 'ticket-keys.json'), 0o644);
    const mode = (f: string) => fs.statSync(path.join(dir, f)).mode & 0o777;
    openDatabase(dir).close();
    expect(mode('recordings')).toBe(0o700);
    expect(mode('ticket-keys.json')).toBe(0o600);
    // The folder may be one the user keeps other things in (--data-dir ~/lab): theirs to decide.
    expect(mode('.')).toBe(0o755);
  });
});
