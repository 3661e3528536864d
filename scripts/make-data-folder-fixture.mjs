#!/usr/bin/env node
// Makes one data-folder fixture for test/integration/upgrade-data-folder.test.ts: a data folder
// written by an OLDER workbench, the way a teacher would hand it out, plus what that older
// workbench itself showed about it.
//
//   git worktree add /tmp/wb-old-7 5aef6b2            # the last commit of a schema version
//   ln -s /work/main/node_modules /tmp/wb-old-7/node_modules
//   node scripts/make-data-folder-fixture.mjs /tmp/wb-old-7 test/fixtures/data-folders/schema-7.tar.gz
//   git worktree remove --force /tmp/wb-old-7
//
// It runs the old worktree's own CLI (bin/tlslab.mjs) and uses only what that version offers,
// judged from its --help: a CA and a server certificate (`ca`, `cert`), a key sealed under a
// workbench passphrase (`passphrase`), client sessions against `openssl s_server -www` over TLS 1.3
// and TLS 1.2, a session of the workbench's own server, a download large enough that versions with
// recording files (schema 4 and later) write it to recordings/<id>.bin, a named and tagged session
// and an imported capture (`sessions import`), a hand-out of two sessions imported back (schema 9),
// and a server session that asked for a client certificate. Everything listens on 127.0.0.1 only.
//
// The tarball holds data/ (the folder) and expected/ (meta.json, the old code's `sessions list
// --json`, `sessions show N --json` for each session, and `ca list --json` where there is one).
// When the schema changes again, run it against the last commit of the previous schema and add
// a line to test/fixtures/data-folders/README.md.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [oldTree, outFile] = process.argv.slice(2);
if (!oldTree || !outFile) {
  console.error('usage: node scripts/make-data-folder-fixture.mjs <old worktree> <out.tar.gz>');
  process.exit(2);
}
const cli = path.join(path.resolve(oldTree), 'bin', 'tlslab.mjs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-fixture-'));
const data = path.join(work, 'data');
const expected = path.join(work, 'expected');
const pki = path.join(work, 'pki');
const www = path.join(work, 'www');
for (const d of [expected, pki, www]) fs.mkdirSync(d, { recursive: true });
const PASSPHRASE = 'course passphrase 2026';
const passFile = path.join(pki, 'pass.txt');
fs.writeFileSync(passFile, `${PASSPHRASE}\n`);

const env = { ...process.env, TLSLAB_SOURCES: '1' };
delete env.TLSLAB_PASSPHRASE;
function tlslab(args, extraEnv = {}) {
  return execFileSync(process.execPath, [cli, '--data-dir', data, ...args], {
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    cwd: oldTree,
    timeout: 120_000,
  });
}
const json = (args, extraEnv) => JSON.parse(tlslab([...args, '--json'], extraEnv));
const commands = (args) =>
  (execFileSync(process.execPath, [cli, ...args, '--help'], { env, encoding: 'utf8', cwd: oldTree })
    .split('Commands:')[1] ?? '')
    .split('\n')
    .map((l) => /^ {2}([a-z-]+)/.exec(l)?.[1])
    .filter(Boolean);
const top = commands([]);
const sessionCmds = commands(['sessions']);
const help = (args) => execFileSync(process.execPath, [cli, ...args, '--help'], { env, encoding: 'utf8', cwd: oldTree });
const has = {
  pki: top.includes('ca'),
  passphrase: top.includes('passphrase'),
  importCmd: sessionCmds.includes('import'),
  tag: sessionCmds.includes('tag'),
  // Several sessions in one hand-out bundle (format 3, schema 9), and a server that asks clients
  // for a certificate (its sessions keep what it asked since b2712bc, in schema 8).
  handout: sessionCmds.includes('export') && help(['sessions', 'export']).includes('hand-out'),
  clientCa: top.includes('server') && help(['server']).includes('--client-ca'),
};

// openssl's own CA and server certificate for s_server (names lab.test and 127.0.0.1).
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: pki, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Fixture Peer CA']);
sh('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=lab.test']);
fs.writeFileSync(path.join(pki, 'ext.cnf'), 'subjectAltName=DNS:lab.test,IP:127.0.0.1\n');
sh('openssl', ['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '3650', '-extfile', 'ext.cnf']);

// The download: 64 KiB of text, so that several 16 KiB records each reach FILE_CHUNK_BYTES (8 KiB).
const lines = [];
for (let i = 0; lines.join('').length < 64 * 1024; i++) lines.push(`line ${i} ${crypto.createHash('sha256').update(String(i)).digest('hex')}\n`);
const download = Buffer.from(lines.join('')).subarray(0, 64 * 1024);
fs.writeFileSync(path.join(www, 'download.txt'), download);

function startProcess(cmd, args, cwd, ready) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (b) => {
      out += b.toString();
      const m = ready(out);
      if (m) resolve({ child, match: m });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${cmd} exited (${code}) before it was ready:\n${out}`)));
  });
}
const stop = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.on('exit', resolve);
    child.kill('SIGINT');
  });

async function openssl(mode, cwd) {
  const { child, match } = await startProcess(
    'openssl',
    ['s_server', '-accept', '127.0.0.1:0', '-cert', path.join(pki, 'srv.pem'), '-key', path.join(pki, 'srv.key'), mode],
    cwd,
    (out) => /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out),
  );
  return { child, port: Number(match[1]) };
}
function client(port, extra) {
  const r = json(['client', `lab.test:${port}`, '--connect-to', `127.0.0.1:${port}`, '--ca', path.join(pki, 'ca.pem'), ...extra]);
  if (r.status !== 'ok') throw new Error(`the old client's session did not succeed: ${JSON.stringify(r).slice(0, 500)}`);
  return r.sessionId ?? r.id;
}
const sessionIds = () => json(['sessions', 'list']).map((s) => s.id);

const meta = { commit: execFileSync('git', ['-C', oldTree, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(), has, passphrase: null, sessions: {}, downloadSha256: crypto.createHash('sha256').update(download).digest('hex'), downloadBytes: download.length };

// 1. The teacher's CA and a server certificate (versions with the certificate workshop).
if (has.pki) {
  tlslab(['ca', 'create', 'Course Root CA', '--key', 'ec:P-256']);
  tlslab(['cert', 'issue', '--ca', 'Course Root CA', '--cn', 'lab.test', '--san', 'DNS:lab.test,IP:127.0.0.1', '--key', 'ec:P-256', '--out-cert', path.join(pki, 'lab-cert.pem'), '--out-key', path.join(pki, 'lab-key.pem')]);
}

// 2. Client sessions against openssl s_server -www: TLS 1.3 and TLS 1.2.
{
  const { child, port } = await openssl('-www', www);
  meta.sessions.tls13 = client(port, ['--get', '/', '--min-version', 'TLSv1.3']);
  meta.sessions.tls12 = client(port, ['--get', '/', '--max-version', 'TLSv1.2']);
  await stop(child);
}
// 3. A busy connection: a download from openssl s_server -WWW.
{
  const { child, port } = await openssl('-WWW', www);
  meta.sessions.download = client(port, ['--get', '/download.txt']);
  await stop(child);
}
// 4. A session of the workbench's own server, reached by curl.
{
  const identity = has.pki ? ['--identity', 'lab:lab.test'] : ['--cert', path.join(pki, 'srv.pem'), '--key', path.join(pki, 'srv.key')];
  const { child, match } = await startProcess(process.execPath, [cli, '--data-dir', data, 'server', '--port', '0', ...identity], oldTree, (out) => /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(out));
  const port = Number(match[1]);
  execFileSync('curl', ['-sS', '--cacert', has.pki ? writeCaPem() : path.join(pki, 'ca.pem'), '--resolve', `lab.test:${port}:127.0.0.1`, `https://lab.test:${port}/from-curl`], { stdio: 'ignore' });
  await stop(child);
  meta.sessions.server = json(['sessions', 'list']).find((s) => s.kind === 'server')?.id ?? null;
}
function writeCaPem() {
  const file = path.join(pki, 'course-ca.pem');
  tlslab(['ca', 'export', 'Course Root CA', '--out', file]);
  return file;
}
// 5. A named and tagged session, and an imported capture.
if (has.tag) {
  tlslab(['sessions', 'rename', String(meta.sessions.tls13), 'Lesson 3: TLS 1.3 handshake']);
  tlslab(['sessions', 'tag', String(meta.sessions.tls13), 'lesson-3', 'tls13']);
}
if (has.importCmd) {
  const capture = path.join(work, 'capture.pcapng');
  tlslab(['sessions', 'export', String(meta.sessions.tls12), '--format', 'pcapng', '--out', capture]);
  const before = sessionIds();
  tlslab(['sessions', 'import', capture]);
  meta.sessions.imported = sessionIds().find((id) => !before.includes(id));
}
// 6. A teacher's hand-out of two sessions (bundle format 3), imported back as two new sessions.
if (has.handout && has.importCmd) {
  const handout = path.join(work, 'lesson-handout.tlslab');
  tlslab(['sessions', 'export', String(meta.sessions.tls13), String(meta.sessions.tls12), '--format', 'bundle', '--out', handout]);
  const before = sessionIds();
  tlslab(['sessions', 'import', handout]);
  meta.sessions.handout = sessionIds().filter((id) => !before.includes(id)).sort((a, b) => a - b);
}
// 7. A session of a server that asks for a client certificate (and does not require one), reached
// by curl without one.
if (has.clientCa && has.pki) {
  const before = sessionIds();
  const { child, match } = await startProcess(
    process.execPath,
    [cli, '--data-dir', data, 'server', '--port', '0', '--identity', 'lab:lab.test', '--client-ca', 'lab:Course Root CA', '--label', 'asks for a client certificate'],
    oldTree,
    (out) => /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(out),
  );
  const port = Number(match[1]);
  execFileSync('curl', ['-sS', '--cacert', writeCaPem(), '--resolve', `lab.test:${port}:127.0.0.1`, `https://lab.test:${port}/no-client-cert`], { stdio: 'ignore' });
  await stop(child);
  meta.sessions.clientCertRequested = sessionIds().find((id) => !before.includes(id)) ?? null;
}
// 8. Every stored key sealed under the workbench passphrase.
if (has.passphrase) {
  tlslab(['passphrase', 'set', '--passphrase-file', passFile]);
  meta.passphrase = PASSPHRASE;
}

// What the old code showed.
const list = json(['sessions', 'list']);
fs.writeFileSync(path.join(expected, 'sessions-list.json'), JSON.stringify(list, null, 2));
for (const s of list) fs.writeFileSync(path.join(expected, `session-${s.id}.json`), tlslab(['sessions', 'show', String(s.id), '--json']));
if (has.pki) fs.writeFileSync(path.join(expected, 'ca-list.json'), tlslab(['ca', 'list', '--json']));
meta.schema = Number(execFileSync('sqlite3', [path.join(data, 'workbench.sqlite'), 'PRAGMA user_version;'], { encoding: 'utf8' }).trim());
fs.writeFileSync(path.join(expected, 'meta.json'), JSON.stringify(meta, null, 2));

// Fold the WAL into the database so that the folder is what a closed workbench leaves.
execFileSync('sqlite3', [path.join(data, 'workbench.sqlite'), 'PRAGMA wal_checkpoint(TRUNCATE);'], { stdio: 'ignore' });
fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
execFileSync('tar', ['-czf', path.resolve(outFile), '-C', work, 'data', 'expected']);
fs.rmSync(work, { recursive: true, force: true });
console.log(`${outFile}: schema ${meta.schema}, commit ${meta.commit}, sessions ${JSON.stringify(meta.sessions)}`);
