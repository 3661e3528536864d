// Where an imported session came from: a student with the teacher's bundles and captures among
// their own sessions reads, at the top of `tlslab sessions show`, which file each one was, when it
// was imported, and for a bundle which workbench wrote it and when; for a capture, whether a key
// log came with it. A session recorded here says nothing of the kind (null in --json); imports an
// older workbench made say what is known, and a bundle exported from an imported session carries
// only its own making, not where the exporter got the session.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SessionImportOrigin, SessionImportResult } from '../../src-main/api/exchangeTypes';
import { classroom } from '../support/classroom';

const room = classroom('tlslab-origin-');
const { ok, record } = room;
let tmp: string;
let teacher: string;
let student: string;
beforeAll(() => ({ tmp, teacher, student } = room));

async function importFile(dataDir: string, args: string[]): Promise<SessionImportResult> {
  return JSON.parse(await ok(dataDir, ['sessions', 'import', ...args, '--json'])) as SessionImportResult;
}

async function show(dataDir: string, id: number): Promise<{ text: string; imported: SessionImportOrigin | null | undefined }> {
  const text = await ok(dataDir, ['sessions', 'show', String(id)]);
  const json = JSON.parse(await ok(dataDir, ['sessions', 'show', String(id), '--json'])) as { imported?: SessionImportOrigin | null };
  return { text, imported: json.imported };
}

const STAMP = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d';
/** The line under the session's first line. */
const secondLine = (text: string) => text.split('\n')[1];

describe('an imported session says where it came from', async () => {
  let recorded: number;
  let bundleId: number;
  const bundle = () => path.join(tmp, 'hand-out', 'lab3-handout.tlslab');

  it('a bundle: its file name, when it was imported, and the workbench that wrote it and when', async () => {
    recorded = await record(teacher);
    fs.mkdirSync(path.join(tmp, 'hand-out'));
    const beforeExport = Date.now();
    await ok(teacher, ['sessions', 'export', String(recorded), '--format', 'bundle', '--out', bundle()]);
    const beforeImport = Date.now();
    bundleId = (await importFile(student, [bundle()])).id;
    const afterImport = Date.now();

    const { text, imported } = await show(student, bundleId);
    expect(imported).toMatchObject({ file: 'lab3-handout.tlslab', kind: 'bundle', madeBy: expect.stringMatching(/^TLS Lab Workbench \S+$/) });
    expect(imported!.importedAt).toBeGreaterThanOrEqual(beforeImport - 1000);
    expect(imported!.importedAt).toBeLessThanOrEqual(afterImport + 1000);
    // The manifest's createdAt is whole milliseconds of the export.
    expect(imported!.madeAt).toBeGreaterThanOrEqual(beforeExport - 1000);
    expect(imported!.madeAt).toBeLessThanOrEqual(beforeImport + 1000);
    expect(secondLine(text)).toMatch(new RegExp(`^Imported from lab3-handout\\.tlslab on ${STAMP}: a session bundle made by TLS Lab Workbench \\S+ on ${STAMP}$`));
    // The base name only: the student's folders are nobody's business in a screenshot.
    expect(text).not.toContain(path.join(tmp, 'hand-out'));
  });

  it('a session recorded here says nothing of where it came from', async () => {
    const own = await record(student);
    const { text, imported } = await show(student, own);
    expect(imported).toBeNull();
    expect(text).not.toMatch(/^Imported/m);
    expect((await show(teacher, recorded)).imported).toBeNull();
  });

  it('importing the bundle again names the same session, which keeps the first import\'s facts', async () => {
    const first = (await show(student, bundleId)).imported;
    const again = await importFile(student, [bundle()]);
    expect(again.alreadyImportedAs).toBe(bundleId);
    expect((await show(student, bundleId)).imported).toEqual(first);
  });

  it('a capture with its key log inside, one with a separate key log, one without: each says so', async () => {
    const withKeys = path.join(tmp, 'hand-out', 'lab3-keys-inside.pcapng');
    const bare = path.join(tmp, 'hand-out', 'lab3-bare.pcapng');
    const keylog = path.join(tmp, 'hand-out', 'lab3.keys.log');
    await ok(teacher, ['sessions', 'export', String(recorded), '--format', 'pcapng', '--out', withKeys]);
    await ok(teacher, ['sessions', 'export', String(recorded), '--format', 'pcapng', '--no-secrets', '--out', bare]);
    await ok(teacher, ['sessions', 'export', String(recorded), '--format', 'keylog', '--out', keylog]);

    const inside = (await importFile(student, [withKeys])).id;
    const inShow = await show(student, inside);
    expect(inShow.imported).toMatchObject({ file: 'lab3-keys-inside.pcapng', kind: 'capture', keyLog: 'inside' });
    expect(inShow.imported).not.toHaveProperty('madeBy');
    expect(secondLine(inShow.text)).toMatch(new RegExp(`^Imported from lab3-keys-inside\\.pcapng on ${STAMP}: a capture, with its key log inside it$`));

    // The same traffic and keys as the capture above: the same content, so only a second copy says how it came this time.
    const sameContent = await importFile(student, [bare, '--keylog', keylog]);
    expect(sameContent.alreadyImportedAs).toBe(inside);
    const separate = (await importFile(student, [bare, '--keylog', keylog, '--again'])).id;
    const sepShow = await show(student, separate);
    expect(sepShow.imported).toMatchObject({ file: 'lab3-bare.pcapng', kind: 'capture', keyLog: 'separate', keyLogFile: 'lab3.keys.log' });
    expect(secondLine(sepShow.text)).toMatch(new RegExp(`^Imported from lab3-bare\\.pcapng on ${STAMP}: a capture, with the key log lab3\\.keys\\.log$`));

    const none = (await importFile(student, [bare])).id;
    expect(none).not.toBe(separate);
    const noneShow = await show(student, none);
    expect(noneShow.imported).toMatchObject({ file: 'lab3-bare.pcapng', kind: 'capture', keyLog: 'none' });
    expect(secondLine(noneShow.text)).toMatch(new RegExp(`^Imported from lab3-bare\\.pcapng on ${STAMP}: a capture, without a key log$`));
  });

  it('a bundle exported from an imported session carries its own making only, not where the exporter got it', async () => {
    const reexport = path.join(tmp, 'passed-on.tlslab');
    await ok(student, ['sessions', 'export', String(bundleId), '--format', 'bundle', '--out', reexport]);
    const third = path.join(tmp, 'third');
    const id = (await importFile(third, [reexport])).id;
    const { text, imported } = await show(third, id);
    expect(imported).toMatchObject({ file: 'passed-on.tlslab', kind: 'bundle' });
    expect(imported!.madeAt).toBeGreaterThanOrEqual((await show(student, bundleId)).imported!.importedAt - 1000);
    expect(text).not.toContain('lab3-handout');
  });

  it('sessions an older workbench imported still open: with only the import time known they say that, with nothing known they say nothing', async () => {
    const older = (await importFile(student, [bundle(), '--again'])).id;
    const untold = (await importFile(student, [bundle(), '--again'])).id;
    const db = new Database(path.join(student, 'workbench.sqlite'));
    try {
      // What schema 7 and 8 wrote: the content identity and the time, nothing more.
      db.prepare('UPDATE session_imports SET file_name = NULL, kind = NULL, made_by = NULL, made_at = NULL, key_log = NULL, key_log_file = NULL WHERE session_id = ?').run(older);
      // Before schema 7 an import left no row at all, only its "imported" tag.
      db.prepare('DELETE FROM session_imports WHERE session_id = ?').run(untold);
    } finally {
      db.close();
    }
    const olderShow = await show(student, older);
    expect(olderShow.imported).toMatchObject({ file: null, kind: null });
    expect(olderShow.imported).not.toHaveProperty('madeBy');
    expect(secondLine(olderShow.text)).toMatch(new RegExp(`^Imported on ${STAMP}$`));

    const untoldShow = await show(student, untold);
    expect(untoldShow.imported).toBeNull();
    expect(untoldShow.text).not.toMatch(/^Imported/m);
    expect(untoldShow.text).toMatch(/^Session \d+ \(client\)/);
  });
});
