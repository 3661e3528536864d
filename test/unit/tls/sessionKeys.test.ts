// A TLS 1.3 connection built byte by byte (hellos in the clear, then records sealed with known
// traffic secrets) to follow the key epochs: handshake keys, application keys after each side's
// Finished, and a new generation after a KeyUpdate (RFC 8446, Sections 5.1 and 7.2).
import { describe, expect, it } from 'vitest';
import type { RecordedChunk } from '../../../src-main/tls/records';
import { decryptConnection, readableText } from '../../../src-main/tls/sessionKeys';
import { ascii, clientHelloBody, concat, handshake, record, serverHelloBody } from './wire';
import { C_AP, C_AP_1, C_HS, S_AP, S_HS, hex, keylog, seal, secret } from './tls13Fixture';

function connection(): RecordedChunk[] {
  const c2s = (t: number, ...data: Uint8Array[]): RecordedChunk => ({ direction: 'client-to-server', t, data: concat(...data) });
  const s2c = (t: number, ...data: Uint8Array[]): RecordedChunk => ({ direction: 'server-to-client', t, data: concat(...data) });
  return [
    c2s(0, record(22, handshake(1, clientHelloBody({ versions: [0x0304, 0x0303], serverName: 'www.bank32.com' })))),
    s2c(
      1,
      record(22, handshake(2, serverHelloBody({ version: 0x0304 }))),
      seal(S_HS, 0, 22, handshake(8, [0, 0])),
      seal(S_HS, 1, 22, handshake(20, new Uint8Array(32).fill(9))),
      seal(S_AP, 0, 23, ascii('HTTP/1.0 200 ok\r\n\r\nhello')),
    ),
    c2s(
      2,
      seal(C_HS, 0, 22, handshake(20, new Uint8Array(32).fill(10))),
      seal(C_AP, 0, 23, ascii('GET / HTTP/1.0\r\n\r\n')),
      seal(C_AP, 1, 22, handshake(24, [0])),
      seal(C_AP_1, 0, 23, Uint8Array.from([0, 1, 2, 0xff])),
    ),
  ];
}

describe('following TLS 1.3 key epochs', () => {
  it('switches to application keys after each Finished and to a new generation after KeyUpdate', () => {
    const result = decryptConnection({ chunks: connection(), keylog });
    expect(result.total).toBe(7);
    expect(result.decrypted).toBe(7);
    const rows = result.records.map((r) => [r.direction, r.keyEpoch, r.sequenceNumber, r.messages.join(', ')]);
    expect(rows).toEqual([
      ['server-to-client', 'handshake', 0, 'EncryptedExtensions'],
      ['server-to-client', 'handshake', 1, 'Finished'],
      ['server-to-client', 'application', 0, 'Application Data'],
      ['client-to-server', 'handshake', 0, 'Finished'],
      ['client-to-server', 'application', 0, 'Application Data'],
      ['client-to-server', 'application', 1, 'KeyUpdate'],
      ['client-to-server', 'application (after KeyUpdate 1)', 0, 'Application Data'],
    ]);
    const last = result.records.at(-1)!;
    expect(last.plaintextHex).toBe('000102ff');
    expect(last.plaintextText).toBeUndefined();
    expect(result.records[4].plaintextText).toBe('GET / HTTP/1.0\r\n\r\n');
    // The new generation's secret is listed with how it was derived.
    expect(result.keys.secrets.find((s) => s.name === 'client_application_traffic_secret_1')?.hex).toBe(hex(C_AP_1));
    expect(result.keys.steps.some((s) => s.title.startsWith('client_application_traffic_secret_1 = HKDF-Expand-Label(client_application_traffic_secret_0, "traffic upd"'))).toBe(true);
    // These Finished messages carry made-up verify_data: the check says so instead of passing.
    const checks = result.keys.steps.filter((s) => s.title.includes('Finished check')).map((s) => s.note);
    expect(checks).toEqual([
      'they differ: the keys or the recorded transcript do not fit',
      'they differ: the keys or the recorded transcript do not fit',
    ]);
    // The decrypted handshake is marked as having travelled encrypted.
    expect(result.handshake.map((m) => [m.name, m.encrypted])).toEqual([
      ['ClientHello', false],
      ['ServerHello', false],
      ['EncryptedExtensions', true],
      ['Finished', true],
      ['Finished', true],
      ['KeyUpdate', true],
    ]);
  });

  it('without the client secrets, only the server side opens, and the notes say which lines are missing', () => {
    const result = decryptConnection({ chunks: connection(), keylog: keylog.filter((l) => l.startsWith('SERVER')) });
    expect(result.records.filter((r) => r.direction === 'server-to-client').every((r) => r.status === 'decrypted')).toBe(true);
    const client = result.records.filter((r) => r.direction === 'client-to-server');
    expect(client.every((r) => r.status === 'no-keys' && r.plaintextHex === undefined)).toBe(true);
    expect(result.keys.notes.join(' ')).toContain('the key log lacks CLIENT_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0');
  });

  it('without any key log, nothing opens and the reason is given', () => {
    const result = decryptConnection({ chunks: connection(), keylog: ['not a key log line'] });
    expect(result.decrypted).toBe(0);
    expect(result.keys.source).toBe('none');
    expect(result.keys.notes).toContain('cannot decrypt: no TLS 1.3 traffic secrets in the key log match this connection');
    expect(result.keys.notes[0]).toMatch(/^key log line not understood/);
    // The page a view asks for is the same records, presented on demand.
    expect(result.page(5, 2).map((r) => r.number)).toEqual(result.records.filter((r) => r.number >= 5).slice(0, 2).map((r) => r.number));
  });

  it('reads text as text and anything with control bytes as binary', () => {
    expect(readableText(ascii('GET / HTTP/1.1\r\n'))).toBe('GET / HTTP/1.1\r\n');
    expect(readableText(new TextEncoder().encode('grüße'))).toBe('grüße');
    expect(readableText(Uint8Array.from([0x47, 0x00]))).toBeUndefined();
    expect(readableText(Uint8Array.from([0xc3, 0x28]))).toBeUndefined();
  });
});
