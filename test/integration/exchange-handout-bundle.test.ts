// A lab's hand-out in one file: the teacher records three sessions, names and tags them, and
// exports them together (`sessions export 1 2 3 --format bundle`); the student imports that one
// file and has all three, each named, tagged "imported" and saying which file it came from. Again:
// nothing copied, each session named as the one it already is. A cut copy: nothing imported.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SessionCatalogEntry, SessionExportResult, SessionImportOrigin, SessionImportResult } from '../../src-main/api/exchangeTypes';
import { startEngine } from '../../src-main/host/engine';
import { tlslabInProcess } from '../support/cliInProcess';
import { connectApi } from '../support/engineApi';
import { classroom } from '../support/classroom';

const room = classroom('tlslab-handout3-');
const { ok, record } = room;
let tmp: string;
let teacher: string;
let student: string;
beforeAll(() => ({ tmp, teacher, student } = room));

async function list(dataDir: string): Promise<SessionCatalogEntry[]> {
  return JSON.parse(await ok(dataDir, ['sessions', 'search', '--json'])) as SessionCatalogEntry[];
}

describe('several sessions in one hand-out bundle', () => {
  const handout = () => path.join(tmp, 'lab3.tlslab');
  const names = ['Lab 3: first visit', 'Lab 3: second page', 'Lab 3: the last one'];
  let ids: number[] = [];
  let studentSessions: SessionCatalogEntry[] = [];

  it('the teacher exports three sessions as one file; the output names each', async () => {
    ids = [await record(teacher, '/one'), await record(teacher, '/two'), await record(teacher, '/three')];
    for (const [i, id] of ids.entries()) {
      await ok(teacher, ['sessions', 'rename', String(id), names[i]]);
      await ok(teacher, ['sessions', 'tag', String(id), 'lab-3', `part-${i + 1}`]);
    }
    const out = await ok(teacher, ['sessions', 'export', ...ids.map(String), '--format', 'bundle', '--out', handout()]);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Wrote .*lab3\\.tlslab \\(\\d+ bytes\\): a hand-out of 3 sessions$`));
    expect(lines.slice(1, 4)).toEqual(ids.map((id, i) => `  session ${id} "${names[i]}" (client www.bank32.com:${room.peer.port}, ok)`));
    expect(lines[4]).toMatch(/^ {2}in all: 3 connections, \d+ chunks, \d+ key log lines and the certificates$/);
    expect(lines[5]).toMatch(/^The file holds the sessions' secrets/);
    expect(fs.readFileSync(handout()).readUInt16BE(14)).toBe(3);

    const json = JSON.parse(await ok(teacher, ['sessions', 'export', ...ids.map(String), '--format', 'bundle', '--out', path.join(tmp, 'again.tlslab'), '--json'])) as {
      fileName: string;
      summary: string;
      secret: boolean;
    };
    // The suggested name lists the sessions (up to five of them).
    expect(json.fileName).toBe(`sessions-${ids.join('-')}.tlslab`);
    expect(json.summary).toMatch(new RegExp(`^3 sessions: ${ids[0]} "${names[0]}" \\(client www\\.bank32\\.com:${room.peer.port}\\), ${ids[1]} `));
    expect(json.secret).toBe(true);
  });

  it('several ids with another format: one usage error; an unknown id: the error naming it', async () => {
    const har = await tlslabInProcess(teacher, ['sessions', 'export', ...ids.map(String), '--format', 'har', '--out', path.join(tmp, 'x.har')]);
    expect(har.status).toBe(2);
    expect(har.stderr).toContain('--format har holds one session and 3 were given: use --format bundle for one hand-out file of them all, or export them one at a time');
    const unknown = await tlslabInProcess(teacher, ['sessions', 'export', String(ids[0]), '999', '--format', 'bundle', '--out', path.join(tmp, 'y.tlslab')]);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('there is no session 999');
    expect(fs.existsSync(path.join(tmp, 'y.tlslab'))).toBe(false);
    const word = await tlslabInProcess(teacher, ['sessions', 'export', String(ids[0]), 'three', '--format', 'bundle', '--out', path.join(tmp, 'z.tlslab')]);
    expect(word.status).toBe(2);
    expect(word.stderr).toContain('three: the session id must be a whole number');
    const deleted = await tlslabInProcess(teacher, ['sessions', 'delete', 'three']);
    expect(deleted.status).toBe(2);
    expect(deleted.stderr).toContain('three: the session id must be a whole number');
  });

  it('the student imports the one file: all three sessions, in order, named, tagged and saying where they came from', async () => {
    const out = await ok(student, ['sessions', 'import', handout()]);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^Imported lab3\.tlslab \(bundle, 3 sessions\): 3 connections, \d+ key log lines:$/);
    const mine = (await list(student)).sort((a, b) => a.id - b.id);
    expect(mine).toHaveLength(3);
    expect(lines.slice(1, 4)).toEqual(mine.map((s, i) => `  session ${s.id} "${names[i]}" (client www.bank32.com:${room.peer.port}, ok)`));
    expect(mine.map((s) => s.name)).toEqual(names);
    mine.forEach((s, i) => expect(s.tags.sort()).toEqual(['imported', 'lab-3', `part-${i + 1}`]));
    for (const s of mine) {
      const shown = JSON.parse(await ok(student, ['sessions', 'show', String(s.id), '--json'])) as { imported: SessionImportOrigin };
      expect(shown.imported).toMatchObject({ file: 'lab3.tlslab', kind: 'bundle', madeBy: expect.stringMatching(/^TLS Lab Workbench \S+$/) });
      expect(shown.imported.madeAt).toEqual(expect.any(Number));
    }
    // The bytes came too: the first session's key log opens its records as it did for the teacher.
    const teacherKeys = await ok(teacher, ['sessions', 'export', String(ids[0]), '--format', 'keylog', '--out', '-']);
    expect(await ok(student, ['sessions', 'export', String(mine[0].id), '--format', 'keylog', '--out', '-'])).toBe(teacherKeys);
    studentSessions = mine;
  });

  it('imported again: nothing copied, each session named as the one it already is (--json carries them all)', async () => {
    const out = await ok(student, ['sessions', 'import', handout()]);
    const lines = out.trim().split('\n');
    const before = studentSessions;
    expect(lines[0]).toBe('lab3.tlslab (bundle, 3 sessions) is already imported; nothing was copied:');
    expect(lines.slice(1, 4)).toEqual(before.map((s, i) => `  already imported as session ${s.id} "${names[i]}" (client www.bank32.com:${room.peer.port}, ok)`));
    expect(lines[4]).toMatch(/To import a second copy anyway: .* --again$/);
    const json = JSON.parse(await ok(student, ['sessions', 'import', handout(), '--json'])) as SessionImportResult;
    expect(json.sessions.map((s) => s.alreadyImportedAs)).toEqual(before.map((s) => s.id));
    expect(json.sessions.map((s) => s.session.name)).toEqual(names);
    expect(json.alreadyImportedAs).toBe(before[0].id);
    expect(await list(student)).toHaveLength(3);
  });

  it('a cut copy of the hand-out: refused with the reason, none of its sessions imported', async () => {
    const fresh = path.join(tmp, 'fresh');
    const bytes = fs.readFileSync(handout());
    const cut = path.join(tmp, 'lab3-cut.tlslab');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const r = await tlslabInProcess(fresh, ['sessions', 'import', cut]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/lab3-cut\.tlslab: the session bundle is damaged or incomplete \(its SHA-256 checksum does not match/);
    expect(await list(fresh)).toEqual([]);
  });

  it('over the engine API: ids make the hand-out (base64 back); several ids with another format, or id and ids both, are refused', async () => {
    const engine = await startEngine({ dataDir: teacher });
    const api = await connectApi(engine);
    try {
      const out = await api.result<SessionExportResult>('sessions.export', { ids: [ids[2], ids[0]], format: 'bundle' });
      expect(out.fileName).toBe(`sessions-${ids[2]}-${ids[0]}.tlslab`);
      expect(out.summary).toMatch(new RegExp(`^2 sessions: ${ids[2]} "${names[2]}" .*, ${ids[0]} "${names[0]}" `));
      expect(Buffer.from(out.base64!, 'base64').readUInt16BE(14)).toBe(3);
      // One id in `ids` is the single-session bundle older workbenches read.
      const one = await api.result<SessionExportResult>('sessions.export', { ids: [ids[1]], format: 'bundle' });
      expect(one.fileName).toBe(`session-${ids[1]}.tlslab`);
      expect(Buffer.from(one.base64!, 'base64').readUInt16BE(14)).toBe(1);
      await expect(api.result('sessions.export', { ids, format: 'pcapng' })).rejects.toThrow(
        'a pcapng file holds one session, and 3 were given; export several as one hand-out with format bundle, or export them one at a time',
      );
      await expect(api.result('sessions.export', { id: ids[0], ids, format: 'bundle' })).rejects.toThrow('give the session to export as id, or several as ids, one of the two');
      await expect(api.result('sessions.export', { ids: [ids[0], 999], format: 'bundle' })).rejects.toThrow('there is no session 999');
    } finally {
      api.close();
      await engine.close();
    }
  });
});
