// Sessions handed to another workbench and back: a bundle round trip (export, delete, import:
// the same bytes, keys and decode), bad files refused with one clear line and nothing half
// imported, name/tag/search/delete, HAR and PEM judged by python3 and openssl, and the same over
// the engine's API (base64 out, base64 in).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionCatalogEntry, SessionExportResult, SessionImportResult } from '../../src-main/api/exchangeTypes';
import type { ClientSessionRequest, SessionDetail } from '../../src-main/api/types';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { tlslabSync } from '../support/run';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tlslab.mjs');

let pki: TestPki;
let tmp: string;
let dataDir: string;
let engine: RunningEngine;
let api: ApiConnection;
let tls12: RunningPeer;
let tls13: RunningPeer;

beforeAll(async () => {
  pki = makeTestPki('tlslab-bundle-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bundle-'));
  dataDir = path.join(tmp, 'data');
  engine = await startEngine({ dataDir });
  api = await connectApi(engine);
  tls12 = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www', '-tls1_2']);
  tls13 = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www', '-tls1_3']);
});

afterAll(async () => {
  api?.close();
  await engine?.close();
  await tls12?.stop();
  await tls13?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const cli = (args: string[]) => tlslabSync(dataDir, args);

function request(port: number, uri: string): ClientSessionRequest {
  return {
    host: 'www.bank32.com',
    port,
    connectTo: '127.0.0.1',
    trust: { kind: 'file', path: pki.caCert },
    verifyPeer: true,
    checkHostname: true,
    send: { kind: 'http-get', path: uri },
  };
}

async function record(peer: RunningPeer, uri: string): Promise<SessionDetail> {
  const detail = await api.result<SessionDetail>('client.run', request(peer.port, uri));
  expect(detail.status).toBe('ok');
  return detail;
}

function sessionCount(): number {
  return (JSON.parse(cli(['sessions', 'list', '--json']).stdout) as unknown[]).length;
}

describe('bundle round trip', () => {
  it('export a bundle, delete the session, import it: the same bytes, keys, certificates and decode, name and tags kept', async () => {
    const original = await record(tls13, '/round/trip?bundle=1');
    expect(cli(['sessions', 'rename', String(original.id), 'Lesson 4: TLS 1.3 handshake']).status).toBe(0);
    expect(cli(['sessions', 'tag', String(original.id), 'lesson-4', 'tls13']).status).toBe(0);
    const keys = await api.result<unknown[]>('sessions.keys', { id: original.id });
    const decrypted = await api.result<unknown[]>('sessions.decrypt', { id: original.id });

    const file = path.join(tmp, 'lesson4.tlslab');
    const exported = cli(['sessions', 'export', String(original.id), '--format', 'bundle', '--out', file]);
    expect(exported.stdout).toMatch(/Wrote .*lesson4\.tlslab/);
    // A bundle holds the keys: readable by its owner only.
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const bytesBefore = JSON.parse(cli(['sessions', 'show', String(original.id), '--json']).stdout) as SessionDetail;

    expect(cli(['sessions', 'delete', String(original.id)]).stdout).toContain(`Deleted session ${original.id}`);
    const gone = cli(['sessions', 'show', String(original.id)]);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain(`there is no session ${original.id}`);

    const imported = JSON.parse(cli(['sessions', 'import', file, '--json']).stdout) as SessionImportResult;
    expect(imported.source).toBe('bundle');
    expect(imported.session.name).toBe('Lesson 4: TLS 1.3 handshake');
    // The teacher's tags, and the mark every import gets.
    expect(imported.session.tags).toEqual(['imported', 'lesson-4', 'tls13']);
    const copy = JSON.parse(cli(['sessions', 'show', String(imported.id), '--json']).stdout) as SessionDetail;
    const strip = (d: SessionDetail) => ({ ...d, id: 0, imported: undefined, connections: d.connections.map((c) => ({ ...c, id: 0 })) });
    // Timeline (every record, decoded from the bytes), key log, certificates, verification: all equal.
    expect(strip(copy)).toEqual(strip(bytesBefore));
    // Only where it came from differs: the copy names its file, the recorded session nothing.
    expect(bytesBefore.imported).toBeNull();
    expect(copy.imported).toMatchObject({ file: path.basename(file), kind: 'bundle' });
    const strip2 = (list: unknown[]) => JSON.parse(JSON.stringify(list).replace(/"(sessionId|connectionId)":\d+/g, '"$1":0')) as unknown[];
    expect(strip2(await api.result<unknown[]>('sessions.keys', { id: imported.id }))).toEqual(strip2(keys));
    expect(strip2(await api.result<unknown[]>('sessions.decrypt', { id: imported.id }))).toEqual(strip2(decrypted));
    // Imported without --json (a second copy, asked for), it says how to show the copy, with this --data-dir: run as printed, it does.
    const said = cli(['sessions', 'import', file, '--again']).stdout;
    const showLine = /^Show it with: tlslab (.+)$/m.exec(said)![1];
    expect(showLine).toMatch(new RegExp(`^--data-dir ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} sessions show \\d+$`));
    const shown = execFileSync('node', [BIN, ...showLine.split(' ')], { encoding: 'utf8' });
    expect(shown).toMatch(/^Session \d+ \(client\).*: ok$/m);
    // Identical bytes: a second export of the copy is the same file but for its creation time
    // (once the copy's "imported" mark is taken off).
    cli(['sessions', 'tag', String(imported.id), '--remove', 'imported']);
    const again = path.join(tmp, 'again.tlslab');
    cli(['sessions', 'export', String(imported.id), '--format', 'bundle', '--out', again]);
    const body = (f: string) => fs.readFileSync(f).toString('latin1').replace(/"createdAt":"[^"]+"/, '').slice(0, -32);
    expect(body(again)).toBe(body(file));
  });
});

describe('what a bundle says it holds', () => {
  it('a session with key log lines: secret, mode 0600, and the CLI says so; one without any (refused port): not secret', async () => {
    const withKeys = await record(tls12, '/secret');
    const file = path.join(tmp, 'with-keys.tlslab');
    const said = JSON.parse(cli(['sessions', 'export', String(withKeys.id), '--format', 'bundle', '--out', file, '--json']).stdout);
    expect(said.secret).toBe(true);
    expect(said.summary).toMatch(/^1 connection, \d+ chunks, \d+ key log lines? and the certificates$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const refusedPort = await api.result<SessionDetail>('client.run', { ...request(tls12.port, '/'), port: 1 });
    expect(refusedPort.status).toBe('failed');
    const plain = path.join(tmp, 'no-keys.tlslab');
    const text = cli(['sessions', 'export', String(refusedPort.id), '--format', 'bundle', '--out', plain]).stdout;
    expect(text).toContain('the certificates, and no key log');
    expect(text).not.toContain("the session's secrets");
    // Over the engine's API too, as the window asks for it.
    const overApi = await api.result<{ secret: boolean; summary: string }>('sessions.export', { id: refusedPort.id, format: 'bundle' });
    expect(overApi.secret).toBe(false);
    expect((await api.result<{ secret: boolean }>('sessions.export', { id: withKeys.id, format: 'keylog' })).secret).toBe(true);
    // The search test below counts sessions by outcome: leave none behind.
    expect(cli(['sessions', 'delete', String(withKeys.id), String(refusedPort.id)]).status).toBe(0);
  });
});

describe('bad input: one clear line, nothing half imported', () => {
  let good: Buffer;

  beforeAll(async () => {
    const s = await record(tls12, '/bad/input');
    const file = path.join(tmp, 'good.tlslab');
    cli(['sessions', 'export', String(s.id), '--format', 'bundle', '--out', file]);
    good = fs.readFileSync(file);
  });

  function refused(name: string, bytes: Buffer | string, message: RegExp, extra: string[] = []): void {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, bytes);
    const before = sessionCount();
    const result = cli(['sessions', 'import', file, ...extra]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(sessionCount()).toBe(before);
  }

  it('a truncated bundle', () => {
    refused('truncated.tlslab', good.subarray(0, good.length - 1000), /damaged or incomplete .*checksum.*copy the file again/);
    refused('stub.tlslab', good.subarray(0, 40), /damaged or incomplete .*ends after 40 bytes/);
  });

  it('a bundle with one byte changed', () => {
    const flipped = Buffer.from(good);
    flipped[flipped.length - 500] ^= 0x01;
    refused('flipped.tlslab', flipped, /checksum does not match/);
  });

  it('a bundle of an unknown (newer) format', () => {
    const newer = Buffer.from(good);
    newer.writeUInt16BE(7, 14);
    refused('newer.tlslab', newer, /bundle has format 7, written by TLS Lab Workbench .*reads bundle formats up to 3: update the workbench/);
  });

  it('a file that is not a capture (a PEM or DER certificate: pointed to tlslab import), and an empty one', () => {
    refused('cert.pcap', fs.readFileSync(pki.serverCert), /cert\.pcap: this file is PEM \(certificates or keys\), not a session: certificates and keys come in with "tlslab import"/);
    refused('cert.der', new X509Certificate(fs.readFileSync(pki.serverCert)).raw, /cert\.der: this file is a DER certificate, key or PKCS#12 file, not a session/);
    refused('empty.pcapng', '', /neither a pcap nor a pcapng capture/);
  });

  it('a capture with no TLS in it, and a key log that is not one', () => {
    // A real capture made by tshark of plain TCP: a knock with no bytes.
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(65535, 16);
    header.writeUInt32LE(1, 20);
    refused('nothing.pcap', header, /holds no TCP connections \(0 packets\)/);
    const keylog = path.join(tmp, 'not-a-keylog.txt');
    fs.writeFileSync(keylog, 'hello world\n');
    refused('with-bad-keylog.tlslab.pcap', fs.readFileSync(path.join(tmp, 'nothing.pcap')), /not-a-keylog\.txt line 1 is not an NSS key log line/, ['--keylog', keylog]);
  });

  it('a missing file', () => {
    const result = cli(['sessions', 'import', path.join(tmp, 'nope.pcapng')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/the file .*nope\.pcapng does not exist; check the path/);
  });
});

describe('name, tag, search, delete', () => {
  it('search by host, version, cipher, outcome, tag and text', async () => {
    const a = await record(tls12, '/search/a');
    const b = await record(tls13, '/search/b');
    const failed = await api.result<SessionDetail>('client.run', { ...request(tls13.port, '/'), trust: { kind: 'file', path: pki.otherCaCert } });
    expect(failed.status).toBe('failed');
    await api.result<SessionCatalogEntry>('sessions.tag', { id: a.id, add: ['homework'] });
    await api.result<SessionCatalogEntry>('sessions.rename', { id: b.id, name: 'Bank login, TLS 1.3' });

    const ids = async (query: object) => (await api.result<SessionCatalogEntry[]>('sessions.search', query)).map((s) => s.id);
    expect(await ids({ version: '1.2' })).toContain(a.id);
    expect(await ids({ version: '1.2' })).not.toContain(b.id);
    expect(await ids({ version: 'TLSv1.3', outcome: 'ok' })).toContain(b.id);
    expect(await ids({ outcome: 'failed' })).toEqual([failed.id]);
    expect(await ids({ cipher: a.cipher!.openssl })).toContain(a.id);
    expect(await ids({ cipher: 'TLS_AES' })).not.toContain(a.id);
    expect(await ids({ tags: ['homework'] })).toEqual([a.id]);
    expect(await ids({ text: 'bank login' })).toEqual([b.id]);
    expect(await ids({ host: 'bank32' })).toEqual(expect.arrayContaining([a.id, b.id, failed.id]));
    expect(await ids({ host: 'nowhere.example' })).toEqual([]);

    const listed = cli(['sessions', 'search', '--tls-version', '1.3', '--outcome', 'ok']);
    expect(listed.stdout).toContain('"Bank login, TLS 1.3"');
    const tagged = cli(['sessions', 'tag', String(a.id), '--remove', 'homework']);
    expect(tagged.stdout).toContain(`Session ${a.id} tags: (none)`);
    const badTag = cli(['sessions', 'tag', String(a.id), 'two words']);
    expect(badTag.status).toBe(1);
    expect(badTag.stderr).toContain('"two words" is not a tag');

    // (The session the CLI deleted above was announced too, by the engine's watch on the folder.)
    const deleted = api.waitForEvent((f) => f.event === 'session.deleted' && (f.data as { id: number }).id === failed.id);
    expect(await api.result('sessions.delete', { id: failed.id })).toEqual({ id: failed.id, deleted: true });
    expect((await deleted).data).toEqual({ id: failed.id });
    const missing = await api.call('sessions.delete', { id: failed.id });
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.error.message).toContain(`there is no session ${failed.id}`);
  });
});

describe('HAR, PEM and key log files other tools read', () => {
  it('HAR 1.2 of the decrypted HTTP, read by python3; PEM read by openssl; over the API as base64', async () => {
    const s = await record(tls12, '/har/page?user=alice&lang=en');
    const har = await api.result<SessionExportResult>('sessions.export', { id: s.id, format: 'har' });
    expect(har.fileName).toBe(`session-${s.id}.har`);
    const harFile = path.join(tmp, har.fileName);
    fs.writeFileSync(harFile, Buffer.from(har.base64!, 'base64'));
    const summary = execFileSync(
      'python3',
      [
        '-c',
        `import json,sys
log = json.load(open(sys.argv[1]))['log']
e = log['entries'][0]
print(log['version'], len(log['entries']), e['request']['method'], e['request']['url'], e['response']['status'], e['response']['content']['mimeType'], 's_server' in e['response']['content']['text'], json.dumps(e['request']['queryString']))`,
        harFile,
      ],
      { encoding: 'utf8' },
    );
    expect(summary.trim()).toBe(
      `1.2 1 GET https://www.bank32.com:${tls12.port}/har/page?user=alice&lang=en 200 text/html True [{"name": "user", "value": "alice"}, {"name": "lang", "value": "en"}]`,
    );

    const pemFile = path.join(tmp, 'chain.pem');
    const pem = await api.result<SessionExportResult>('sessions.export', { id: s.id, format: 'pem', path: pemFile });
    expect(pem.path).toBe(pemFile);
    const subject = execFileSync('openssl', ['x509', '-in', pemFile, '-noout', '-subject'], { encoding: 'utf8' });
    expect(subject).toContain('CN = www.bank32.com');
    const serverPem = fs.readFileSync(pki.serverCert, 'utf8').trim();
    expect(fs.readFileSync(pemFile, 'utf8')).toContain(serverPem.split('\n').slice(1, -1).join('\n'));
    // Verify the exported leaf against the CA: the chain is real, not re-encoded.
    expect(execFileSync('openssl', ['verify', '-CAfile', pki.caCert, pemFile], { encoding: 'utf8' })).toContain(': OK');

    const keylog = await api.result<SessionExportResult>('sessions.export', { id: s.id, format: 'keylog' });
    expect(Buffer.from(keylog.base64!, 'base64').toString()).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/);

    // And back in over the API: a bundle as base64.
    const bundle = await api.result<SessionExportResult>('sessions.export', { id: s.id, format: 'bundle' });
    const created = api.waitForEvent((f) => f.event === 'session.created' && (f.data as { target: string }).target === s.target && (f.data as { id: number }).id > s.id);
    const imported = await api.result<SessionImportResult>('sessions.import', { base64: bundle.base64, fileName: 'from-the-renderer.tlslab' });
    expect(imported.source).toBe('bundle');
    expect((await created).data).toMatchObject({ id: imported.id });
    const bad = await api.call('sessions.export', { id: s.id, format: 'pdf' });
    expect(!bad.ok && bad.error.message).toContain('format is one of pcapng, keylog, har, pem, bundle');
  });
});
