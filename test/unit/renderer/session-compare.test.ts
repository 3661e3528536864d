import { describe, expect, it } from 'vitest';
import type { RecordRow } from '../../../src-main/api/recordTypes';
import type { ConnectionDetail, SessionDetail } from '../../../src-main/api/types';
import type { ServerSessionInfo } from '../../../src-main/api/serverTypes';
import {
  compareFacts,
  compareFlights,
  compareRefusal,
  compareSummary,
  compareTitle,
  keyExchangeFact,
  resumedFact,
  togglePick,
  type CompareSide,
} from '../../../src-renderer/src/lib/session-compare';
import { TLS12_RESUMED, tls13KeyExchange } from '../../../src-main/tls/keyExchange';
import { certificate, detail, recordRow, tls12HandshakeRows, tls13HandshakeRows } from './fixtures';

// The key exchanges as the engine reads them from a handshake (src-main/tls/keyExchange.ts).
const X25519 = tls13KeyExchange('x25519', false);
const PSK_KE = tls13KeyExchange(null, true);
const RSA_KX = { method: 'RSA', ephemeral: false, group: null, resumed: false, pskMode: null, summary: 'RSA key transport' };
const ECDHE_12 = { method: 'ECDHE', ephemeral: true, group: 'secp256r1', resumed: false, pskMode: null, summary: 'ECDHE with secp256r1' };

let n = 0;
function row(direction: 'c' | 's', messages: string[], contentType = 22, extra: Partial<RecordRow> = {}): RecordRow {
  n++;
  return recordRow(n, direction, messages, contentType, { protected: contentType === 23, decrypted: contentType === 23, ...extra });
}

function tls12Full(): RecordRow[] {
  n = 0;
  return [
    ...tls12HandshakeRows(row),
    row('c', ['Application Data'], 23),
    row('s', ['Application Data'], 23),
  ];
}

function tls12Resumed(): RecordRow[] {
  n = 0;
  return [
    row('c', ['ClientHello']),
    row('s', ['ServerHello']),
    row('s', ['ChangeCipherSpec'], 20),
    row('s', ['Finished'], 22, { protected: true, decrypted: true }),
    row('c', ['ChangeCipherSpec'], 20),
    row('c', ['Finished'], 22, { protected: true, decrypted: true }),
    row('c', ['Application Data'], 23),
    row('s', ['Application Data'], 23),
  ];
}

function tls13(): RecordRow[] {
  n = 0;
  return [
    ...tls13HandshakeRows(row),
    row('c', ['Application Data'], 23),
    row('s', ['NewSessionTicket'], 23),
    row('s', ['Application Data'], 23),
  ];
}

function connection(overrides: Partial<ConnectionDetail> = {}): ConnectionDetail {
  return {
    id: 1,
    leg: 'client',
    local: '127.0.0.1:50000',
    remote: '127.0.0.1:4433',
    openedAt: 0,
    closedAt: 20,
    bytesClientToServer: 700,
    bytesServerToClient: 2_600,
    recordedClientToServer: 700,
    recordedServerToClient: 2_600,
    timeline: [
      { kind: 'tcp-open', t: 1, local: '127.0.0.1:50000', remote: '127.0.0.1:4433' },
      { kind: 'tls-established', t: 13, version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
    ],
    keylog: [],
    peerCertificates: [certificate()],
    localCertificates: [],
    keyExchange: X25519,
    ...overrides,
  };
}

const TLS12_SUITE = { openssl: 'ECDHE-RSA-AES128-GCM-SHA256', iana: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', version: 'TLSv1.2' };
const RSA_SUITE = { openssl: 'AES128-GCM-SHA256', iana: 'TLS_RSA_WITH_AES_128_GCM_SHA256', version: 'TLSv1.2' };

function side(id: number, rows: RecordRow[], overrides: Partial<SessionDetail> = {}): CompareSide {
  return { session: detail({ id, connections: [connection()], ...overrides }), rows, total: rows.length };
}

function serverInfo(overrides: Partial<ServerSessionInfo> = {}): ServerSessionInfo {
  return {
    serverId: 1, serverLabel: 'bank', peer: '127.0.0.1:51000', resumed: false,
    keyExchange: { method: 'ECDHE', ephemeral: true, group: 'x25519', summary: '' },
    clientCertificate: null, clientCertificateAuthorized: null, clientAlert: null, requests: 1,
    ...overrides,
  };
}

const fact = (rows: ReturnType<typeof compareFacts>, key: string) => rows.find((r) => r.key === key)!;

describe('comparing two sessions', () => {
  it('refuses a session compared with itself in one line, and titles the page "Compare #A and #B"', () => {
    expect(compareRefusal(4, 4)).toBe('Session #4 compared with itself shows no difference: pick two different sessions.');
    expect(compareRefusal(4, 5)).toBeNull();
    expect(compareTitle(4, 5)).toBe('Compare #4 and #5');
  });

  it('keeps the two newest picks of the Sessions view, a third tick pushing out the first', () => {
    expect(togglePick([], 3, true)).toEqual([3]);
    expect(togglePick([3], 7, true)).toEqual([3, 7]);
    expect(togglePick([3, 7], 9, true)).toEqual([7, 9]);
    expect(togglePick([7, 9], 7, false)).toEqual([9]);
  });

  it('marks the version, cipher and round-trip rows of TLS 1.3 against TLS 1.2 as different, not the target or certificate', () => {
    const a = side(1, tls13());
    const b = side(2, tls12Full(), { version: 'TLSv1.2', cipher: TLS12_SUITE });
    const rows = compareFacts(a, b);
    expect(fact(rows, 'version')).toMatchObject({ values: ['TLS 1.3', 'TLS 1.2'], differs: true });
    expect(fact(rows, 'cipher')).toMatchObject({ values: ['TLS_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], differs: true });
    expect(fact(rows, 'round-trips')).toMatchObject({ values: ['1 round trip', '2 round trips'], differs: true });
    expect(fact(rows, 'target').differs).toBe(false);
    expect(fact(rows, 'cert-fingerprint')).toMatchObject({ differs: false, note: 'same certificate' });
    expect(fact(rows, 'records-in')).toMatchObject({ values: ['5', '4'], differs: true });
    // A time or a byte count differs from run to run: not a difference worth a mark.
    expect(fact(rows, 'handshake-time')).toMatchObject({ values: ['12 ms after the TCP connect', '12 ms after the TCP connect'], differs: false });
    expect(compareSummary(a, b)).toBe('TLS 1.3 (#1) finished its handshake in 1 round trip, TLS 1.2 (#2) in 2.');
    // Either order: the newer version is named first.
    expect(compareSummary(b, a)).toBe('TLS 1.3 (#1) finished its handshake in 1 round trip, TLS 1.2 (#2) in 2.');
  });

  it('says the resumed handshake sent no certificate, read from the records of a client session', () => {
    const full = side(3, tls12Full(), { version: 'TLSv1.2', cipher: TLS12_SUITE });
    const resumed = side(4, tls12Resumed(), { version: 'TLSv1.2', cipher: TLS12_SUITE });
    expect(resumedFact(full.session, full.rows)).toBe(false);
    expect(resumedFact(resumed.session, resumed.rows)).toBe(true);
    // No server Finished read: the records cannot tell.
    expect(resumedFact(resumed.session, resumed.rows.slice(0, 2))).toBeNull();
    expect(fact(compareFacts(full, resumed), 'resumed')).toMatchObject({ values: ['no: full handshake', 'yes: abbreviated handshake'], differs: true });
    expect(compareSummary(full, resumed)).toBe(
      'The resumed handshake (#4) sent no certificate: it took up a session that an earlier full handshake had set up; #3 made a full handshake and sent one.',
    );
  });

  it('marks Certificate as sent by one side only when a full handshake meets a resumed one', () => {
    const flights = compareFlights(tls12Full(), tls12Resumed());
    const serverFirst = flights[1];
    expect(serverFirst.left!.direction).toBe('server-to-client');
    expect(serverFirst.left!.messages.map((m) => [m.text, m.onlyHere])).toEqual([
      ['ServerHello', false],
      ['Certificate', true],
      ['ServerKeyExchange', true],
      ['ServerHelloDone', true],
    ]);
    // The resumed server's first flight holds its ChangeCipherSpec and Finished, both in the full handshake too.
    expect(serverFirst.right!.messages.map((m) => [m.text, m.onlyHere])).toEqual([
      ['ServerHello', false],
      ['ChangeCipherSpec', false],
      ['Finished', false],
    ]);
    expect(flights.map((f) => f.index)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('lines TLS 1.3 flights up against TLS 1.2 ones and marks what only one of them sends', () => {
    const flights = compareFlights(tls13(), tls12Full());
    expect(flights.length).toBe(6);
    const only13 = flights.flatMap((f) => f.left?.messages ?? []).filter((m) => m.onlyHere).map((m) => m.text);
    const only12 = flights.flatMap((f) => f.right?.messages ?? []).filter((m) => m.onlyHere).map((m) => m.text);
    expect(only13).toEqual(['EncryptedExtensions', 'CertificateVerify', 'NewSessionTicket']);
    expect(only12).toEqual(['ServerKeyExchange', 'ServerHelloDone', 'ClientKeyExchange']);
    // The compatibility ChangeCipherSpec of TLS 1.3 is the ChangeCipherSpec of TLS 1.2: not marked.
    expect(flights[1].left!.messages.find((m) => m.text.startsWith('Change'))!.onlyHere).toBe(false);
    // TLS 1.3's client sends its data with its Finished (flight 3); TLS 1.2's waits two flights more, alone.
    expect(flights[2].left!.messages.map((m) => m.text)).toContain('Application Data');
    expect(flights[4].left).toBeNull();
    expect(flights[4].right!.messages.map((m) => m.text)).toEqual(['Application Data']);
  });

  it("names RSA key exchange as the one without an ephemeral key, from the engine's reading of each handshake", () => {
    const rsa = side(5, tls12Full(), { version: 'TLSv1.2', cipher: RSA_SUITE, connections: [connection({ keyExchange: RSA_KX })] });
    const ecdhe = side(6, tls12Full(), {
      kind: 'server',
      version: 'TLSv1.2',
      cipher: TLS12_SUITE,
      server: serverInfo(),
      // A server session shows the certificate it sent: give it the client's certificate to compare with.
      connections: [connection({ leg: 'server', peerCertificates: [], localCertificates: [certificate()], keyExchange: ECDHE_12 })],
    });
    expect(keyExchangeFact(rsa.session)).toEqual({ text: 'RSA key transport', ephemeral: false });
    // The connection's reading wins over what the server noted when it recorded (x25519 there).
    expect(keyExchangeFact(ecdhe.session)).toEqual({ text: 'ECDHE · secp256r1', ephemeral: true });
    expect(keyExchangeFact(side(7, tls13()).session)).toEqual({ text: 'ECDHE · x25519', ephemeral: true });
    expect(fact(compareFacts(rsa, ecdhe), 'key-exchange')).toMatchObject({
      values: ['RSA key transport · no forward secrecy', 'ECDHE · secp256r1 · forward secrecy'],
      differs: true,
    });
    expect(compareSummary(rsa, ecdhe)).toBe(
      "#5 used RSA key transport: no ephemeral key, no forward secrecy (whoever gets the server's private key later can decrypt it); #6 used ECDHE · secp256r1.",
    );
  });

  it('tells a TLS 1.3 resumption with the pre-shared key alone (psk_ke) from a full (EC)DHE handshake, though both name a TLS 1.3 suite', () => {
    const full = side(12, tls13());
    const pskOnly = side(13, tls13(), { connections: [connection({ keyExchange: PSK_KE })] });
    expect(keyExchangeFact(pskOnly.session)).toEqual({ text: 'PSK (psk_ke)', ephemeral: false });
    expect(fact(compareFacts(full, pskOnly), 'key-exchange')).toMatchObject({
      values: ['ECDHE · x25519 · forward secrecy', 'PSK (psk_ke) · no forward secrecy'],
      differs: true,
    });
    const resumed12 = side(14, tls12Resumed(), { version: 'TLSv1.2', cipher: TLS12_SUITE, connections: [connection({ keyExchange: TLS12_RESUMED })] });
    expect(keyExchangeFact(resumed12.session)).toEqual({ text: 'resumed session (no key exchange)', ephemeral: false });
  });

  it('says nothing of a key exchange when the handshake recorded no ServerHello', () => {
    expect(keyExchangeFact(side(15, [], { connections: [connection({ keyExchange: null })] }).session)).toBeNull();
  });

  it('warns of a man in the middle when the same name came with two certificates', () => {
    const direct = side(8, tls13());
    const forged = certificate({ issuer: 'CN=Workbench Proxy CA', fingerprintSha256: 'cd'.repeat(32) });
    const proxied = side(9, tls13(), { connections: [connection({ peerCertificates: [forged] })], verification: null });
    const rows = compareFacts(direct, proxied);
    expect(fact(rows, 'cert-issuer')).toMatchObject({ values: ['CN=Lab Root CA', 'CN=Workbench Proxy CA'], differs: true });
    expect(fact(rows, 'cert-fingerprint')).toMatchObject({ differs: true, note: 'different certificates' });
    expect(fact(rows, 'cert-fingerprint').values[1]).toBe(`CD:${'CD:'.repeat(30)}CD`);
    expect(compareSummary(direct, proxied)).toBe(
      'The two sessions got different certificates for www.bank32.com: one of them may come from a man in the middle (issuers: CN=Lab Root CA in #8, CN=Workbench Proxy CA in #9).',
    );
  });

  it('says nothing when no lesson tells two sessions apart', () => {
    expect(compareSummary(side(10, tls13()), side(11, tls13()))).toBeNull();
    expect(compareFacts(side(10, tls13()), side(11, tls13())).filter((r) => r.differs)).toEqual([]);
  });
});
