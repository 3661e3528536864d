// A hand-out holding two copies of one session (a teacher imported it twice, to hand it out for
// two exercises): the student gets both, each its own session, not the second "already imported"
// as the first; imported again, each is named as the session it already is.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SessionCatalogEntry, SessionImportResult } from '../../src-main/api/exchangeTypes';
import { classroom } from '../support/classroom';

const room = classroom('tlslab-handout-copies-');
const { ok, record } = room;
let tmp: string;
let teacher: string;
beforeAll(() => ({ tmp, teacher } = room));

const folder = (name: string): string => path.join(tmp, name);

async function list(dataDir: string): Promise<SessionCatalogEntry[]> {
  return (JSON.parse(await ok(dataDir, ['sessions', 'search', '--json'])) as SessionCatalogEntry[]).sort((a, b) => a.id - b.id);
}

describe('a hand-out with two copies of one session', () => {
  const names = ['Exercise 1: read the handshake', 'Exercise 2: decrypt it yourself'];
  let handout: string;

  beforeAll(async () => {
    // Two copies of one session can only come from importing it twice (--again), which a teacher
    // does to hand the same recording out for two exercises, each named for its own.
    const id = await record(teacher, '/copied');
    const single = path.join(tmp, 'copied.tlslab');
    await ok(teacher, ['sessions', 'export', String(id), '--format', 'bundle', '--out', single]);
    const desk = folder('teacher-desk');
    await ok(desk, ['sessions', 'import', single]);
    await ok(desk, ['sessions', 'import', single, '--again']);
    const copies = (await list(desk)).map((s) => s.id);
    expect(copies).toHaveLength(2);
    for (const [i, copy] of copies.entries()) await ok(desk, ['sessions', 'rename', String(copy), names[i]]);
    handout = path.join(tmp, 'exercises.tlslab');
    await ok(desk, ['sessions', 'export', ...copies.map(String), '--format', 'bundle', '--out', handout]);
  });

  it('imports both, each its own session with its own name; imported again, each is named as the one it already is', async () => {
    const student = folder('student-copies');
    const out = await ok(student, ['sessions', 'import', handout]);
    const mine = await list(student);
    expect(mine.map((s) => s.name)).toEqual(names);
    expect(out).toContain(`  session ${mine[0].id} "${names[0]}"`);
    expect(out).toContain(`  session ${mine[1].id} "${names[1]}"`);
    expect(out).not.toContain('already');

    const again = JSON.parse(await ok(student, ['sessions', 'import', handout, '--json'])) as SessionImportResult;
    expect(again.sessions.map((s) => s.alreadyImportedAs)).toEqual(mine.map((s) => s.id));
    expect(await list(student)).toHaveLength(2);
  });

  it('a student who had one copy already gets the second', async () => {
    const student = folder('student-one-copy');
    await ok(student, ['sessions', 'import', path.join(tmp, 'copied.tlslab')]);
    const [had] = await list(student);
    const result = JSON.parse(await ok(student, ['sessions', 'import', handout, '--json'])) as SessionImportResult;
    expect(result.sessions[0].alreadyImportedAs).toBe(had.id);
    expect(result.sessions[1].alreadyImportedAs).toBeNull();
    expect(result.sessions[1].id).not.toBe(had.id);
    expect(await list(student)).toHaveLength(2);
  });
});
