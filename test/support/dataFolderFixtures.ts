// The data folders earlier workbenches wrote (test/fixtures/data-folders, made by
// scripts/make-data-folder-fixture.mjs): their names, and each unpacked with what the old code
// printed about it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'data-folders');

/** What the fixture script recorded about a folder (expected/meta.json). */
export interface FixtureMeta {
  commit: string;
  schema: number;
  /** handout and clientCa: asked of fixtures made since schema 9. */
  has: { pki: boolean; passphrase: boolean; importCmd: boolean; tag: boolean; handout?: boolean; clientCa?: boolean };
  passphrase: string | null;
  sessions: {
    tls13: number;
    tls12: number;
    download: number;
    server: number | null;
    imported?: number;
    /** The hand-out of tls13 and tls12 (bundle format 3) imported back: its two sessions, in that order. */
    handout?: number[];
    /** A session of the workbench's server that asked for a client certificate; curl sent none. */
    clientCertRequested?: number | null;
  };
  downloadSha256: string;
  downloadBytes: number;
}

/** The fixtures' file names, oldest schema first ("schema-1.tar.gz", ...). */
export const dataFolderFixtures: string[] = fs
  .readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.tar.gz'))
  .sort();

/** Unpacks `fixture` into `into/<its name>`: the old `data/` folder, and `expected/` with its meta. */
export function unpackDataFolder(fixture: string, into: string): { data: string; expected: string; meta: FixtureMeta } {
  const dir = path.join(into, fixture.replace('.tar.gz', ''));
  fs.mkdirSync(dir);
  execFileSync('tar', ['-xzf', path.join(FIXTURES, fixture), '-C', dir]);
  const expected = path.join(dir, 'expected');
  return { data: path.join(dir, 'data'), expected, meta: JSON.parse(fs.readFileSync(path.join(expected, 'meta.json'), 'utf8')) as FixtureMeta };
}
