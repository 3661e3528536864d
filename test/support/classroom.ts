// A teacher's data folder and a student's, and a real server (openssl s_server, TLS 1.3) for the
// teacher to record client sessions against: the setting of the hand-out tests. Made before the
// file's tests and removed after them; commands run tlslab in the test's own process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { tlslabInProcess } from './cliInProcess';
import { makeTestPki, type TestPki } from './opensslPki';
import { startOpensslServer, type RunningPeer } from './opensslServer';

export interface Classroom {
  /** A folder of the test's own for files (removed after). */
  tmp: string;
  pki: TestPki;
  teacher: string;
  student: string;
  peer: RunningPeer;
  /** Runs tlslab on `dataDir`; it must succeed with nothing on standard error. Its output. */
  ok(dataDir: string, args: string[]): Promise<string>;
  /** Records a client session in `dataDir` (GET `uri` from www.bank32.com on the peer); its id. */
  record(dataDir: string, uri?: string): Promise<number>;
}

/** The classroom of this test file, ready once its beforeAll has run. */
export function classroom(prefix: string): Classroom {
  const room = {
    async ok(dataDir: string, args: string[]): Promise<string> {
      const r = await tlslabInProcess(dataDir, args);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return r.stdout;
    },
    async record(dataDir: string, uri = '/'): Promise<number> {
      const out = await room.ok(dataDir, ['client', `www.bank32.com:${room.peer.port}`, '--connect-to', '127.0.0.1', '--ca', room.pki.caCert, '--get', uri, '--json']);
      return (JSON.parse(out) as { sessionId: number }).sessionId;
    },
  } as Classroom;
  beforeAll(async () => {
    room.pki = makeTestPki(prefix);
    room.tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    room.teacher = path.join(room.tmp, 'teacher');
    room.student = path.join(room.tmp, 'student');
    room.peer = await startOpensslServer(room.pki.serverCert, room.pki.serverKey, ['-www', '-tls1_3']);
  });
  afterAll(async () => {
    await room.peer?.stop();
    if (room.tmp) fs.rmSync(room.tmp, { recursive: true, force: true });
  });
  return room;
}
