// Real handshakes: openssl s_client talks to openssl s_server through a recording relay, and the
// decoder must show what crossed the wire.
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Direction, TlsRecordEntry } from '../../../src-main/api/types';
import { quickServerHelloShare } from '../../../src-main/tls/handshake';
import { type DecodedConnection, type RecordedChunk, decodeConnection } from '../../../src-main/tls/records';
import { namedGroupName } from '../../../src-main/tls/registry';
import { type OpensslCapture, TestCertificate, captureOpensslSession } from './opensslCapture';

const C2S: Direction = 'client-to-server';
const S2C: Direction = 'server-to-client';
const GET = 'GET / HTTP/1.0\r\n\r\n';

/** Message names per direction, in order. */
function namesFrom(connection: DecodedConnection, direction: Direction): string[] {
  return connection.records.filter((r) => r.direction === direction).flatMap((r) => r.messages);
}

/** Every byte of each direction is accounted for by record headers and bodies, with no gap. */
function expectRecordsCoverStream(records: TlsRecordEntry[], capture: OpensslCapture): void {
  for (const direction of [C2S, S2C]) {
    const mine = records.filter((r) => r.direction === direction);
    let offset = 0;
    for (const r of mine) {
      expect(r.streamOffset).toBe(offset);
      offset += 5 + r.length;
    }
    expect(mine.reduce((n, r) => n + 5 + r.length, 0)).toBe(capture.bytes[direction]);
  }
}

/** Everything the server sent, as one buffer. */
function serverBytes(chunks: readonly RecordedChunk[]): Uint8Array {
  return Buffer.concat(chunks.filter((c) => c.direction === S2C).map((c) => c.data));
}

function expectWireOrder(records: TlsRecordEntry[]): void {
  expect(records.map((r) => r.number)).toEqual(records.map((_, i) => i + 1));
  for (let i = 1; i < records.length; i++) expect(records[i].t).toBeGreaterThanOrEqual(records[i - 1].t);
}

describe('decoding real openssl sessions', () => {
  let certificate: TestCertificate;

  beforeAll(() => {
    certificate = new TestCertificate();
  });

  afterAll(() => certificate.remove());

  it('TLS 1.2 with ECDHE: the timeline shows the full handshake, then encrypted traffic', async () => {
    const capture = await captureOpensslSession(certificate, {
      serverArgs: ['-www'],
      clientArgs: ['-tls1_2', '-servername', 'www.bank32.com'],
      clientInput: GET,
    });
    const connection = decodeConnection(capture.chunks);
    // TLS 1.2's key exchange is in the ServerKeyExchange: the quick TLS 1.3 reading declines it.
    expect(quickServerHelloShare(serverBytes(capture.chunks))).toBeNull();
    expect(namesFrom(connection, C2S).slice(0, 4)).toEqual([
      'ClientHello',
      'ClientKeyExchange',
      'ChangeCipherSpec',
      'Finished (encrypted)',
    ]);
    expect(namesFrom(connection, S2C).slice(0, 7)).toEqual([
      'ServerHello',
      'Certificate',
      'ServerKeyExchange',
      'ServerHelloDone',
      'NewSessionTicket',
      'ChangeCipherSpec',
      'Finished (encrypted)',
    ]);
    // The GET and the status page travel as application data, both ways.
    for (const direction of [C2S, S2C]) {
      const data = connection.records.filter((r) => r.direction === direction && r.contentType === 23);
      expect(data.length).toBeGreaterThan(0);
      expect(data.every((r) => r.encrypted && r.messages[0] === 'Application Data')).toBe(true);
    }
    expect(connection.records.some((r) => r.messages.includes('Encrypted Alert'))).toBe(true);
    expect(connection.records.filter((r) => r.malformed !== undefined)).toEqual([]);
    expectWireOrder(connection.records);
    expectRecordsCoverStream(connection.records, capture);

    expect(connection.clientHello?.serverName).toBe('www.bank32.com');
    expect(connection.version?.name).toBe('TLS 1.2');
    // s_client prints the suite it negotiated with its OpenSSL name; the decoder gives the IANA name.
    const openssl = /Cipher is (\S+)/.exec(capture.clientOutput)?.[1] ?? 'none';
    const iana = execFileSync('openssl', ['ciphers', '-stdname', 'ALL'], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.split(/\s+-\s+|\s+/))
      .find((columns) => columns[1] === openssl)?.[0];
    expect(connection.cipherSuite?.name).toBe(iana);

    const keyExchange = connection.handshakeMessages.find((m) => m.name === 'ServerKeyExchange')?.body;
    if (keyExchange?.kind !== 'server_key_exchange') throw new Error('no ServerKeyExchange decoded');
    expect(keyExchange.keyExchange).toBe('ecdhe');
    expect(keyExchange.ecdh?.curveType.name).toBe('named_curve');
    expect(keyExchange.ecdh?.namedCurve.name).toMatch(/^(x25519|secp256r1|x448|secp384r1|secp521r1)$/);
    expect(keyExchange.signatureAlgorithm?.name).toMatch(/^rsa_/);
    expect(keyExchange.signature?.length).toBe(256);

    const sent = connection.handshakeMessages.find((m) => m.name === 'Certificate')?.body;
    if (sent?.kind !== 'certificate') throw new Error('no Certificate decoded');
    const der = new X509Certificate(readFileSync(certificate.cert)).raw;
    expect(Buffer.from(sent.certificateList[0].certData).equals(der)).toBe(true);
  });

  it('TLS 1.2 with RSA key exchange: no ServerKeyExchange, the client sends the encrypted premaster secret', async () => {
    const capture = await captureOpensslSession(certificate, {
      serverArgs: ['-www'],
      clientArgs: ['-tls1_2', '-cipher', 'AES128-GCM-SHA256'],
      clientInput: GET,
    });
    const connection = decodeConnection(capture.chunks);
    expect(connection.cipherSuite?.name).toBe('TLS_RSA_WITH_AES_128_GCM_SHA256');
    expect(namesFrom(connection, S2C).slice(0, 6)).toEqual([
      'ServerHello',
      'Certificate',
      'ServerHelloDone',
      'NewSessionTicket',
      'ChangeCipherSpec',
      'Finished (encrypted)',
    ]);
    expect(namesFrom(connection, C2S).slice(0, 4)).toEqual([
      'ClientHello',
      'ClientKeyExchange',
      'ChangeCipherSpec',
      'Finished (encrypted)',
    ]);
    const clientKeyExchange = connection.handshakeMessages.find((m) => m.name === 'ClientKeyExchange')?.body;
    if (clientKeyExchange?.kind !== 'client_key_exchange') throw new Error('no ClientKeyExchange decoded');
    expect(clientKeyExchange.keyExchange).toBe('rsa');
    // Encrypted to a 2048-bit RSA key: 256 bytes.
    expect(clientKeyExchange.encryptedPreMasterSecret?.length).toBe(256);
    expectRecordsCoverStream(connection.records, capture);
  });

  it('TLS 1.3: after the ServerHello, everything but the compatibility CCS is encrypted application data', async () => {
    const capture = await captureOpensslSession(certificate, {
      serverArgs: ['-www'],
      clientArgs: ['-tls1_3', '-servername', 'lab.example'],
      clientInput: GET,
    });
    const connection = decodeConnection(capture.chunks);
    expect(connection.version?.name).toBe('TLS 1.3');
    expect(connection.serverHello?.selectedVersion?.name).toBe('TLS 1.3');
    expect(connection.serverHello?.legacyVersion.name).toBe('TLS 1.2');
    expect(connection.clientHello?.serverName).toBe('lab.example');
    expect(connection.clientHello?.supportedVersions?.map((v) => v.name)).toContain('TLS 1.3');

    const [hello, ...rest] = namesFrom(connection, S2C);
    expect(hello).toBe('ServerHello');
    expect(rest[0]).toBe('Change Cipher Spec (compatibility)');
    expect(rest.slice(1).length).toBeGreaterThan(3);
    expect(new Set(rest.slice(1))).toEqual(new Set(['Application Data (encrypted)']));
    const client = namesFrom(connection, C2S);
    expect(client.slice(0, 2)).toEqual(['ClientHello', 'Change Cipher Spec (compatibility)']);
    expect(new Set(client.slice(2))).toEqual(new Set(['Application Data (encrypted)']));
    const encrypted = connection.records.filter((r) => r.contentType === 23);
    expect(encrypted.every((r) => r.encrypted)).toBe(true);
    expect(connection.records.filter((r) => r.contentType !== 23).every((r) => !r.encrypted)).toBe(true);
    expectWireOrder(connection.records);
    expectRecordsCoverStream(connection.records, capture);

    // The recording server's quick reading of the ServerHello names the same group as the decoder,
    // and declines bytes that end inside the record.
    const flight = serverBytes(capture.chunks);
    const quick = quickServerHelloShare(flight);
    expect(quick?.group).not.toBeNull();
    expect(namedGroupName(quick!.group!)).toBe(connection.serverHello?.keyShareGroup?.name);
    expect(quickServerHelloShare(flight.subarray(0, 60))).toBeNull();
  });

  it('TLS 1.3 HelloRetryRequest: the server asks for another group, the client says hello again', async () => {
    const capture = await captureOpensslSession(certificate, {
      serverArgs: ['-www', '-groups', 'P-384'],
      clientArgs: ['-tls1_3', '-groups', 'X25519:P-384'],
      clientInput: GET,
    });
    const connection = decodeConnection(capture.chunks);
    expect(connection.handshakeMessages.map((m) => `${m.direction === C2S ? 'C' : 'S'} ${m.name}`)).toEqual([
      'C ClientHello',
      'S HelloRetryRequest',
      'C ClientHello',
      'S ServerHello',
    ]);
    expect(connection.helloRetryRequest?.keyShareGroup?.name).toBe('secp384r1');
    const second = connection.handshakeMessages[2].body;
    expect(second.kind === 'client_hello' && second.keyShareGroups?.map((g) => g.name)).toEqual(['secp384r1']);
    expect(connection.clientHello?.keyShareGroups?.map((g) => g.name)).toEqual(['x25519']);
    // A HelloRetryRequest is not the ServerHello that settles the key exchange: the quick reading declines it.
    expect(quickServerHelloShare(serverBytes(capture.chunks))).toBeNull();
  });

  it('a client that does not trust the certificate ends TLS 1.2 with a fatal unknown_ca alert', async () => {
    const capture = await captureOpensslSession(certificate, {
      serverArgs: ['-www'],
      clientArgs: ['-tls1_2', '-verify_return_error'],
      clientInput: GET,
    });
    expect(capture.clientOutput).toMatch(/verify error/);
    const entries = decodeConnection(capture.chunks).records;
    const last = entries[entries.length - 1];
    expect(last.direction).toBe(C2S);
    expect(last.messages).toEqual(['Alert (fatal, unknown_ca)']);
    expect(last.alert).toEqual({ level: 2, levelName: 'fatal', description: 48, descriptionName: 'unknown_ca' });
    expect(last.encrypted).toBe(false);
    expectRecordsCoverStream(entries, capture);
  });

  it('a Certificate message bigger than a record is reassembled from the records that carried it', async () => {
    const big = new TestCertificate();
    try {
      const names = Array.from({ length: 900 }, (_, i) => `DNS:host-${i}.very-long-subdomain-name.example`).join(',');
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=big', '-days', '2',
        '-addext', `subjectAltName=${names}`, '-keyout', big.key, '-out', big.cert,
      ], { stdio: 'ignore' });
      const der = new X509Certificate(readFileSync(big.cert)).raw;
      expect(der.length).toBeGreaterThan(16384);
      const capture = await captureOpensslSession(big, { serverArgs: ['-www'], clientArgs: ['-tls1_2'], clientInput: GET });
      const connection = decodeConnection(capture.chunks);
      const message = connection.handshakeMessages.find((m) => m.name === 'Certificate');
      expect(message?.recordNumbers.length).toBeGreaterThanOrEqual(2);
      const carriers = (message?.recordNumbers ?? []).map((n) => connection.records[n - 1]);
      expect(carriers.slice(0, -1).every((r) => r.messages.includes('Certificate (fragment)'))).toBe(true);
      expect(carriers[carriers.length - 1].messages).toContain('Certificate');
      if (message?.body.kind !== 'certificate') throw new Error('Certificate not decoded');
      expect(Buffer.from(message.body.certificateList[0].certData).equals(der)).toBe(true);
      expectRecordsCoverStream(connection.records, capture);
    } finally {
      big.remove();
    }
  });

  it('the same real capture decodes identically when replayed one byte per chunk', async () => {
    const capture = await captureOpensslSession(certificate, {
      serverArgs: ['-www'],
      clientArgs: ['-tls1_2', '-servername', 'bytes.test'],
      clientInput: GET,
    });
    const bytewise: RecordedChunk[] = capture.chunks.flatMap((c) =>
      Array.from(c.data, (_, i) => ({ direction: c.direction, t: c.t, data: c.data.subarray(i, i + 1) })),
    );
    const whole = decodeConnection(capture.chunks);
    const split = decodeConnection(bytewise);
    expect(split.records).toEqual(whole.records);
    expect(split.clientHello?.serverName).toBe('bytes.test');
  });

  it('an incomplete capture ends with an entry that says how much of the last record arrived', async () => {
    const capture = await captureOpensslSession(certificate, { serverArgs: ['-www'], clientArgs: ['-tls1_2'], clientInput: GET });
    // Drop the tail of the server's stream as if the recording cap had been hit mid-record.
    const serverBytes = capture.bytes[S2C];
    let kept = 0;
    const cut = serverBytes - 10;
    const chunks: RecordedChunk[] = [];
    for (const c of capture.chunks) {
      if (c.direction === C2S) chunks.push(c);
      else if (kept < cut) {
        const take = Math.min(c.data.length, cut - kept);
        chunks.push({ ...c, data: c.data.subarray(0, take) });
        kept += take;
      }
    }
    const entries = decodeConnection(chunks).records;
    const broken = entries.filter((e) => e.malformed !== undefined);
    expect(broken).toHaveLength(1);
    expect(broken[0].direction).toBe(S2C);
    expect(broken[0].malformed).toBe(`incomplete record: ${broken[0].length + 5 - 10} of ${broken[0].length + 5} bytes arrived`);
  });
});

