// What `tlslab sessions import` ends with: one session, the command that shows it; a hand-out,
// the same naming every session it brought, and the search that lists them when the teacher's tag
// picks out exactly them.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SessionCatalogEntry } from '../../src-main/api/exchangeTypes';
import { classroom } from '../support/classroom';

const BIN = path.join(__dirname, '..', '..', 'bin', 'tlslab.mjs');
const room = classroom('tlslab-handout-end-');
const { ok, record } = room;
let tmp: string;
let teacher: string;
beforeAll(() => ({ tmp, teacher } = room));

const lastLine = (out: string): string => out.trim().split('\n').at(-1) as string;
const folder = (name: string): string => path.join(tmp, name);
/** The folder as the CLI prints it after --data-dir (a temp path needs no quotes). */
const dd = (dataDir: string): string => `tlslab --data-dir ${dataDir}`;

async function list(dataDir: string): Promise<SessionCatalogEntry[]> {
  return (JSON.parse(await ok(dataDir, ['sessions', 'search', '--json'])) as SessionCatalogEntry[]).sort((a, b) => a.id - b.id);
}

describe('the last line of sessions import', () => {
  let ids: number[] = [];
  const handout = () => path.join(tmp, 'lab4.tlslab');

  beforeAll(async () => {
    ids = [await record(teacher, '/one'), await record(teacher, '/two'), await record(teacher, '/three')];
    for (const id of ids) await ok(teacher, ['sessions', 'tag', String(id), 'lab-4']);
    await ok(teacher, ['sessions', 'export', ...ids.map(String), '--format', 'bundle', '--out', handout()]);
  });

  it('a hand-out of three: names all three, and the search for their tag, which lists exactly them when run as printed', async () => {
    const student = folder('student-a');
    const out = await ok(student, ['sessions', 'import', handout()]);
    const mine = (await list(student)).map((s) => s.id);
    expect(mine).toHaveLength(3);
    expect(lastLine(out)).toBe(`Show them with: ${dd(student)} sessions show ${mine[0]} (and ${mine[1]}, ${mine[2]}); list them with: ${dd(student)} sessions search --tag lab-4`);
    const search = /list them with: tlslab (.+)$/.exec(lastLine(out))![1];
    const listed = execFileSync('node', [BIN, ...search.split(' '), '--json'], { encoding: 'utf8' });
    expect((JSON.parse(listed) as SessionCatalogEntry[]).map((s) => s.id).sort((a, b) => a - b)).toEqual(mine);
  });

  it('a tag the student already uses for other sessions is not offered: the search would list more than the hand-out', async () => {
    const student = folder('student-b');
    const own = await record(student, '/mine');
    await ok(student, ['sessions', 'tag', String(own), 'lab-4']);
    const out = await ok(student, ['sessions', 'import', handout()]);
    const mine = (await list(student)).map((s) => s.id).filter((id) => id !== own);
    expect(lastLine(out)).toBe(`Show them with: ${dd(student)} sessions show ${mine[0]} (and ${mine[1]}, ${mine[2]})`);
  });

  it('one session: "Show it with"; a hand-out of which one came before: only the new ones (their tag would list the old one too)', async () => {
    const student = folder('student-c');
    const single = path.join(tmp, 'one.tlslab');
    await ok(teacher, ['sessions', 'export', String(ids[0]), '--format', 'bundle', '--out', single]);
    const first = await ok(student, ['sessions', 'import', single]);
    const [only] = await list(student);
    expect(lastLine(first)).toBe(`Show it with: ${dd(student)} sessions show ${only.id}`);
    // The hand-out holds that session and two more: the ending names the two it copied.
    const out = await ok(student, ['sessions', 'import', handout()]);
    const added = (await list(student)).map((s) => s.id).filter((id) => id !== only.id);
    expect(out).toContain(`  already imported as session ${only.id}`);
    expect(lastLine(out)).toBe(`Show them with: ${dd(student)} sessions show ${added[0]} (and ${added[1]})`);
  });

  it('a long hand-out names a run of numbers as a range', async () => {
    const more = [await record(teacher, '/4'), await record(teacher, '/5')];
    const file = path.join(tmp, 'five.tlslab');
    await ok(teacher, ['sessions', 'export', ...[...ids, ...more].map(String), '--format', 'bundle', '--out', file]);
    const student = folder('student-d');
    const out = await ok(student, ['sessions', 'import', file]);
    const mine = (await list(student)).map((s) => s.id);
    expect(mine).toHaveLength(5);
    expect(lastLine(out)).toBe(`Show them with: ${dd(student)} sessions show ${mine[0]} (and ${mine[1]} to ${mine[4]})`);
  });
});
