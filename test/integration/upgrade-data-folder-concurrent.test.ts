// Two processes open a data folder from an earlier workbench at once, right after an update (the
// window's engine and a tlslab command): while one upgrades the database, the other must wait and
// go on from where the first stopped, not apply the same step again and refuse the folder with
// "table ... already exists; choose another with --data-dir".
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { unpackDataFolder } from '../support/dataFolderFixtures';

const ROOT = path.join(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-upgrade-race-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A script that opens the folder given to it as every workbench process does, and says what happened. */
function openerScript(): string {
  const child = path.join(tmp, 'open.mjs');
  fs.writeFileSync(
    child,
    `const { register } = await import(${JSON.stringify(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs'))});
register();
const { openDatabase } = await import(${JSON.stringify(path.join(ROOT, 'src-main', 'store', 'database.ts'))});
process.stdout.write('opening\\n');
try {
  const db = openDatabase(process.argv[2]);
  process.stdout.write('opened at schema ' + db.pragma('user_version', { simple: true }) + ', sessions ' + db.prepare('SELECT group_concat(id) FROM (SELECT id FROM sessions ORDER BY id)').pluck().get() + '\\n');
  db.close();
} catch (err) {
  process.stdout.write('refused: ' + err.message + '\\n');
}
`,
  );
  return child;
}

/** Runs the opener on `data`; once it says it is opening, waits a moment and calls `release` (the other process's lock ends). */
async function openWhileLocked(data: string, release: () => void): Promise<string> {
  const second = spawn(process.execPath, [openerScript(), data], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let released = false;
  const done = new Promise<void>((resolve) => second.on('close', () => resolve()));
  second.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    // Give the second process the moment it needs to reach the lock and wait for it, then let
    // the first one finish.
    if (!released && out.includes('opening\n')) {
      released = true;
      setTimeout(release, 500);
    }
  });
  await done;
  return out;
}

it('a process that opens the folder while another is upgrading it waits, then opens it at the current schema with every session', async () => {
  const { data } = unpackDataFolder('schema-1.tar.gz', tmp);
  const file = path.join(data, 'workbench.sqlite');

  // The first process, in the middle of its upgrade: the write lock held, schema 2 applied, not yet committed.
  const first = new Database(file);
  first.exec('BEGIN IMMEDIATE');
  first.exec(MIGRATIONS[1]);
  first.pragma('user_version = 2');

  const out = await openWhileLocked(data, () => first.exec('COMMIT'));
  first.close();

  expect(out).not.toContain('refused');
  expect(out).toContain(`opened at schema ${MIGRATIONS.length}, sessions 1,2,3,4`);
  expect(new Database(file, { readonly: true }).pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
});

it('a process that opens a new folder while another is still creating its database waits for it, rather than refusing the folder as busy', async () => {
  const data = path.join(tmp, 'new');
  fs.mkdirSync(data);
  const file = path.join(data, 'workbench.sqlite');
  // The first process has just created the file and holds it while it sets it up (the switch to
  // write-ahead logging takes the whole file).
  const first = new Database(file);
  first.exec('BEGIN EXCLUSIVE');
  first.exec('CREATE TABLE setting_up (x)');

  const out = await openWhileLocked(data, () => first.exec('COMMIT'));
  first.close();

  expect(out).not.toContain('refused');
  expect(out).toContain(`opened at schema ${MIGRATIONS.length}, sessions null`);
});
