// sessions.records over the engine's WebSocket API, as the record inspector drives it: real
// sessions of the workbench's client against `openssl s_server`, each record's fields placed on
// its bytes. The judges: the bytes themselves (the SNI field spells the host name), openssl (the
// certificate the Certificate field points at is the one s_server served), and the request the
// client sent (the decrypted application data).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordDetail, RecordField, RecordPage } from '../../src-main/api/recordTypes';
import type { ClientSessionRequest, SessionDetail } from '../../src-main/api/types';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { makeTestPki, openssl, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { loopbackGet } from '../support/clientRequest';

let engine: RunningEngine;
let api: ApiConnection;
let pki: TestPki;
let dir: string;
let server: RunningPeer;

beforeAll(async () => {
  pki = makeTestPki('tlslab-records-');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-records-api-'));
  engine = await startEngine({ dataDir: path.join(dir, 'data') });
  api = await connectApi(engine);
  server = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www']);
});

afterAll(async () => {
  api?.close();
  await engine?.close();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const request = (overrides: Partial<ClientSessionRequest> = {}): ClientSessionRequest => loopbackGet('www.bank32.com', server.port, pki.caCert, overrides);

function walk(nodes: readonly RecordField[], visit: (node: RecordField, parents: RecordField[]) => void, parents: RecordField[] = []): void {
  for (const n of nodes) {
    visit(n, parents);
    if (n.children) walk(n.children, visit, [...parents, n]);
  }
}

function find(nodes: readonly RecordField[], predicate: (n: RecordField) => boolean): RecordField | undefined {
  let hit: RecordField | undefined;
  walk(nodes, (n) => {
    if (!hit && predicate(n)) hit = n;
  });
  return hit;
}

function bytesOf(base64: string, node: RecordField): Buffer {
  return Buffer.from(base64, 'base64').subarray(node.offset, node.offset + node.length);
}

/** Every node lies inside the bytes of its tree, and inside its parent. */
function expectPlaced(nodes: readonly RecordField[], length: number): void {
  walk(nodes, (n, parents) => {
    expect(n.offset, n.name).toBeGreaterThanOrEqual(0);
    expect(n.offset + n.length, n.name).toBeLessThanOrEqual(length);
    const parent = parents[parents.length - 1];
    if (parent) {
      expect(n.offset, `${parent.name} > ${n.name}`).toBeGreaterThanOrEqual(parent.offset);
      expect(n.offset + n.length, `${parent.name} > ${n.name}`).toBeLessThanOrEqual(parent.offset + parent.length);
    }
  });
}

async function allDetails(id: number): Promise<{ page: RecordPage; details: RecordDetail[] }> {
  const page = await api.result<RecordPage>('sessions.records', { id, detail: true, limit: 200 });
  return { page, details: page.details ?? [] };
}

describe('sessions.records', () => {
  it('places every field of a TLS 1.3 session on its bytes, the encrypted handshake and the request included', async () => {
    const session = await api.result<SessionDetail>('client.run', request({ minVersion: 'TLSv1.3' }));
    expect(session.status).toBe('ok');
    const { page, details } = await allDetails(session.id);
    expect(page.total).toBe(page.rows.length);
    expect(details).toHaveLength(page.rows.length);
    for (const d of details) {
      const raw = Buffer.from(d.rawBase64, 'base64');
      expect(raw.length).toBe(d.rawLength);
      expectPlaced(d.tree, raw.length);
      if (d.plaintext) expectPlaced(d.plaintext.tree, Buffer.from(d.plaintext.base64, 'base64').length);
    }

    // Record 1: the ClientHello, the SNI field spells the host name in the record's own bytes.
    expect(page.rows[0]).toMatchObject({ number: 1, direction: 'client-to-server', contentTypeName: 'Handshake', summary: 'ClientHello' });
    const hello = details[0];
    const header = hello.tree[0];
    expect(bytesOf(hello.rawBase64, header)[0]).toBe(22);
    const hostName = find(hello.tree, (n) => n.name === 'host_name');
    expect(hostName?.value).toBe('www.bank32.com');
    expect(bytesOf(hello.rawBase64, hostName!).toString('latin1')).toBe('www.bank32.com');
    const suites = find(hello.tree, (n) => n.name === 'cipher_suites');
    expect(suites?.children?.map((c) => c.value)).toContain('TLS_AES_128_GCM_SHA256 (0x1301)');
    for (const suite of suites!.children!.slice(1)) {
      expect(bytesOf(hello.rawBase64, suite).readUInt16BE(0)).toBe(suite.code);
    }
    const extensionNames = find(hello.tree, (n) => n.name === 'extensions')!.children!.map((c) => c.name);
    expect(extensionNames).toEqual(expect.arrayContaining(['server_name', 'supported_groups', 'signature_algorithms', 'supported_versions', 'key_share']));
    expect(hello.messages).toEqual([expect.objectContaining({ name: 'ClientHello', index: 0, encrypted: false })]);

    // The server's encrypted flight opens with the key log: its Certificate points at s_server's certificate.
    const certificate = details.flatMap((d) => (d.plaintext ? [d] : [])).find((d) => d.messages.some((m) => m.name === 'Certificate'));
    expect(certificate).toBeDefined();
    expect(certificate!.messages.find((m) => m.name === 'Certificate')!.encrypted).toBe(true);
    const der = find(certificate!.plaintext!.tree, (n) => n.certificateDer !== undefined)!;
    expect(der.value).toContain('www.bank32.com');
    expect(bytesOf(certificate!.plaintext!.base64, der).toString('base64')).toBe(der.certificateDer);
    const derFile = path.join(dir, 'leaf.der');
    fs.writeFileSync(derFile, Buffer.from(der.certificateDer!, 'base64'));
    const served = openssl(['x509', '-in', pki.serverCert, '-noout', '-fingerprint', '-sha256']);
    const shown = openssl(['x509', '-inform', 'DER', '-in', derFile, '-noout', '-fingerprint', '-sha256']);
    expect(shown).toBe(served);
    // The rows of a detailed page name what decryption revealed.
    const certificateRow = page.rows[certificate!.number - 1];
    expect(certificateRow.summary).toContain('Certificate');

    // The request the client sent, decrypted.
    const requestRecord = details.find((d, i) => page.rows[i].direction === 'client-to-server' && d.plaintext?.contentTypeName === 'Application Data');
    expect(Buffer.from(requestRecord!.plaintext!.base64, 'base64').toString('latin1')).toMatch(/^GET \/ HTTP\/1\.1\r\nHost: www\.bank32\.com/);
    const tag = find(requestRecord!.tree, (n) => n.name === 'authentication tag');
    expect(tag?.length).toBe(16);
  });

  it('decodes a TLS 1.2 ECDHE session: ServerKeyExchange curve and key, ChangeCipherSpec, paged rows', async () => {
    const session = await api.result<SessionDetail>('client.run', request({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }));
    expect(session.status).toBe('ok');
    const { page, details } = await allDetails(session.id);
    // openssl writes each of its first flight's messages in a record of its own.
    const flight = page.rows.filter((r) => r.direction === 'server-to-client' && r.contentTypeName === 'Handshake' && !r.encrypted);
    expect(flight.flatMap((r) => r.messages).slice(0, 4)).toEqual(['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone']);
    const skeRow = flight.find((r) => r.messages.includes('ServerKeyExchange'))!;
    const ske = find(details[skeRow.number - 1].tree, (n) => n.name === 'ServerKeyExchange')!;
    expect(find(ske.children!, (n) => n.name === 'namedcurve')?.value).toMatch(/x25519|secp256r1/);
    const point = find(ske.children!, (n) => n.name === 'point')!;
    expect(point.length).toBeGreaterThanOrEqual(32);
    const ccs = page.rows.find((r) => r.contentTypeName === 'Change Cipher Spec')!;
    expect(find(details[ccs.number - 1].tree, (n) => n.name === 'change_cipher_spec')?.value).toBe('type 1');
    // GCM in TLS 1.2 carries an explicit nonce.
    const data = details.find((d, i) => page.rows[i].direction === 'client-to-server' && d.plaintext?.contentTypeName === 'Application Data')!;
    expect(find(data.tree, (n) => n.name === 'nonce_explicit')?.length).toBe(8);

    // Paging: one row at a time, without detail, from record 2.
    const second = await api.result<RecordPage>('sessions.records', { id: session.id, from: 2, limit: 1 });
    expect(second).toMatchObject({ total: page.total, from: 2 });
    expect(second.rows.map((r) => r.number)).toEqual([2]);
    expect(second.details).toBeUndefined();
  });

  it('says what is wrong with a bad request', async () => {
    const missing = await api.call('sessions.records', { id: 99_999 });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no session 99999') });
    const tooMany = await api.call('sessions.records', { id: 1, limit: 10_000 });
    expect(tooMany.ok).toBe(false);
    if (!tooMany.ok) expect(tooMany.error.message).toContain('at most 5000');
  });
});
