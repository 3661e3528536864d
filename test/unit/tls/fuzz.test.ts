// Property-based robustness of the record/handshake decoders and the decryptor: random bytes, and
// mutations of real openssl handshakes recorded with their key logs (so mutated bytes reach the
// key schedule, the AEAD/CBC openers and the decoding of decrypted handshake messages).
// The properties: never an exception, never an untyped ("internal") failure, and every record
// accounted for with a known status. A hang would fail the test by its timeout.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordDecryptionStatus } from '../../../src-main/api/decryptTypes';
import type { Direction } from '../../../src-main/api/types';
import { decodeHandshakeMessage } from '../../../src-main/tls/handshake';
import { openRecord } from '../../../src-main/tls/recordCrypto';
import { type RecordedChunk, decodeConnection } from '../../../src-main/tls/records';
import { decryptConnection } from '../../../src-main/tls/sessionKeys';
import { supportedSuites } from '../../../src-main/tls/suites';
import { TestCertificate, captureOpensslSession } from './opensslCapture';

const STATUSES: RecordDecryptionStatus[] = ['decrypted', 'tag-failed', 'mac-failed', 'no-keys', 'malformed'];

interface Recorded {
  name: string;
  chunks: RecordedChunk[];
  keylog: string[];
}

let certificate: TestCertificate;
const recorded: Recorded[] = [];

async function record(name: string, clientArgs: string[], serverArgs: string[] = []): Promise<void> {
  const keylogFile = path.join(certificate.dir, `${name}.keylog`);
  const capture = await captureOpensslSession(certificate, {
    serverArgs: ['-www', ...serverArgs],
    clientArgs: ['-keylogfile', keylogFile, ...clientArgs],
    clientInput: 'GET / HTTP/1.0\r\n\r\n',
  });
  const keylog = fs.readFileSync(keylogFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  recorded.push({ name, chunks: capture.chunks, keylog });
}

beforeAll(async () => {
  certificate = new TestCertificate();
  await record('tls13', ['-tls1_3']);
  await record('tls12-gcm', ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
  await record('tls12-cbc-etm', ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA']);
  await record('tls12-cbc-mte', ['-tls1_2', '-cipher', 'ECDHE-RSA-AES256-SHA384'], ['-no_etm']);
  await record('tls12-chacha', ['-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305']);
}, 60_000);

afterAll(() => certificate?.remove());

/** Runs the whole pipeline and checks what a user would see is well formed. */
function checkConnection(chunks: RecordedChunk[], keylog: string[]): void {
  const result = decryptConnection({ chunks, keylog });
  for (const r of result.records) {
    if (!STATUSES.includes(r.status)) throw new Error(`unknown status ${r.status}`);
    if (r.problem?.startsWith('cannot open this record:')) throw new Error(`untyped failure in the decryptor: ${r.problem}`);
    if (r.status === 'decrypted' && r.plaintextHex === undefined) throw new Error('decrypted without plaintext');
    if (r.status !== 'decrypted' && r.plaintextHex !== undefined) throw new Error('plaintext shown for a record that did not verify');
  }
  for (const m of result.decoded.handshakeMessages) {
    if (m.malformed?.startsWith('internal decoder error')) throw new Error(m.malformed);
  }
}

/** Re-splits each direction's bytes at the given cut points, keeping the directions' interleaving. */
function rechunk(chunks: RecordedChunk[], cuts: number[]): RecordedChunk[] {
  const out: RecordedChunk[] = [];
  let k = 0;
  for (const chunk of chunks) {
    const cut = cuts[k++ % cuts.length] % (chunk.data.length + 1);
    if (cut > 0 && cut < chunk.data.length) {
      out.push({ ...chunk, data: chunk.data.subarray(0, cut) }, { ...chunk, data: chunk.data.subarray(cut) });
    } else out.push(chunk);
  }
  return out;
}

type Mutation =
  | { kind: 'flip'; chunk: number; at: number; bit: number }
  | { kind: 'set'; chunk: number; at: number; value: number }
  | { kind: 'truncate'; chunk: number; at: number }
  | { kind: 'insert'; chunk: number; at: number; bytes: Uint8Array }
  | { kind: 'drop'; chunk: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), chunk: fc.nat(), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), chunk: fc.nat(), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), chunk: fc.nat(), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), chunk: fc.nat(), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('drop' as const), chunk: fc.nat() }),
);

function mutate(chunks: RecordedChunk[], mutations: Mutation[]): RecordedChunk[] {
  const out = chunks.map((c) => ({ ...c, data: c.data }));
  for (const m of mutations) {
    if (out.length === 0) break;
    const i = m.chunk % out.length;
    const data = out[i].data;
    const at = data.length === 0 || m.kind === 'drop' ? 0 : m.at % data.length;
    switch (m.kind) {
      case 'flip':
      case 'set': {
        if (data.length === 0) break;
        const copy = Uint8Array.from(data);
        copy[at] = m.kind === 'flip' ? copy[at] ^ (1 << m.bit) : m.value;
        out[i] = { ...out[i], data: copy };
        break;
      }
      case 'truncate':
        out[i] = { ...out[i], data: data.subarray(0, at) };
        break;
      case 'insert': {
        const copy = new Uint8Array(data.length + m.bytes.length);
        copy.set(data.subarray(0, at));
        copy.set(m.bytes, at);
        copy.set(data.subarray(at), at + m.bytes.length);
        out[i] = { ...out[i], data: copy };
        break;
      }
      case 'drop':
        out.splice(i, 1);
        break;
    }
  }
  return out;
}

const direction: fc.Arbitrary<Direction> = fc.constantFrom('client-to-server', 'server-to-client');

let total = 0;
afterAll(() => {
  // The issue asks for at least 100,000 cases across the suite's fuzzing.
  expect(total).toBeGreaterThanOrEqual(100_000);
});

function run<T>(arbitrary: fc.Arbitrary<T>, property: (value: T) => void, numRuns: number): void {
  fc.assert(fc.property(arbitrary, property), { numRuns, seed: 0x7e15 + numRuns });
  total += numRuns;
}

describe('fuzzing the decoders and the decryptor', () => {
  it('a real recording opens cleanly before any mutation (the baseline the mutations start from)', () => {
    for (const r of recorded) {
      const result = decryptConnection({ chunks: r.chunks, keylog: r.keylog });
      expect(result.records.length, r.name).toBeGreaterThan(0);
      expect(result.records.every((x) => x.status === 'decrypted'), r.name).toBe(true);
    }
  });

  it('mutated real handshakes with their key logs: 10,000 cases', () => {
    const arbitrary = fc.record({
      which: fc.nat({ max: recorded.length - 1 }),
      mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
      cuts: fc.array(fc.nat({ max: 4096 }), { minLength: 1, maxLength: 6 }),
      keepKeylog: fc.boolean(),
    });
    run(
      arbitrary,
      ({ which, mutations, cuts, keepKeylog }) => {
        const r = recorded[which];
        checkConnection(rechunk(mutate(r.chunks, mutations), cuts), keepKeylog ? r.keylog : []);
      },
      10_000,
    );
  });

  it('mutated key logs against real recordings: 3,000 cases', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.tuple(
        fc.constantFrom('CLIENT_RANDOM', 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0'),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 0, maxLength: 64 }),
      ).map(([label, random, secret]) => `${label} ${Buffer.from(random).toString('hex')} ${Buffer.from(secret).toString('hex')}`),
    );
    run(
      fc.record({ which: fc.nat({ max: recorded.length - 1 }), lines: fc.array(line, { maxLength: 6 }), realRandom: fc.boolean() }),
      ({ which, lines, realRandom }) => {
        const r = recorded[which];
        // With realRandom, point the bogus secrets at this connection's client random.
        const random = r.keylog[0].split(' ')[1];
        const keylog = realRandom ? lines.map((l) => l.replace(/^(\S+) [0-9a-f]{64} /, `$1 ${random} `)) : lines;
        checkConnection(r.chunks, keylog);
      },
      3_000,
    );
  });

  it('random byte streams in both directions: 65,000 cases', () => {
    const chunk = fc.record({ direction, t: fc.nat(), data: fc.uint8Array({ maxLength: 64 }) });
    run(fc.array(chunk, { maxLength: 8 }), (chunks) => checkConnection(chunks, []), 60_000);
    // Random records behind a valid header: reach the handshake decoder and record paths more often.
    const record = fc
      .record({ direction, type: fc.constantFrom(20, 21, 22, 23, 24), version: fc.constantFrom(0x0301, 0x0303), body: fc.uint8Array({ maxLength: 80 }) })
      .map(({ direction: d, type, version, body }) => ({
        direction: d,
        t: 0,
        data: Uint8Array.from([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff, ...body]),
      }));
    run(fc.array(record, { maxLength: 10 }), (chunks) => {
      decodeConnection(chunks);
      checkConnection(chunks, []);
    }, 5_000);
  });

  it('random handshake messages: 15,000 cases', () => {
    const message = fc
      .record({ type: fc.constantFrom(0, 1, 2, 4, 8, 11, 12, 13, 14, 15, 16, 20, 22, 24, 99), body: fc.uint8Array({ maxLength: 200 }), lie: fc.integer({ min: -3, max: 3 }) })
      .map(({ type, body, lie }) => {
        const length = Math.max(0, body.length + lie);
        return Uint8Array.from([type, length >> 16, (length >> 8) & 0xff, length & 0xff, ...body]);
      });
    const context = fc.record({ version: fc.constantFrom(0x0303, 0x0304, undefined), cipherSuite: fc.constantFrom(0x1301, 0xc02f, 0x009c, 0x0033, undefined) });
    run(
      fc.tuple(message, context),
      ([bytes, ctx]) => {
        const decoded = decodeHandshakeMessage(bytes, 0, ctx);
        if (decoded.malformed?.startsWith('internal decoder error')) throw new Error(decoded.malformed);
      },
      15_000,
    );
  });

  it('random protected records through every suite the workbench decrypts: 20,000 cases', () => {
    const suites = supportedSuites();
    run(
      fc.record({
        suite: fc.nat({ max: suites.length - 1 }),
        key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
        iv: fc.uint8Array({ minLength: 16, maxLength: 16 }),
        body: fc.uint8Array({ maxLength: 120 }),
        sequenceNumber: fc.nat(),
        encryptThenMac: fc.boolean(),
      }),
      ({ suite: index, key, iv, body, sequenceNumber, encryptThenMac }) => {
        const suite = suites[index];
        const opened = openRecord({
          keys: {
            suite,
            key: key.subarray(0, suite.keyLength),
            iv: iv.subarray(0, suite.fixedIvLength),
            macKey: key.subarray(0, suite.macKeyLength),
            encryptThenMac,
            tls13: suite.family === 'tls13',
            ivName: 'iv',
          },
          sequenceNumber,
          contentType: 23,
          version: 0x0303,
          body,
        });
        if (!STATUSES.includes(opened.status)) throw new Error(`unknown status ${opened.status}`);
        if (opened.problem?.startsWith('cannot open this record:')) throw new Error(opened.problem);
        // Random bytes essentially never carry a valid tag or MAC.
        if (opened.status === 'decrypted') throw new Error(`random bytes opened under ${suite.name}`);
      },
      20_000,
    );
  });
});
