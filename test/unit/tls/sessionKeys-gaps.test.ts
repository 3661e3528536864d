// Records after a gap in a capture: the lost records took their sequence numbers with them (and
// a lost Finished or KeyUpdate the key epoch), so the decryptor, told where each gap is, searches
// for the sequence number whose tag verifies. A TLS 1.3 connection built byte by byte, with
// records cut out of it as a capture gap would.
import { describe, expect, it } from 'vitest';
import type { Direction } from '../../../src-main/api/types';
import type { RecordedChunk } from '../../../src-main/tls/records';
import type { DecryptedRecordInfo } from '../../../src-main/api/decryptTypes';
import { type CaptureGapInput, decryptConnection } from '../../../src-main/tls/sessionKeys';
import { ascii, clientHelloBody, concat, handshake, record, serverHelloBody } from './wire';
import { C_AP, C_AP_1, C_HS, S_AP, S_HS, hex, keylog, seal, secret } from './tls13Fixture';

interface Built {
  chunks: RecordedChunk[];
  gaps: CaptureGapInput[];
}

/**
 * Client: Finished, application data 0-1, KeyUpdate, then data 0-2 under the new keys. Server:
 * ServerHello, EncryptedExtensions, Finished, then 10 records of data. The records whose labels
 * are in `cut` are left out, as a capture gap takes them (with `extra` more bytes of the records
 * next to them), and each run of them is a gap.
 */
function build(cut: string[], extra = 0): Built {
  const client: [string, Uint8Array][] = [
    ['c-hello', record(22, handshake(1, clientHelloBody({ versions: [0x0304, 0x0303], serverName: 'www.bank32.com' })))],
    ['c-fin', seal(C_HS, 0, 22, handshake(20, new Uint8Array(32).fill(10)))],
    ['c0', seal(C_AP, 0, 23, ascii('client data 0'))],
    ['c1', seal(C_AP, 1, 23, ascii('client data 1'))],
    ['c-ku', seal(C_AP, 2, 22, handshake(24, [0]))],
    ['c1-0', seal(C_AP_1, 0, 23, ascii('client data after KeyUpdate 0'))],
    ['c1-1', seal(C_AP_1, 1, 23, ascii('client data after KeyUpdate 1'))],
    ['c1-2', seal(C_AP_1, 2, 23, ascii('client data after KeyUpdate 2'))],
  ];
  const server: [string, Uint8Array][] = [
    ['s-hello', record(22, handshake(2, serverHelloBody({ version: 0x0304 })))],
    ['s-ee', seal(S_HS, 0, 22, handshake(8, [0, 0]))],
    ['s-fin', seal(S_HS, 1, 22, handshake(20, new Uint8Array(32).fill(9)))],
    ...Array.from({ length: 10 }, (_, i): [string, Uint8Array] => [`s${i}`, seal(S_AP, i, 23, ascii(`server data ${i}`))]),
  ];
  const gaps: CaptureGapInput[] = [];
  const kept = (direction: Direction, list: [string, Uint8Array][]): Uint8Array => {
    const out: Uint8Array[] = [];
    let offset = 0;
    let missing = 0;
    for (const [label, bytes] of list) {
      if (cut.includes(label)) {
        missing += bytes.length;
        continue;
      }
      if (missing > 0) gaps.push({ direction, streamOffset: offset, notCaptured: missing + extra });
      missing = 0;
      out.push(bytes);
      offset += bytes.length;
    }
    return concat(...out);
  };
  const c = kept('client-to-server', client);
  const s = kept('server-to-client', server);
  const helloLength = server[0][1].length;
  const clientHelloLength = client[0][1].length;
  return {
    chunks: [
      { direction: 'client-to-server', t: 0, data: c.subarray(0, clientHelloLength) },
      { direction: 'server-to-client', t: 1, data: s.subarray(0, helloLength) },
      { direction: 'server-to-client', t: 2, data: s.subarray(helloLength) },
      { direction: 'client-to-server', t: 3, data: c.subarray(clientHelloLength) },
    ],
    gaps,
  };
}

const text = (r: DecryptedRecordInfo) => r.plaintextText;

describe('records after a capture gap', () => {
  it('TLS 1.3: lost application records are counted, and decryption resumes at the sequence number whose tag verifies', () => {
    const { chunks, gaps } = build(['s3', 's4', 's5']);
    expect(gaps).toHaveLength(1);
    const result = decryptConnection({ chunks, keylog, gaps });
    const server = result.records.filter((r) => r.direction === 'server-to-client');
    expect(server.map((r) => [r.status, r.keyEpoch, r.sequenceNumber])).toEqual([
      ['decrypted', 'handshake', 0],
      ['decrypted', 'handshake', 1],
      ...[0, 1, 2, 6, 7, 8, 9].map((n) => ['decrypted', 'application', n]),
    ]);
    expect(server.slice(2).map(text)).toEqual([0, 1, 2, 6, 7, 8, 9].map((n) => `server data ${n}`));
    expect(server[5].afterGap).toEqual({ notCaptured: gaps[0].notCaptured, recordsLost: 3, exact: true });
    expect(server.filter((r) => r.afterGap)).toHaveLength(1);
    expect(result.keys.notes).toContain(
      `server records, capture gap at byte ${gaps[0].streamOffset} of the stream (${gaps[0].notCaptured} bytes not captured): 3 records lost in the gap; decryption resumed at sequence number 6`,
    );
    // Without the gaps, the decryptor counts on from 3 and nothing after the gap opens (as before).
    const blind = decryptConnection({ chunks, keylog });
    expect(blind.records.filter((r) => r.direction === 'server-to-client').slice(5).map((r) => r.status)).toEqual(Array(4).fill('tag-failed'));
  });

  it('TLS 1.3: a lost KeyUpdate moves to the next generation of keys, found from sequence number 0', () => {
    const { chunks, gaps } = build(['c1', 'c-ku', 'c1-0']);
    const result = decryptConnection({ chunks, keylog, gaps });
    const client = result.records.filter((r) => r.direction === 'client-to-server');
    expect(client.map((r) => [r.status, r.keyEpoch, r.sequenceNumber, text(r)])).toEqual([
      ['decrypted', 'handshake', 0, undefined],
      ['decrypted', 'application', 0, 'client data 0'],
      ['decrypted', 'application (after KeyUpdate 1)', 1, 'client data after KeyUpdate 1'],
      ['decrypted', 'application (after KeyUpdate 1)', 2, 'client data after KeyUpdate 2'],
    ]);
    expect(client[2].afterGap).toEqual({ notCaptured: gaps[0].notCaptured, recordsLost: 2, exact: false });
    expect(result.keys.notes.join('\n')).toContain(
      'at least 2 records lost in the gap, one of them the Finished or KeyUpdate that changed the keys; decryption resumed under the application (after KeyUpdate 1) keys at sequence number 1',
    );
    // The lost generation's secret is shown with its derivation.
    expect(result.keys.secrets.find((s) => s.name === 'client_application_traffic_secret_1')?.hex).toBe(hex(C_AP_1));
  });

  it('a lost Finished moves from the handshake keys to the application keys', () => {
    const { chunks, gaps } = build(['s-fin', 's0', 's1']);
    const result = decryptConnection({ chunks, keylog, gaps });
    const server = result.records.filter((r) => r.direction === 'server-to-client');
    expect(server.map((r) => [r.keyEpoch, r.sequenceNumber, r.status])).toEqual([
      ['handshake', 0, 'decrypted'],
      ...[2, 3, 4, 5, 6, 7, 8, 9].map((n) => ['application', n, 'decrypted']),
    ]);
  });

  it('a record after a gap that opens under no sequence number says so, and the search goes on at the next one', () => {
    const { chunks, gaps } = build(['s3', 's4']);
    // Damage the first record after the gap (a byte of its ciphertext).
    const stream = chunks[2].data;
    const at = gaps[0].streamOffset - chunks[1].data.length + 8;
    stream[at] ^= 1;
    const result = decryptConnection({ chunks, keylog, gaps });
    const server = result.records.filter((r) => r.direction === 'server-to-client');
    const damaged = server[5];
    expect(damaged.status).toBe('tag-failed');
    expect(damaged.problem).toContain(`the capture lost records before this one (a gap of ${gaps[0].notCaptured} bytes), and it opens under none of the sequence numbers 3 to`);
    expect(server.slice(6).map((r) => [r.sequenceNumber, text(r)])).toEqual([6, 7, 8, 9].map((n) => [n, `server data ${n}`]));
    expect(server[6].afterGap).toEqual({ notCaptured: gaps[0].notCaptured, recordsLost: 2, exact: true });
  });

  it('the search is bounded by what the gap could hold: a small gap does not reach far sequence numbers', () => {
    // 4 records cut, but the gap claims 10 bytes: ceil(10 / 22) + 2 = 3 numbers after the expected one are tried.
    const { chunks, gaps } = build(['s3', 's4', 's5', 's6']);
    const small = gaps.map((g) => ({ ...g, notCaptured: 10 }));
    const result = decryptConnection({ chunks, keylog, gaps: small });
    const server = result.records.filter((r) => r.direction === 'server-to-client');
    expect(server.slice(5).map((r) => r.status)).toEqual(Array(3).fill('tag-failed'));
    expect(server[5].problem).toContain('none of the sequence numbers 3 to 6');
    expect(result.keys.notes.join('\n')).toContain('none of the first 3 opened under any sequence number the gap leaves possible, so the records after it stay closed');
  });

  it('without gaps, or with gaps in another direction, a connection decrypts exactly as before', () => {
    const { chunks } = build([]);
    const plain = decryptConnection({ chunks, keylog });
    const none = decryptConnection({ chunks, keylog, gaps: [] });
    expect(JSON.stringify([none.records, none.keys])).toBe(JSON.stringify([plain.records, plain.keys]));
    expect(plain.decrypted).toBe(plain.total);
  });
});
