// Replay of a capture holding several connections: curl fetched two pages on two connections
// while dumpcap (Wireshark's capture engine) captured the loopback, and the capture came in with
// curl's key log. The replay says which connection it sent and which it did not, and sends
// another when asked.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlslabInProcess } from '../support/cliInProcess';
import { startLoopbackCapture } from '../support/loopbackCapture';
import { Workbench } from '../../src-main/workbench';
import { makeUpstreamPki, startPythonUpstream, type PythonUpstream, type UpstreamPki } from '../support/proxyPeers';

let tmp: string;
let dataDir: string;
let pki: UpstreamPki;
let upstream: PythonUpstream;
let id: string;
let h2Id: string;

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

  // curl fetching a page over HTTP/2 from Node's HTTP/2 server, captured the same way.
  const h2 = http2.createSecureServer({ cert: fs.readFileSync(pki.cert), key: fs.readFileSync(pki.key) }, (req, res) => res.end(`h2 page ${req.url}\n`));
  await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', () => resolve()));
  const h2Port = (h2.address() as { port: number }).port;
  const h2Capture = await startLoopbackCapture(h2Port, path.join(tmp, 'h2.pcapng'));
  const h2Keylog = path.join(tmp, 'h2-keys.log');
  const fetched = await promisify(execFile)('curl', ['-s', '--http2', '--cacert', pki.caCert, '--resolve', `www.example.com:${h2Port}:127.0.0.1`, `https://www.example.com:${h2Port}/h2`], {
    env: { ...process.env, SSLKEYLOGFILE: h2Keylog },
  });
  expect(fetched.stdout).toBe('h2 page /h2\n');
  await h2Capture.stop();
  await new Promise((resolve) => h2.close(resolve));
  const h2Imported = await tlslabInProcess(dataDir, ['sessions', 'import', h2Capture.file, '--keylog', h2Keylog]);
  h2Id = /as session (\d+)/.exec(h2Imported.stdout)![1];
  expect((await tlslabInProcess(dataDir, ['ca', 'create', 'Capture CA'])).status).toBe(0);
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

describe('replay-server of an HTTP/2 capture', () => {
  it('refuses with one line that says why and how to record it so that it can be served', async () => {
    const run = await tlslabInProcess(dataDir, ['replay-server', h2Id, '--ca', 'Capture CA', '--listen', '127.0.0.1:0']);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim()).toBe(
      `tlslab: session ${h2Id} spoke HTTP/2 (ALPN h2), which the replay server cannot play back: it answers HTTP/1.x requests from recorded HTTP/1.x answers. Record the site again over HTTP/1.1: curl --http1.1, or any browser through the workbench's proxy, which speaks HTTP/1.1 on both sides`,
    );
  });

  it('served with an HTTP/1.1 capture, it is left out with a note, and the HTTP/1.1 answers are served', async () => {
    const wb = new Workbench({ dataDir });
    try {
      const info = await wb.replay.startServer({ ids: [Number(id), Number(h2Id)], ca: 'Capture CA', listen: '127.0.0.1:0' });
      expect(info.streams).toBe(0);
      expect(info.requests).toEqual(['GET /one', 'GET /two?x=1']);
      expect(info.notes).toEqual([expect.stringMatching(new RegExp(`^session ${h2Id} spoke HTTP/2 \\(ALPN h2\\) and is left out: the replay server answers HTTP/1.x only\\.`))]);
      await wb.replay.stopServer(info.id);
    } finally {
      await wb.close();
    }
  });
});

describe('client replay of an HTTP/2 capture', () => {
  it('sends the same frames, says the comparison is of bytes, and shows no frame bytes as text', async () => {
    const h2 = http2.createSecureServer({ cert: fs.readFileSync(pki.cert), key: fs.readFileSync(pki.key) }, (req, res) => res.end(`h2 page ${req.url}\n`));
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (h2.address() as { port: number }).port;
      const run = await tlslabInProcess(dataDir, ['replay', h2Id, '--to', `127.0.0.1:${port}`, '--json']);
      const result = JSON.parse(run.stdout);
      expect(result.error).toBeNull();
      expect(result.replay.alpn).toBe('h2');
      expect(result.replayed.bytes).toBeGreaterThan(0);
      expect(result.original.text).toMatch(/^\[\d+ bytes of HTTP\/2 frames: not shown\]$/);
      expect(result.replayed.text).toMatch(/^\[\d+ bytes of HTTP\/2 frames: not shown\]$/);
      // The diff tells the two answers apart by their digests.
      for (const line of result.diff.lines) expect(line.text).toMatch(/^\[\d+ bytes of HTTP\/2 frames, SHA-256 [0-9a-f]{16}…: not shown\]$/);
      expect(result.notes).toContain(
        'the connection spoke HTTP/2 (ALPN h2): the replay sent the same frames, and the answers are compared as bytes, not request by request (HTTP/2 frames are binary, their headers compressed)',
      );
    } finally {
      await new Promise((resolve) => h2.close(resolve));
    }
  });
});
