// A session whose recording file went missing (deleted, or a data folder copied without its
// recordings/) still exports what is left, and every export says it is incomplete: in the
// summary, on standard error when the file itself goes to standard output, and again when the
// bundle made from it is imported into another data folder (teacher to student) and exported there.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/workbench';
import { tshark } from '../support/loopbackCapture';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { loopbackGet } from '../support/clientRequest';
import { tlslabSync } from '../support/run';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tlslab.mjs');

let pki: TestPki;
let tmp: string;
let peer: RunningPeer;

beforeAll(async () => {
  pki = makeTestPki('tlslab-incomplete-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-incomplete-'));
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, 'big.bin'), crypto.randomBytes(200 * 1024));
  peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-WWW', '-quiet'], { cwd: www });
});

afterAll(async () => {
  await peer?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const cli = tlslabSync;

describe('export of a session whose recording file is missing', () => {
  it('writes what is left and says the file is incomplete, also after the bundle moves to another data folder', async () => {
    const teacher = path.join(tmp, 'teacher');
    const wb = new Workbench({ dataDir: teacher });
    let id: number;
    try {
      id = await wb.recordClient(loopbackGet('www.bank32.com', peer.port, pki.caCert, { send: { kind: 'http-get', path: '/big.bin' } }));
      expect((await wb.session(id)).status).toBe('ok');
    } finally {
      await wb.close();
    }
    const whole = path.join(tmp, 'whole.pcapng');
    const before = cli(teacher, ['sessions', 'export', String(id), '--format', 'pcapng', '--out', whole]);
    expect(before.status).toBe(0);
    expect(before.stdout).not.toMatch(/incomplete:/);

    const recordings = path.join(teacher, 'recordings');
    const files = fs.readdirSync(recordings);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) fs.rmSync(path.join(recordings, f));

    const partial = path.join(tmp, 'partial.pcapng');
    const after = cli(teacher, ['sessions', 'export', String(id), '--format', 'pcapng', '--out', partial]);
    expect(after.status).toBe(0);
    expect(after.stdout).toMatch(/incomplete: connection 1 lacks recorded bytes/);
    expect(after.stdout).toMatch(/put the data folder's recordings\/ back/);
    // What is left still opens in tshark: the handshake is there, the download is not.
    expect(fs.statSync(partial).size).toBeLessThan(fs.statSync(whole).size / 4);
    expect(tshark(['-r', partial, '-d', `tcp.port==${peer.port},tls`, '-Y', 'tls.handshake.type == 1']).trim()).not.toBe('');

    const toStdout = cli(teacher, ['sessions', 'export', String(id), '--format', 'keylog', '--out', '-']);
    expect(toStdout.status).toBe(0);
    expect(toStdout.stdout).toMatch(/^CLIENT_/m);
    expect(toStdout.stderr.trim().split('\n')).toHaveLength(1);
    expect(toStdout.stderr).toMatch(new RegExp(`^tlslab: session ${id}: incomplete: connection 1 lacks recorded bytes`));

    const bundle = path.join(tmp, 'handout.tlslab');
    const exported = cli(teacher, ['sessions', 'export', String(id), '--format', 'bundle', '--out', bundle, '--json']);
    expect((JSON.parse(exported.stdout) as { summary: string }).summary).toMatch(/incomplete:/);
    const student = path.join(tmp, 'student');
    const imported = JSON.parse(cli(student, ['sessions', 'import', bundle, '--json']).stdout) as { id: number };
    const again = cli(student, ['sessions', 'export', String(imported.id), '--format', 'pcapng', '--out', path.join(tmp, 'student.pcapng')]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/incomplete: connection 1 lacks recorded bytes/);
    expect(execFileSync('node', [BIN, '--data-dir', student, 'sessions', 'show', String(imported.id)], { encoding: 'utf8' })).toMatch(/recorded bytes missing/);
  });
});
