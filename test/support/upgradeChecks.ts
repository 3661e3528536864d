// The checks a data folder written by an earlier workbench must pass in this one: it opens with
// nothing lost. Each fixture in test/fixtures/data-folders/ was made by the OLD code's own CLI
// (scripts/make-data-folder-fixture.mjs): sessions recorded against openssl s_server, a session of
// the workbench's server, a download kept in recordings/<id>.bin (schema 4 and later), a named and
// tagged session, an imported capture, a CA with a server certificate and keys sealed under a
// workbench passphrase, a hand-out of two sessions imported back and a server session that asked
// for a client certificate, where that version had them. Next to the folder is what the old code
// printed about it (expected/), which this workbench must still show: same sessions, same records
// and bytes, the same decrypted pages. The fixtures are split over two test files
// (test/integration/upgrade-data-folder*.test.ts) so that they run side by side.
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { tlslabInProcess } from './cliInProcess';
import { dataFolderFixtures, unpackDataFolder, type FixtureMeta } from './dataFolderFixtures';
import { tshark } from './loopbackCapture';
import { tlslabSync } from './run';

type Meta = FixtureMeta;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any


async function cli(data: string, args: string[], env: Record<string, string | undefined> = {}): Promise<string> {
  const run = await tlslabInProcess(data, args, { TLSLAB_PASSPHRASE: undefined, ...env });
  if (run.status !== 0) throw new Error(`tlslab ${args.join(' ')} exited ${run.status}: ${run.stderr}${run.stdout}`);
  return run.stdout;
}
const cliJson = async (data: string, args: string[], env?: Record<string, string | undefined>): Promise<Json> =>
  JSON.parse(await cli(data, [...args, '--json'], env));

/** The parts of `sessions show --json` that an upgrade must not change. */
function lasting(show: Json): Json {
  return {
    id: show.id,
    kind: show.kind,
    status: show.status,
    startedAt: show.startedAt,
    endedAt: show.endedAt,
    target: show.target,
    address: show.address,
    sni: show.sni,
    version: show.version,
    cipher: show.cipher?.openssl,
    alpn: show.alpn,
    error: show.error,
    response: show.response,
    connections: (show.connections as Json[]).map((c) => ({
      id: c.id,
      leg: c.leg,
      local: c.local,
      remote: c.remote,
      bytes: [c.bytesClientToServer, c.bytesServerToClient, c.recordedClientToServer, c.recordedServerToClient],
      records: (c.timeline as Json[])
        .filter((e) => e.kind === 'record')
        .map((e) => `${e.number} ${e.direction} ${e.contentType} ${e.length} ${e.streamOffset}`),
      keylog: c.keylog,
      peerCertificates: (c.peerCertificates as Json[]).map((x) => x.fingerprintSha256),
      localCertificates: (c.localCertificates as Json[]).map((x) => x.fingerprintSha256),
    })),
  };
}

/** What `sessions show N --decrypt` opens as application data, per direction, joined. */
async function decrypted(data: string, id: number): Promise<{ c2s: Buffer; s2c: Buffer; failed: number }> {
  const conns = (await cliJson(data, ['sessions', 'show', String(id), '--decrypt'])) as unknown as Json[];
  const c2s: Buffer[] = [];
  const s2c: Buffer[] = [];
  let failed = 0;
  for (const conn of conns) {
    failed += conn.total - conn.decrypted;
    for (const r of conn.records as Json[]) {
      if (r.contentType !== 23) continue;
      (r.direction === 'client-to-server' ? c2s : s2c).push(Buffer.from(r.plaintextHex, 'hex'));
    }
  }
  return { c2s: Buffer.concat(c2s), s2c: Buffer.concat(s2c), failed };
}

/** The schema and every row of every table (read only): what "nothing changed" means. */
function dump(data: string): string {
  const db = new Database(path.join(data, 'workbench.sqlite'), { readonly: true });
  try {
    const objects = db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").all() as { type: string; name: string; sql: string | null }[];
    const rows = objects.filter((o) => o.type === 'table').map((t) => [t.name, db.prepare(`SELECT * FROM "${t.name}"`).all()]);
    return JSON.stringify({ objects, rows, version: db.pragma('user_version', { simple: true }) });
  } finally {
    db.close();
  }
}
const schemaVersion = (data: string): number => {
  const db = new Database(path.join(data, 'workbench.sqlite'), { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};
const mode = (file: string): number => fs.statSync(file).mode & 0o777;

/**
 * Every check, for each of `fixtures` (names from dataFolderFixtures). The oldest and the newest
 * fixture get every check in full; the ones between, whose upgrade paths those two bound, get the
 * same checks with what does not depend on the schema done once rather than per session: tshark
 * reads one exported session (the download, which schema 4 moved to a recording file) instead of
 * three, the second open compares the data folder without showing every session again, and the
 * replay (which reads sessions as the show does) is left to the two ends.
 */
export function describeUpgrades(fixtures: string[]): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-upgrade-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const ends = new Set([dataFolderFixtures[0], dataFolderFixtures[dataFolderFixtures.length - 1]]);

  describe.each(fixtures)('a data folder from an earlier workbench (%s)', (fixture) => {
    const full = ends.has(fixture);
    const { data, expected, meta } = unpackDataFolder(fixture, tmp);
    const oldList = JSON.parse(fs.readFileSync(path.join(expected, 'sessions-list.json'), 'utf8')) as Json[];
    const passEnv = { TLSLAB_PASSPHRASE: meta.passphrase ?? undefined };

    it('opens at the current schema and lists the same sessions', async () => {
      const list = (await cliJson(data, ['sessions', 'list'])) as unknown as Json[];
      const brief = (s: Json) => [s.id, s.kind, s.status, s.target, s.address, s.sni, s.version, s.startedAt];
      expect(list.map(brief)).toEqual(oldList.map(brief));
      expect(schemaVersion(data)).toBe(MIGRATIONS.length);
      expect(meta.schema).toBeLessThanOrEqual(MIGRATIONS.length);
    });

    it('shows every session with the records, bytes, key log and certificates the old workbench showed', async () => {
      for (const old of oldList) {
        const before = JSON.parse(fs.readFileSync(path.join(expected, `session-${old.id}.json`), 'utf8'));
        const now = await cliJson(data, ['sessions', 'show', String(old.id)]);
        expect(lasting(now)).toEqual(lasting(before));
        expect(now.connections.length).toBeGreaterThan(0);
      }
    });

    it('decrypts the recorded sessions with their key logs: the pages openssl and the workbench server served', async () => {
      for (const id of [meta.sessions.tls13, meta.sessions.tls12]) {
        const { s2c, c2s, failed } = await decrypted(data, id);
        expect(failed).toBe(0);
        expect(c2s.toString('latin1')).toMatch(/^GET \/ HTTP\/1\.1\r\n/);
        const before = JSON.parse(fs.readFileSync(path.join(expected, `session-${id}.json`), 'utf8'));
        expect(s2c.toString('latin1')).toMatch(/^HTTP\/1\.0 200 ok\r\n[\s\S]*s_server -accept 127\.0\.0\.1:0/);
        if (!before.response.truncated) expect(s2c.toString('latin1')).toBe(before.response.text);
      }
      const download = await decrypted(data, meta.sessions.download);
      expect(download.failed).toBe(0);
      const body = download.s2c.subarray(download.s2c.indexOf('\r\n\r\n') + 4);
      expect(body.length).toBe(meta.downloadBytes);
      expect(crypto.createHash('sha256').update(body).digest('hex')).toBe(meta.downloadSha256);
      if (meta.sessions.server !== null) {
        const server = await decrypted(data, meta.sessions.server);
        expect(server.failed).toBe(0);
        expect(server.c2s.toString('latin1')).toMatch(/^GET \/from-curl HTTP\/1\.1\r\n/);
        expect(server.s2c.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
      }
      if (meta.sessions.imported !== undefined) {
        const imported = await decrypted(data, meta.sessions.imported);
        expect(imported.failed).toBe(0);
        expect(imported.s2c.equals((await decrypted(data, meta.sessions.tls12)).s2c)).toBe(true);
      }
    });

    it('keeps the download a busy connection wrote to its recording file (schema 4 and later)', () => {
      const files = fs.existsSync(path.join(data, 'recordings')) ? fs.readdirSync(path.join(data, 'recordings')) : [];
      if (meta.schema >= 4) expect(files.length).toBeGreaterThan(0);
      else expect(files).toEqual([]);
    });

    it('exports the sessions to pcapng that tshark reads and decrypts with no setup', async () => {
      for (const id of full ? [meta.sessions.tls13, meta.sessions.tls12, meta.sessions.download] : [meta.sessions.download]) {
        const out = path.join(tmp, `${fixture}-${id}.pcapng`);
        await cli(data, ['sessions', 'export', String(id), '--format', 'pcapng', '--out', out]);
        const port = Number(/:(\d+)$/.exec(oldList.find((s) => s.id === id)!.address)![1]);
        // openssl's HTTP/1.0 answers end at the close, which tshark's HTTP reader does not wait for over TLS: heads alone.
        const fields = tshark(['-r', out, '-d', `tcp.port==${port},tls`, '-o', 'http.desegment_body:FALSE', '-Y', 'http', '-T', 'fields', '-e', 'http.request.uri', '-e', 'http.response.code']);
        expect(fields.split('\n').map((l) => l.trim()).filter(Boolean)).toEqual([id === meta.sessions.download ? '/download.txt' : '/', '200']);
      }
    });

    it('finds the named and tagged session (versions with names and tags)', async () => {
      if (!meta.has.tag) return;
      // The hand-out's copy of the session (schema 9) carries its name and tags, and "imported".
      const copy = meta.sessions.handout?.[0];
      const ids = (list: Json[]) => list.map((s) => s.id as number).sort((a, b) => a - b);
      const tagged = (await cliJson(data, ['sessions', 'search', '--tag', 'lesson-3,tls13'])) as unknown as Json[];
      expect(ids(tagged)).toEqual(copy === undefined ? [meta.sessions.tls13] : [meta.sessions.tls13, copy]);
      const named = (await cliJson(data, ['sessions', 'search', 'Lesson 3: TLS 1.3 handshake'])) as unknown as Json[];
      expect(ids(named)).toEqual(ids(tagged));
      expect(named.find((s) => s.id === meta.sessions.tls13)).toMatchObject({ name: 'Lesson 3: TLS 1.3 handshake', tags: ['lesson-3', 'tls13'] });
      if (copy !== undefined) expect(named.find((s) => s.id === copy)).toMatchObject({ name: 'Lesson 3: TLS 1.3 handshake', tags: ['imported', 'lesson-3', 'tls13'] });
    });

    it('imports the same capture again as the session it already is (versions with imports)', async () => {
      if (meta.sessions.imported === undefined) return;
      const capture = path.join(tmp, `${fixture}-again.pcapng`);
      await cli(data, ['sessions', 'export', String(meta.sessions.tls12), '--format', 'pcapng', '--out', capture]);
      const before = ((await cliJson(data, ['sessions', 'list'])) as unknown as Json[]).length;
      const run = await tlslabInProcess(data, ['sessions', 'import', capture]);
      expect(run.status).toBe(0);
      // Imports made before migration 7 kept no content identity: a second import is a new copy, as it was then.
      const after = ((await cliJson(data, ['sessions', 'list'])) as unknown as Json[]).length;
      expect(after - before).toBeLessThanOrEqual(1);
      if (meta.schema >= 7) {
        expect(after).toBe(before);
        expect(run.stdout).toContain(`already imported as session ${meta.sessions.imported}`);
      }
      if (after > before) await cli(data, ['sessions', 'delete', String(Math.max(...((await cliJson(data, ['sessions', 'list'])) as unknown as Json[]).map((s) => s.id)))]);
    });

    (meta.sessions.handout ? it : it.skip)("keeps a hand-out's sessions with the file they came from; the same hand-out again copies nothing (schema 9)", async () => {
      const handout = meta.sessions.handout as number[];
      const originals = [meta.sessions.tls13, meta.sessions.tls12];
      for (const [i, id] of handout.entries()) {
        const before = JSON.parse(fs.readFileSync(path.join(expected, `session-${id}.json`), 'utf8'));
        const now = await cliJson(data, ['sessions', 'show', String(id)]);
        expect(before.imported).toMatchObject({ file: 'lesson-handout.tlslab', kind: 'bundle' });
        expect(now.imported).toEqual(before.imported);
        const copy = await decrypted(data, id);
        expect(copy.failed).toBe(0);
        expect(copy.s2c.equals((await decrypted(data, originals[i])).s2c)).toBe(true);
      }
      const text = await cli(data, ['sessions', 'show', String(handout[0])]);
      expect(text).toContain('lesson-handout.tlslab');
      // The originals handed out again make the same hand-out: each session is the copy already here.
      const again = path.join(tmp, `${fixture}-handout.tlslab`);
      await cli(data, ['sessions', 'export', ...originals.map(String), '--format', 'bundle', '--out', again]);
      const result = await cliJson(data, ['sessions', 'import', again]);
      expect(result.sessions.map((s: Json) => s.alreadyImportedAs)).toEqual(handout);
    });

    (meta.sessions.clientCertRequested ? it : it.skip)('a server session says it asked for a client certificate and the client sent none (schema 9)', async () => {
      const id = meta.sessions.clientCertRequested as number;
      const before = JSON.parse(fs.readFileSync(path.join(expected, `session-${id}.json`), 'utf8'));
      const now = await cliJson(data, ['sessions', 'show', String(id)]);
      // A workbench before b2712bc kept no policy with the session: none is made up on the way.
      expect(now.server.clientCertificatePolicy).toBe(before.server.clientCertificatePolicy);
      if (before.server.clientCertificatePolicy === undefined) return;
      expect(before.server.clientCertificatePolicy).toBe('requested');
      expect(now.server.clientCertificate).toBeNull();
      expect(await cli(data, ['sessions', 'show', String(id)])).toContain('client certificate: none sent (asked for, not required)');
      const served = await decrypted(data, id);
      expect(served.failed).toBe(0);
      expect(served.c2s.toString('latin1')).toMatch(/^GET \/no-client-cert HTTP\/1\.1\r\n/);
    });

    it('keeps the CAs and certificates, their keys sealed under the passphrase and usable with it', async () => {
      if (!meta.has.pki) return;
      const oldCas = JSON.parse(fs.readFileSync(path.join(expected, 'ca-list.json'), 'utf8'));
      const cas = await cliJson(data, ['ca', 'list']);
      const ids = (tree: Json) => JSON.stringify(tree.cas.map((c: Json) => [c.name, c.fingerprintSha256, c.hasPrivateKey, c.issued.map((i: Json) => [i.name, i.fingerprintSha256, i.hasPrivateKey])]));
      expect(ids(cas)).toBe(ids(oldCas));

      const status = await cliJson(data, ['passphrase', 'status']);
      expect(JSON.stringify(status)).toMatch(/sealed|encrypted|protected/i);
      // Without the passphrase a sealed key does not open, and the message says what to do.
      const locked = await tlslabInProcess(data, ['cert', 'export', 'lab.test', '--format', 'key', '--out', path.join(tmp, `${fixture}-locked.pem`)], { TLSLAB_PASSPHRASE: undefined });
      expect(locked.status).not.toBe(0);
      expect(locked.stderr).toMatch(/passphrase/i);

      const keyFile = path.join(tmp, `${fixture}-key.pem`);
      await cli(data, ['cert', 'export', 'lab.test', '--format', 'key', '--out', keyFile], passEnv);
      const certFile = path.join(tmp, `${fixture}-cert.pem`);
      await cli(data, ['cert', 'export', 'lab.test', '--out', certFile], passEnv);
      // The unsealed key is the certificate's key.
      const pub = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });
      expect(pub(['pkey', '-in', keyFile, '-pubout'])).toBe(pub(['x509', '-in', certFile, '-noout', '-pubkey']));

      // The old CA still issues, and openssl verifies what it issued against it.
      const caFile = path.join(tmp, `${fixture}-ca.pem`);
      await cli(data, ['ca', 'export', 'Course Root CA', '--out', caFile], passEnv);
      const issued = path.join(tmp, `${fixture}-new.pem`);
      await cli(data, ['cert', 'issue', '--ca', 'Course Root CA', '--cn', 'after-upgrade.lab.test', '--out-cert', issued, '--out-key', path.join(tmp, `${fixture}-new-key.pem`)], passEnv);
      expect(execFileSync('openssl', ['verify', '-CAfile', caFile, issued], { encoding: 'utf8' })).toContain(': OK');
    });

    it('a second process and a second open change nothing more', async () => {
      await cli(data, ['sessions', 'list']);
      const first = dump(data);
      const child = tlslabSync(data, ['sessions', 'list', '--json']);
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect((JSON.parse(child.stdout) as Json[]).map((s) => s.id)).toEqual(expect.arrayContaining(oldList.map((s) => s.id)));
      expect(dump(data)).toBe(first);
      if (!full) return;
      for (const old of oldList) {
        const before = JSON.parse(fs.readFileSync(path.join(expected, `session-${old.id}.json`), 'utf8'));
        expect(lasting(await cliJson(data, ['sessions', 'show', String(old.id)]))).toEqual(lasting(before));
      }
      expect(dump(data)).toBe(first);
    });

    // A handed-out folder whose keys are sealed: the commands that present a workshop key take the
    // workbench passphrase as the certificate commands do ($TLSLAB_PASSPHRASE or a file).
    (meta.has.passphrase ? it : it.skip)('lets client --identity use a sealed key given the workbench passphrase, and says how without it', async () => {
      const run = await tlslabInProcess(data, ['client', '127.0.0.1:9', '--identity', 'lab:lab.test'], passEnv);
      expect(run.stderr).not.toMatch(/passphrase|locked/i);
      expect(run.stderr).toMatch(/refused|127\.0\.0\.1:9/);
      const locked = await tlslabInProcess(data, ['client', '127.0.0.1:9', '--identity', 'lab:lab.test']);
      expect(locked.stderr).toMatch(/set TLSLAB_PASSPHRASE or give --workbench-passphrase-file FILE/);
      const help = await tlslabInProcess(data, ['server', '--help']);
      expect(help.stdout).toContain('--workbench-passphrase-file');
    });

    // A session the teacher recorded with --ca FILE names a file the student's machine has not.
    (full ? it : it.skip)('replays an old session with --no-verify where the original trust file is not; with verification on, says what to give', async () => {
      const run = await tlslabInProcess(data, ['replay', String(meta.sessions.tls12), '--to', '127.0.0.1:9', '--no-verify']);
      expect(run.stdout + run.stderr).not.toMatch(/trust file|CA file/);
      const verifying = await tlslabInProcess(data, ['replay', String(meta.sessions.tls12), '--to', '127.0.0.1:9']);
      expect(verifying.status).toBe(1);
      expect(verifying.stderr.trim().split('\n')).toHaveLength(1);
      expect(verifying.stderr).toMatch(/client trusted the CA file .*, which is not on this machine; give the CA to verify against \(--ca-file FILE, or --ca lab:NAME\), or replay without verifying \(--no-verify\)/);
    });

    it('keeps the database, its journal files and the recordings readable by their owner alone', async () => {
      await cli(data, ['sessions', 'list']);
      expect(mode(data) & 0o077).toBe(0);
      for (const f of ['workbench.sqlite', 'workbench.sqlite-wal', 'workbench.sqlite-shm']) {
        if (fs.existsSync(path.join(data, f))) expect(mode(path.join(data, f)) & 0o077).toBe(0);
      }
      const recordings = path.join(data, 'recordings');
      if (fs.existsSync(recordings)) {
        expect(mode(recordings) & 0o077).toBe(0);
        for (const f of fs.readdirSync(recordings)) expect(mode(path.join(recordings, f)) & 0o077).toBe(0);
      }
    });
  });
}
