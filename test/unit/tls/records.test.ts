import { describe, expect, it } from 'vitest';
import type { Direction } from '../../../src-main/api/types';
import {
  type DecryptedRecord,
  type ProtectedRecord,
  type RecordedChunk,
  decodeConnection,
  decodeTlsTimeline,
} from '../../../src-main/tls/records';
import { type Bytes, ascii, clientHelloBody, concat, extension, handshake, record, seededRandom, serverHelloBody, u16, vec } from './wire';

const C2S: Direction = 'client-to-server';
const S2C: Direction = 'server-to-client';

function chunk(direction: Direction, t: number, ...parts: Bytes[]): RecordedChunk {
  return { direction, t, data: concat(...parts) };
}

const clientHello = (spec: Parameters<typeof clientHelloBody>[0] = {}): Uint8Array =>
  record(22, handshake(1, clientHelloBody(spec)), 0x0301);

describe('record stream decoding', () => {
  it('numbers records across both directions in wire order, with the time of the completing chunk', () => {
    const entries = decodeTlsTimeline([
      chunk(C2S, 1, clientHello({ serverName: 'a.test' })),
      chunk(S2C, 2, record(22, concat(handshake(2, serverHelloBody()), handshake(14, [])))),
      chunk(C2S, 3, record(21, [1, 0])),
    ]);
    expect(entries.map((e) => [e.number, e.direction, e.t, e.messages])).toEqual([
      [1, C2S, 1, ['ClientHello']],
      [2, S2C, 2, ['ServerHello', 'ServerHelloDone']],
      [3, C2S, 3, ['Alert (warning, close_notify)']],
    ]);
    expect(entries[2].alert).toEqual({ level: 1, levelName: 'warning', description: 0, descriptionName: 'close_notify' });
  });

  it('gives each record its header fields and its offset in its direction', () => {
    const hello = clientHello();
    const entries = decodeTlsTimeline([chunk(C2S, 1, hello, record(21, [2, 40]))]);
    expect(entries[0]).toMatchObject({
      contentType: 22,
      contentTypeName: 'Handshake',
      version: 0x0301,
      versionName: 'TLS 1.0',
      length: hello.length - 5,
      streamOffset: 0,
      encrypted: false,
    });
    expect(entries[1]).toMatchObject({ streamOffset: hello.length, length: 2, messages: ['Alert (fatal, handshake_failure)'] });
  });

  it('puts a handshake message that spans three records back together and names it where it completes', () => {
    const certificate = handshake(11, vec(3, vec(3, new Uint8Array(300).fill(0x30))));
    const parts = [certificate.subarray(0, 2), certificate.subarray(2, 150), certificate.subarray(150)];
    const connection = decodeConnection([
      chunk(S2C, 1, record(22, handshake(2, serverHelloBody()))),
      chunk(S2C, 2, ...parts.map((p) => record(22, p)), record(22, handshake(14, []))),
    ]);
    expect(connection.records.map((e) => e.messages)).toEqual([
      ['ServerHello'],
      ['Certificate (fragment)'],
      ['Certificate (fragment)'],
      ['Certificate'],
      ['ServerHelloDone'],
    ]);
    const message = connection.handshakeMessages.find((m) => m.name === 'Certificate');
    expect(message?.recordNumbers).toEqual([2, 3, 4]);
    if (message?.body.kind !== 'certificate') throw new Error('Certificate not decoded');
    expect(message.body.certificateList[0].certData.length).toBe(300);
    expect(connection.handshakeFragments.filter((f) => f.direction === S2C).map((f) => f.length)).toEqual([
      ...[connection.records[0].length],
      2,
      148,
      certificate.length - 150,
      4,
    ]);
  });

  it('decodes the same capture the same way however TCP cut it into chunks', () => {
    const client = concat(
      clientHello({ serverName: 'www.bank32.com' }),
      record(22, handshake(16, vec(1, new Uint8Array(32)))),
      record(20, [1]),
      record(22, new Uint8Array(40)),
    );
    const server = concat(
      record(22, concat(handshake(2, serverHelloBody()), handshake(11, vec(3, vec(3, new Uint8Array(5000)))), handshake(14, []))),
      record(20, [1]),
      record(22, new Uint8Array(40)),
      record(23, new Uint8Array(3000)),
    );
    const whole = decodeTlsTimeline([chunk(C2S, 1, client), chunk(S2C, 1, server)]);
    const random = seededRandom(7);
    for (let round = 0; round < 20; round++) {
      const pieces: RecordedChunk[] = [];
      for (const [direction, bytes] of [[C2S, client], [S2C, server]] as const) {
        for (let at = 0; at < bytes.length; ) {
          const size = round === 0 ? 1 : 1 + Math.floor(random() * 700);
          pieces.push({ direction, t: 1, data: bytes.subarray(at, at + size) });
          at += size;
        }
      }
      const split = decodeTlsTimeline(pieces);
      expect(split.map((e) => [e.direction, e.messages, e.length, e.streamOffset])).toEqual(
        whole.map((e) => [e.direction, e.messages, e.length, e.streamOffset]),
      );
    }
  });

  it('names TLS 1.2 records after ChangeCipherSpec: Finished first, then encrypted handshake, alerts', () => {
    const entries = decodeTlsTimeline([
      chunk(
        C2S,
        1,
        record(20, [1]),
        record(22, new Uint8Array(40)),
        record(22, new Uint8Array(60)),
        record(23, new Uint8Array(30)),
        record(21, new Uint8Array(26)),
      ),
    ]);
    expect(entries.map((e) => [e.messages[0], e.encrypted])).toEqual([
      ['ChangeCipherSpec', false],
      ['Finished (encrypted)', true],
      ['Encrypted Handshake Message', true],
      ['Application Data', true],
      ['Encrypted Alert', true],
    ]);
  });

  it('knows TLS 1.3 from the ServerHello: later application_data is encrypted, the CCS is the compatibility one', () => {
    const connection = decodeConnection([
      chunk(C2S, 1, clientHello({ versions: [0x0304, 0x0303] })),
      chunk(S2C, 2, record(22, handshake(2, serverHelloBody({ version: 0x0304 }))), record(20, [1]), record(23, new Uint8Array(50))),
      chunk(C2S, 3, record(20, [1]), record(23, new Uint8Array(53))),
    ]);
    expect(connection.records.map((e) => [e.direction, e.messages[0], e.encrypted])).toEqual([
      [C2S, 'ClientHello', false],
      [S2C, 'ServerHello', false],
      [S2C, 'Change Cipher Spec (compatibility)', false],
      [S2C, 'Application Data (encrypted)', true],
      [C2S, 'Change Cipher Spec (compatibility)', false],
      [C2S, 'Application Data (encrypted)', true],
    ]);
    expect(connection.version?.name).toBe('TLS 1.3');
  });

  it('passes protected records to a plugged-in decryptor and decodes what it returns', () => {
    // A stand-in "cipher": XOR with 0x5a over TLSInnerPlaintext (content || type), RFC 8446, Section 5.2.
    const seal = (contentType: number, content: Uint8Array): Uint8Array =>
      concat(content, [contentType]).map((b) => b ^ 0x5a);
    const open = (record: ProtectedRecord): DecryptedRecord => {
      const inner = record.body.map((b) => b ^ 0x5a);
      return { contentType: inner[inner.length - 1], plaintext: inner.subarray(0, inner.length - 1) };
    };
    const encryptedExtensions = handshake(8, vec(2, extension(16, vec(2, vec(1, ascii('h2'))))));
    // TLS 1.3 Certificate: empty request context, one entry with empty extensions.
    const certificate = handshake(11, concat(vec(1, []), vec(3, vec(3, new Uint8Array(20)), vec(2))));
    const seen: string[] = [];
    const connection = decodeConnection(
      [
        chunk(C2S, 1, clientHello({ versions: [0x0304] })),
        chunk(
          S2C,
          2,
          record(22, handshake(2, serverHelloBody({ version: 0x0304 }))),
          record(23, seal(22, concat(encryptedExtensions, certificate))),
          record(23, seal(22, handshake(20, new Uint8Array(32)))),
          record(23, seal(23, ascii('HTTP/1.1 200 OK\r\n'))),
        ),
      ],
      {
        decryptorFor: (context) => {
          seen.push(`${context.direction} ${context.cipherSuite?.toString(16)}`);
          return context.direction === S2C ? { decrypt: open } : undefined;
        },
      },
    );
    expect(seen).toEqual([`${S2C} 1301`]);
    expect(connection.records.slice(2).map((e) => [e.messages, e.encrypted])).toEqual([
      [['EncryptedExtensions', 'Certificate'], false],
      [['Finished'], false],
      [['Application Data'], false],
    ]);
    const decodedCertificate = connection.handshakeMessages.find((m) => m.name === 'Certificate');
    expect(decodedCertificate?.body.kind === 'certificate' && decodedCertificate.body.form).toBe('tls13');
    expect(connection.handshakeFragments.find((f) => f.recordNumber === 3)?.wireOffset).toBeUndefined();
  });

  it('reports a truncated record header at the end of the capture', () => {
    const entries = decodeTlsTimeline([chunk(C2S, 1, clientHello()), chunk(C2S, 4, [22, 3, 3])]);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ malformed: 'incomplete record header: 3 of 5 bytes arrived', t: 4, contentType: 22 });
  });

  it('reports a record cut short, in wire order where its last byte arrived', () => {
    const partial = record(23, new Uint8Array(100)).subarray(0, 10);
    const entries = decodeTlsTimeline([chunk(C2S, 1, partial), chunk(S2C, 2, record(21, [1, 0]))]);
    expect(entries.map((e) => [e.number, e.direction, e.malformed])).toEqual([
      [1, C2S, 'incomplete record: 10 of 105 bytes arrived'],
      [2, S2C, undefined],
    ]);
    expect(entries[0].length).toBe(100);
  });

  it('stops a direction whose header claims more than 2^14 + 2048 bytes, and keeps decoding the other', () => {
    const entries = decodeTlsTimeline([
      chunk(C2S, 1, [23, 3, 3, 0x48, 0x01], new Uint8Array(100)),
      chunk(C2S, 2, record(21, [1, 0])),
      chunk(S2C, 3, record(21, [1, 0])),
    ]);
    expect(entries).toHaveLength(2);
    expect(entries[0].malformed).toBe(
      'not a TLS record: the client sent a header that claims 18433 bytes, more than the 18432 (2^14 + 2048) a TLS record may carry',
    );
    expect(entries[1]).toMatchObject({ direction: S2C, messages: ['Alert (warning, close_notify)'] });
  });

  it('says so when a server answers a ClientHello with HTTP', () => {
    const connection = decodeConnection([
      chunk(C2S, 1, clientHello({ serverName: 'www.bank32.com' })),
      chunk(S2C, 2, ascii('HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n<html>')),
    ]);
    expect(connection.records[1].malformed).toBe(
      'not a TLS record: the server sent bytes that look like HTTP ("HTTP/1.1 400 Bad Request"); it is not speaking TLS on this port',
    );
    expect(connection.streams[S2C].stopped).toBe(connection.records[1].malformed);
    expect(connection.clientHello?.serverName).toBe('www.bank32.com');
  });

  it('names plain text and unknown bytes without guessing they are TLS', () => {
    const text = decodeTlsTimeline([chunk(S2C, 1, ascii('SSH-2.0-OpenSSH_9.2\r\n'))]);
    expect(text[0].malformed).toBe('not a TLS record: the server sent an SSH greeting ("SSH-2.0-OpenSSH_9.2")');
    const binary = decodeTlsTimeline([chunk(C2S, 1, [0x00, 0x01, 0x02, 0x03, 0x04, 0x05])]);
    expect(binary[0].malformed).toBe(
      'not a TLS record: the client sent content type 0 (0x00), which TLS does not define (first bytes: 00 01 02 03 04 05)',
    );
    const short = decodeTlsTimeline([chunk(C2S, 1, ascii('GE'))]);
    expect(short[0].malformed).toBe('not a TLS record: the client sent plain text ("GE")');
  });

  it('marks a ChangeCipherSpec with a wrong body and an alert with an odd length', () => {
    const entries = decodeTlsTimeline([chunk(C2S, 1, record(21, [2, 40, 1]), record(20, [1, 1]))]);
    expect(entries[0].malformed).toBe('an alert is 2 bytes (level, description); this record carries 3');
    expect(entries[1].malformed).toBe('a ChangeCipherSpec record carries 1 byte, this one 2');
  });

  it('carries a handshake decode error up to the record', () => {
    const broken = handshake(1, concat(u16(0x0303), new Uint8Array(32), [0], u16(4), [0x13]));
    const entries = decodeTlsTimeline([chunk(C2S, 1, record(22, broken))]);
    expect(entries[0].messages).toEqual(['ClientHello']);
    expect(entries[0].malformed).toBe('ClientHello.cipher_suites: need 4 bytes at offset 41, 1 left');
  });

  it('never throws on random garbage, however it is chunked', () => {
    const random = seededRandom(0xbadc0de);
    const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
    for (let i = 0; i < 500; i++) {
      const chunks: RecordedChunk[] = [];
      const count = 1 + Math.floor(random() * 6);
      for (let k = 0; k < count; k++) {
        const direction = random() < 0.5 ? C2S : S2C;
        // Half the time, garbage inside well-formed record headers so the handshake decoders see it.
        const data =
          random() < 0.5
            ? record([20, 21, 22, 23][Math.floor(random() * 4)], bytes(Math.floor(random() * 120)))
            : bytes(Math.floor(random() * 200));
        chunks.push({ direction, t: k, data });
      }
      let entries: ReturnType<typeof decodeTlsTimeline> = [];
      expect(() => (entries = decodeTlsTimeline(chunks))).not.toThrow();
      expect(entries.map((e) => e.number)).toEqual(entries.map((_, n) => n + 1));
    }
  });

  it('keeps up with 100 000 records of a 100 MB stream split at arbitrary points', () => {
    const recordCount = 100_000;
    const size = 1000;
    const stream = new Uint8Array(5 + 1 + recordCount * (5 + size));
    stream.set(record(20, [1]), 0);
    for (let i = 0, at = 6; i < recordCount; i++, at += 5 + size) stream.set([23, 3, 3, size >> 8, size & 0xff], at);
    const random = seededRandom(42);
    const chunks: RecordedChunk[] = [];
    for (let at = 0, t = 0; at < stream.length; t++) {
      const n = 1 + Math.floor(random() * 65536);
      chunks.push({ direction: S2C, t, data: stream.subarray(at, at + n) });
      at += n;
    }
    const connection = decodeConnection(chunks);
    expect(connection.records).toHaveLength(recordCount + 1);
    const last = connection.records[recordCount];
    expect(last).toMatchObject({ number: recordCount + 1, messages: ['Application Data'], encrypted: true, streamOffset: stream.length - 5 - size });
    expect(last.t).toBe(chunks.length - 1);
    expect(connection.streams[S2C]).toEqual({ bytes: stream.length, recordBytes: stream.length, records: recordCount + 1 });
  });
});
