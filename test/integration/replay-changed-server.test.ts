// Replaying to a server that changed since the recording (`openssl s_server -www`, then one with
// another certificate): what the student reads must say what happened and what to do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlslabInProcess } from '../support/cliInProcess';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { loopbackGet, recordInto } from '../support/clientRequest';

let tmp: string;
let dataDir: string;
let pki: TestPki;
let good: RunningPeer;
let expired: RunningPeer;
let id: number;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-changed-'));
  dataDir = path.join(tmp, 'data');
  pki = makeTestPki();
  good = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www']);
  expired = await startOpensslServer(pki.expiredCert, pki.expiredKey, ['-www']);
  id = await recordInto(dataDir, loopbackGet('www.bank32.com', good.port, pki.caCert));
});

afterAll(async () => {
  await good?.stop();
  await expired?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('replay to a changed server', () => {
  it('a certificate that no longer verifies: the failure says what to do', async () => {
    const run = await tlslabInProcess(dataDir, ['replay', String(id), '--to', `127.0.0.1:${expired.port}`]);
    expect(run.status).toBe(1);
    const first = run.stdout.split('\n')[0];
    expect(first).toMatch(/failed: the server's certificate did not verify \(.*expired.*\); trust the CA that issued it \(--ca FILE or --ca lab:NAME\), or replay without verifying \(--no-verify\)$/);
    const insecure = await tlslabInProcess(dataDir, ['replay', String(id), '--to', `127.0.0.1:${expired.port}`, '--no-verify']);
    expect(insecure.status).toBe(0);
  });

  it('--ca takes a trust store as tlslab client does: a PEM file here', async () => {
    const run = await tlslabInProcess(dataDir, ['replay', String(id), '--to', `127.0.0.1:${good.port}`, '--ca', pki.caCert]);
    expect(run.stdout.split('\n')[0]).toMatch(/: session \d+ ok$/);
    expect(run.status).toBe(0);
    const refused = await tlslabInProcess(dataDir, ['replay', String(id), '--to', `127.0.0.1:${expired.port}`, '--ca', pki.caCert]);
    expect(refused.status).toBe(1);
    expect(refused.stdout.split('\n')[0]).toMatch(/did not verify \(.*expired/);
  });

  it('a server that is gone: the failure, and no diff against nothing', async () => {
    const gone = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www']);
    await gone.stop();
    const run = await tlslabInProcess(dataDir, ['replay', String(id), '--to', `127.0.0.1:${gone.port}`]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/failed: nothing is listening on 127\.0\.0\.1:\d+/);
    expect(run.stdout).toMatch(/^ {2}sent nothing of the \d+ bytes of recorded application data$/m);
    expect(run.stdout).toContain('  no answer to compare: the replay ended before the server sent any application data');
    // The original's page is not listed line by line as "removed".
    expect(run.stdout).not.toContain('- HTTP/1.0 200 ok');
  });
});
