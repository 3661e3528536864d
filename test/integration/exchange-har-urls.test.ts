// HAR of a capture with requests to two servers that carry no Host header (HTTP/1.0 typed into
// `openssl s_client`, the lab's first exercise): dumpcap captures each `openssl s_server`, mergecap
// joins the captures, and the imported session's HAR must put each request on the server it went
// to, as tshark shows it, in a HAR 1.2 log that has every field the format requires.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackCapture, tshark } from '../support/loopbackCapture';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tlslab.mjs');
const missing = ['tshark', 'mergecap'].filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);

let pki: TestPki;
let tmp: string;
const peers: RunningPeer[] = [];

beforeAll(() => {
  pki = makeTestPki('tlslab-har-urls-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-har-urls-'));
});

afterAll(async () => {
  for (const p of peers) await p.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** `openssl s_client` sending an HTTP/1.0 request with no Host header, its keys to the key log. */
function hostlessGet(port: number, uri: string, keylog: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caCert, '-keylogfile', keylog, '-quiet'], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdout.on('data', () => undefined);
    child.stdin.write(`GET ${uri} HTTP/1.0\r\n\r\n`);
    // s_server -www answers and closes; s_client then exits.
    child.once('exit', () => resolve());
    child.once('error', reject);
  });
}

describe.skipIf(missing.length > 0)(`HAR of requests without a Host header${missing.length ? ` (skipped: ${missing.join(', ')} not installed)` : ''}`, () => {
  it('each request is put on the server it went to, in a HAR 1.2 log', async () => {
    const keylog = path.join(tmp, 'keys.log');
    const files: string[] = [];
    const uris: Record<number, string> = {};
    for (const name of ['first', 'second']) {
      const peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www']);
      peers.push(peer);
      const file = path.join(tmp, `${name}.pcapng`);
      const capture = await startLoopbackCapture(peer.port, file);
      uris[peer.port] = `/${name}`;
      await hostlessGet(peer.port, `/${name}`, keylog);
      await capture.stop();
      files.push(file);
    }
    const merged = path.join(tmp, 'merged.pcapng');
    execFileSync('mergecap', ['-w', merged, ...files]);
    const seen = tshark(['-r', merged, '-o', `tls.keylog_file:${keylog}`, '-Y', 'http.request', '-T', 'fields', '-e', 'tcp.dstport', '-e', 'http.request.uri'])
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(seen.map(([port, uri]) => uris[Number(port)] === uri)).toEqual([true, true]);

    const dataDir = path.join(tmp, 'data');
    const run = (args: string[]) => execFileSync('node', [BIN, '--data-dir', dataDir, ...args], { encoding: 'utf8' });
    const imported = JSON.parse(run(['sessions', 'import', merged, '--keylog', keylog, '--json'])) as { id: number; connections: number };
    expect(imported.connections).toBe(2);
    const harFile = path.join(tmp, 'merged.har');
    run(['sessions', 'export', String(imported.id), '--format', 'har', '--out', harFile]);
    const har = JSON.parse(fs.readFileSync(harFile, 'utf8')) as { log: Record<string, unknown> & { entries: Record<string, any>[] } };

    expect(har.log.entries.map((e) => e.request.url as string).sort()).toEqual(
      seen.map(([port, uri]) => `https://127.0.0.1:${port}${uri}`).sort(),
    );
    // The fields HAR 1.2 requires (http://www.softwareishard.com/blog/har-12-spec/).
    expect(har.log).toMatchObject({ version: '1.2', creator: { name: expect.any(String), version: expect.any(String) } });
    for (const e of har.log.entries) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['startedDateTime', 'time', 'request', 'response', 'cache', 'timings']));
      expect(Number.isNaN(Date.parse(e.startedDateTime))).toBe(false);
      expect(Object.keys(e.request)).toEqual(expect.arrayContaining(['method', 'url', 'httpVersion', 'cookies', 'headers', 'queryString', 'headersSize', 'bodySize']));
      expect(Object.keys(e.response)).toEqual(
        expect.arrayContaining(['status', 'statusText', 'httpVersion', 'cookies', 'headers', 'content', 'redirectURL', 'headersSize', 'bodySize']),
      );
      expect(e.response.status).toBe(200);
      expect(e.response.content).toMatchObject({ size: expect.any(Number), mimeType: expect.any(String) });
      expect(e.timings).toMatchObject({ send: expect.any(Number), wait: expect.any(Number), receive: expect.any(Number) });
    }
  });
});
