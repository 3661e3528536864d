// Replay of a capture holding several connections: curl fetched two pages on two connections
// while tshark captured the loopback, and the capture came in with curl's key log. The replay
// says which connection it sent and which it did not, and sends another when asked.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlslabInProcess } from '../support/cliInProcess';
import { startLoopbackCapture } from '../support/loopbackCapture';
import { makeUpstreamPki, startPythonUpstream, type PythonUpstream, type UpstreamPki } from '../support/proxyPeers';

let tmp: string;
let dataDir: string;
let pki: UpstreamPki;
let upstream: PythonUpstream;
let id: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-review-capture-'));
  dataDir = path.join(tmp, 'data');
  pki = makeUpstreamPki();
  upstream = await startPythonUpstream(pki.cert, pki.key);
  const capture = await startLoopbackCapture(upstream.port, path.join(tmp, 'two.pcapng'));
  const keylog = path.join(tmp, 'keys.log');
  for (const page of ['/one', '/two?x=1']) {
    await promisify(execFile)('curl', ['-s', '--http1.1', '--cacert', pki.caCert, '--resolve', `www.example.com:${upstream.port}:127.0.0.1`, `https://www.example.com:${upstream.port}${page}`], {
      env: { ...process.env, SSLKEYLOGFILE: keylog },
    });
  }
  await capture.stop();
  const imported = await tlslabInProcess(dataDir, ['sessions', 'import', capture.file, '--keylog', keylog]);
  expect(imported.stdout).toContain('2 connections');
  id = /as session (\d+)/.exec(imported.stdout)![1];
});

afterAll(async () => {
  await upstream?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('replay of a capture with two connections', () => {
  it('sends the first connection and says that the second was not sent, and how to send it', async () => {
    const before = upstream.requests().length;
    const run = await tlslabInProcess(dataDir, ['replay', id]);
    expect(run.status).toBe(0);
    expect(upstream.requests().slice(before).map((r) => r.line)).toEqual(['GET /one HTTP/1.1']);
    expect(run.stdout).toContain(
      `note: session ${id} holds 2 connections on which the client sent data; this replay sent connection 1's (GET /one) and not connection 2's (GET /two?x=1): replay another with "tlslab replay ${id} --connection 2"`,
    );
  });

  it('--connection 2 sends the second connection, and compares it with its own answer', async () => {
    const before = upstream.requests().length;
    const run = await tlslabInProcess(dataDir, ['replay', id, '--connection', '2', '--json']);
    expect(run.status).toBe(0);
    expect(upstream.requests().slice(before).map((r) => r.line)).toEqual(['GET /two?x=1 HTTP/1.1']);
    const result = JSON.parse(run.stdout);
    expect(result.connection).toBe(2);
    expect(result.requestIdentical).toBe(true);
    expect(result.original.text).toContain('<!-- path /two?x=1 -->');
    expect(result.replayed.text).toContain('<!-- path /two?x=1 -->');
  });

  it('a connection the session does not have: one line that says which there are', async () => {
    const run = await tlslabInProcess(dataDir, ['replay', id, '--connection', '3']);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim()).toBe(`tlslab: session ${id} has 2 connections: choose one from 1 to 2`);
  });
});
