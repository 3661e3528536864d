// The teacher's hand-out, from a student's side: the teacher records and names sessions in one
// workbench, exports them as bundles; the student imports them in another. The import says what
// each one is (its name, kind, target, outcome), the list shows the teacher's names, and every
// imported session carries the "imported" tag (as a capture import does), so the student tells
// the hand-out from the sessions they record themselves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionCatalogEntry } from '../../src-main/api/exchangeTypes';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { tlslabSync } from '../support/run';

let pki: TestPki;
let tmp: string;
let teacher: string;
let student: string;
let peer: RunningPeer;

beforeAll(async () => {
  pki = makeTestPki('tlslab-handout-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-handout-'));
  teacher = path.join(tmp, 'teacher');
  student = path.join(tmp, 'student');
  peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www', '-tls1_3']);
});

afterAll(async () => {
  await peer?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function ok(dataDir: string, args: string[]): string {
  const r = tlslabSync(dataDir, args);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

function record(dataDir: string): number {
  const out = ok(dataDir, ['client', `www.bank32.com:${peer.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--get', '/', '--json']);
  return (JSON.parse(out) as { sessionId: number }).sessionId;
}

describe('a hand-out of bundles, imported by a student', () => {
  it('says what arrived, shows the teacher names, and tells imported sessions from recorded ones', () => {
    const good = record(teacher);
    ok(teacher, ['sessions', 'rename', String(good), 'Good handshake']);
    ok(teacher, ['sessions', 'tag', String(good), 'lesson1']);
    const file = path.join(tmp, 'lesson1.tlslab');
    ok(teacher, ['sessions', 'export', String(good), '--format', 'bundle', '--out', file]);

    const own = record(student);
    const imported = ok(student, ['sessions', 'import', file]);
    expect(imported).toMatch(new RegExp(`^Imported lesson1\\.tlslab \\(bundle\\) as session (\\d+) "Good handshake" \\(client www\\.bank32\\.com:${peer.port}, ok\\): 1 connection, \\d+ key log lines$`, 'm'));
    const id = Number(/as session (\d+)/.exec(imported)?.[1]);
    expect(id).not.toBe(own);

    // A second import names what it is already.
    expect(ok(student, ['sessions', 'import', file])).toContain(`lesson1.tlslab (bundle) is already imported as session ${id} "Good handshake" (client www.bank32.com:${peer.port}, ok); nothing was copied`);

    const list = ok(student, ['sessions', 'list']).split('\n');
    expect(list.find((row) => row.trimStart().startsWith(`${id} `))).toMatch(/"Good handshake" {2}\[imported, lesson1\]$/);
    expect(list.find((row) => row.trimStart().startsWith(`${own} `))).not.toContain('imported');

    const found = JSON.parse(ok(student, ['sessions', 'search', '--tag', 'imported', '--json'])) as SessionCatalogEntry[];
    expect(found.map((s) => s.id)).toEqual([id]);

    // The teacher's own list has the name too, and no "imported" tag: nothing was imported there.
    const teacherList = ok(teacher, ['sessions', 'list']);
    expect(teacherList).toContain('"Good handshake"  [lesson1]');

    // And it opens on the student's machine.
    expect(ok(student, ['sessions', 'show', String(id), '--decrypt'])).toContain('keys from the key log');
  });
});
