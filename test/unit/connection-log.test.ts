// A connection's recording as segment rows: what goes in comes back, damage is named, and what an
// older workbench recorded (a row per chunk, event, key-log line and certificate) still reads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SegmentEncoder, decodeSegment, emptyLog, type LogEntry } from '../../src-main/store/connectionLog';
import { DATABASE_FILE, openDatabase } from '../../src-main/store/database';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { SessionStore } from '../../src-main/store/sessionStore';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-log-'));

const ENTRIES: LogEntry[] = [
  { type: 'event', t: 0.25, kind: 'tcp-open', data: { local: '127.0.0.1:4433', remote: '127.0.0.1:51000' } },
  { type: 'chunk', seq: 0, direction: 'client-to-server', t: 1.5, data: Uint8Array.from([22, 3, 1, 0, 2, 1, 0]) },
  { type: 'keylog', t: 2, line: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET 00ff 11ee' },
  { type: 'chunk', seq: 1, direction: 'server-to-client', t: 2.75, data: new Uint8Array(70_000).fill(7), inFile: { offset: 123_456, length: 70_000 } },
  { type: 'certificate', role: 'local', position: 1, der: Uint8Array.from([0x30, 0x82, 1, 2]) },
  { type: 'certificate', role: 'peer', position: 0, der: Uint8Array.from([0x30, 3, 2, 1, 0]) },
  { type: 'event', t: 3.125, kind: 'note', data: { text: 'naïve ☃ text with "quotes"' } },
  { type: 'chunk', seq: 2, direction: 'server-to-client', t: 4, data: new Uint8Array(0) },
];

function encode(entries: LogEntry[], minBytes = 16): Buffer {
  const encoder = new SegmentEncoder(undefined, minBytes);
  for (const e of entries) encoder.entry(e);
  return Buffer.from(encoder.bytes, 0, encoder.length);
}

describe('a segment', () => {
  it('gives back every entry of each kind in order, a chunk in a file as its place, not its bytes', () => {
    const log = emptyLog();
    // A tiny starting buffer: it has to grow several times on the way.
    decodeSegment(encode(ENTRIES), log);
    expect(log.events).toEqual([
      { t: 0.25, kind: 'tcp-open', data: { local: '127.0.0.1:4433', remote: '127.0.0.1:51000' } },
      { t: 3.125, kind: 'note', data: { text: 'naïve ☃ text with "quotes"' } },
    ]);
    expect(log.keylog).toEqual([{ t: 2, line: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET 00ff 11ee' }]);
    expect(log.chunks.map((c) => ({ ...c, data: [...c.data] }))).toEqual([
      { seq: 0, direction: 'client-to-server', t: 1.5, data: [22, 3, 1, 0, 2, 1, 0], file: null },
      { seq: 1, direction: 'server-to-client', t: 2.75, data: [], file: { offset: 123_456, length: 70_000 } },
      { seq: 2, direction: 'server-to-client', t: 4, data: [], file: null },
    ]);
    expect(log.certificates.map((c) => ({ ...c, der: [...c.der] }))).toEqual([
      { role: 'local', position: 1, der: [0x30, 0x82, 1, 2] },
      { role: 'peer', position: 0, der: [0x30, 3, 2, 1, 0] },
    ]);
  });

  it('that is cut short or holds an unknown entry is refused with where it went wrong', () => {
    const whole = encode(ENTRIES);
    expect(() => decodeSegment(whole.subarray(0, whole.length - 3), emptyLog())).toThrow(/ends inside an entry/);
    const unknown = Buffer.from(whole);
    unknown[0] = 99;
    expect(() => decodeSegment(unknown, emptyLog())).toThrow(/unknown type 99 at byte 0/);
  });
});

describe('the session store reading a connection', () => {
  it('names a damaged segment and its connection instead of returning half a recording', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const store = new SessionStore(db);
    const session = store.createSession({ kind: 'client', target: 'x:443', startedAt: 1 });
    const connection = store.createConnection(session, 'client');
    db.prepare('INSERT INTO segments (connection_id, data) VALUES (?, ?)').run(connection, encode(ENTRIES).subarray(0, 30));
    expect(() => store.getEvents(connection)).toThrow(new RegExp(`recording of connection ${connection} is damaged`));
    db.close();
  });

  it('reads what a workbench before segments recorded, after the upgrade, beside what is recorded since', () => {
    const dir = tempDir();
    // A database as version 4 left it, with a row per chunk, event, key-log line and certificate.
    const old = new Database(path.join(dir, DATABASE_FILE));
    for (const migration of MIGRATIONS.slice(0, 4)) old.exec(migration);
    old.pragma('user_version = 4');
    old.exec(`
      INSERT INTO sessions (id, kind, status, started_at, target) VALUES (1, 'client', 'ok', 1, 'www.bank32.com:443');
      INSERT INTO connections (id, session_id, leg) VALUES (1, 1, 'client');
      INSERT INTO chunks (connection_id, seq, direction, t, data) VALUES (1, 0, 0, 1.0, x'160301'), (1, 1, 1, 2.0, x'160303');
      INSERT INTO events (connection_id, t, kind, data_json) VALUES (1, 0.5, 'tcp-open', '{"remote":"127.0.0.1:443"}');
      INSERT INTO keylog (connection_id, t, line) VALUES (1, 3.0, 'CLIENT_RANDOM aa bb');
      INSERT INTO certificates (connection_id, role, position, der) VALUES (1, 'peer', 1, x'3002'), (1, 'peer', 0, x'3001');
    `);
    old.close();

    const db = openDatabase(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const store = new SessionStore(db);
    expect(store.getChunks(1).map((c) => [c.direction, Buffer.from(c.data).toString('hex')])).toEqual([
      ['client-to-server', '160301'],
      ['server-to-client', '160303'],
    ]);
    expect(store.getEvents(1)).toEqual([{ t: 0.5, kind: 'tcp-open', data: { remote: '127.0.0.1:443' } }]);
    expect(store.getKeylog(1)).toEqual(['CLIENT_RANDOM aa bb']);
    expect(store.getCertificates(1, 'peer').map((d) => Buffer.from(d).toString('hex'))).toEqual(['3001', '3002']);

    // Entries recorded as a segment afterwards come after the old rows, chunks by sequence number.
    const later = encode([
      { type: 'chunk', seq: 2, direction: 'client-to-server', t: 4, data: Uint8Array.from([0x17]) },
      { type: 'event', t: 5, kind: 'tcp-close', data: { initiator: 'peer' } },
    ]);
    db.prepare('INSERT INTO segments (connection_id, data) VALUES (?, ?)').run(1, later);
    expect(store.getChunks(1).map((c) => Buffer.from(c.data).toString('hex'))).toEqual(['160301', '160303', '17']);
    expect(store.getEvents(1).map((e) => e.kind)).toEqual(['tcp-open', 'tcp-close']);

    // Deleting the session takes everything recorded under it, old rows and segments alike.
    db.prepare('DELETE FROM sessions WHERE id = 1').run();
    expect(store.getChunks(1)).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM segments').pluck().get()).toBe(0);
    db.close();
  });
});
