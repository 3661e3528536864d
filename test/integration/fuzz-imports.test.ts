// Property-based robustness of session imports, through the same method the window, the engine API
// and `tlslab sessions import` call: real files (a bundle and a pcapng the workbench exported from a
// session it recorded against openssl s_server, a classic pcap of the same frames, gzip copies)
// flipped, cut, spliced, with block and record lengths stretched, and bundles whose checksum is
// right but whose manifest or chunk table lies. The properties: the import succeeds and the
// session it made can be shown, or it fails with one error that carries a code and a plain message
// (never INTERNAL, never a program's wording), and a refused import adds no session, no row and no
// file. A hang fails the test by its timeout; inputs stay small so none is slow.
import { X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { captureSession } from '../../src-main/export/captureSession';
import { readCapture } from '../../src-main/export/pcapImport';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toErrorInfo } from '../../src-main/errors';
import { Workbench } from '../../src-main/workbench';
import { importInto } from '../../src-main/workshop/exchange';
import { makeTestPki, openssl, type TestPki } from '../support/opensslPki';
import { loopbackGet } from '../support/clientRequest';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { frames, pcap } from '../support/pcapFrames';
import { type ByteMutation, mutateBytes } from '../support/fuzzBytes';

const SEED = 20261128;
const INTERNAL_WORDING =
  /error:[0-9A-Fa-f]{8}:|Cannot read propert|undefined|NaN|is not a function|is not iterable|out of range|outside the bounds|Invalid array length|Maximum call stack|Unexpected token|TypeError|RangeError|SyntaxError|constraint failed|SQLITE|\n\s+at |\[object /;

let pki: TestPki;
let peer: RunningPeer;
let tmp: string;
let dataDir: string;
let wb: Workbench;
const files: Record<string, Uint8Array> = {};
let keylog: string;

beforeAll(async () => {
  pki = makeTestPki('tlslab-fuzz-imports-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-fuzz-imports-'));
  dataDir = path.join(tmp, 'data');
  wb = new Workbench({ dataDir });
  peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www', '-tls1_3']);
  const id = await wb.recordClient(loopbackGet('www.bank32.com', peer.port, pki.caCert, { send: { kind: 'http-get', path: '/fuzz' } }));
  files.bundle = wb.exchange.exportFile(id, 'bundle').bytes;
  files.pcapng = wb.exchange.exportFile(id, 'pcapng').bytes;
  files.pcap = new Uint8Array(pcap(frames(files.pcapng)));
  files.pcapngNoSecrets = wb.exchange.exportFile(id, 'pcapng', { secrets: false }).bytes;
  keylog = new TextDecoder().decode(wb.exchange.exportFile(id, 'keylog').bytes);
  const p12 = path.join(tmp, 'server.p12');
  const p7b = path.join(tmp, 'chain.p7b');
  openssl(['pkcs12', '-export', '-in', pki.serverCert, '-inkey', pki.serverKey, '-certfile', pki.caCert, '-passout', 'pass:secret', '-out', p12]);
  openssl(['crl2pkcs7', '-nocrl', '-certfile', pki.serverCert, '-certfile', pki.caCert, '-outform', 'DER', '-out', p7b]);
  files.p12 = new Uint8Array(fs.readFileSync(p12));
  files.p7b = new Uint8Array(fs.readFileSync(p7b));
  files.pemChain = new Uint8Array(Buffer.concat([pki.serverCert, pki.caCert, pki.serverKey].map((f) => fs.readFileSync(f))));
  const csr = path.join(tmp, 'request.csr');
  openssl(['req', '-new', '-key', pki.serverKey, '-subj', '/O=Fuzz/CN=fuzz.bank32.com', '-addext', 'subjectAltName=DNS:fuzz.bank32.com', '-outform', 'DER', '-out', csr]);
  files.csr = new Uint8Array(fs.readFileSync(csr));
  const encrypted = path.join(tmp, 'encrypted.key');
  openssl(['pkcs8', '-topk8', '-in', pki.serverKey, '-v2', 'aes-256-cbc', '-passout', 'pass:secret', '-outform', 'DER', '-out', encrypted]);
  files.encryptedKey = new Uint8Array(fs.readFileSync(encrypted));
}, 60_000);

afterAll(async () => {
  await wb?.close();
  await peer?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Everything an import could leave behind: rows of every table, and the files of the data folder. */
function footprint(): string {
  const tables = (wb.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
  const rows = tables.map((t) => `${t}:${(wb.db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n}`);
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const stray = walk(dataDir).filter((f) => !/workbench\.sqlite(-wal|-shm)?$/.test(f));
  return [...rows, ...stray].join(' ');
}

/** Imports as a user does; returns what they would see, or throws when the property is broken. */
/** A refused import as the user meets it: one typed, plain, short error, and nothing left behind (`before`: the footprint before it). */
function cleanRefusal(error: unknown, before: string): { code: string; message: string } {
  const info = toErrorInfo(error);
  if (info.code === 'INTERNAL') throw new Error(`an untyped failure reached the user: ${info.message}\n${(error as Error).stack}`);
  if (INTERNAL_WORDING.test(info.message)) throw new Error(`internal wording reached the user (${info.code}): ${info.message}`);
  if (info.message.length > 600) throw new Error(`a message of ${info.message.length} characters: ${info.message.slice(0, 300)}…`);
  const after = footprint();
  if (after !== before) throw new Error(`a refused import left something behind:\nbefore ${before}\nafter  ${after}`);
  return info;
}

async function importChecked(bytes: Uint8Array, options: { keylogText?: string } = {}): Promise<'imported' | { code: string; message: string }> {
  const before = footprint();
  let id: number;
  try {
    id = wb.exchange.importBytes(bytes, { source: 'handout.pcapng', keylogText: options.keylogText, again: true }).id;
  } catch (error) {
    return cleanRefusal(error, before);
  }
  // What was imported can be shown (the session list and its detail) and decrypted.
  try {
    await wb.session(id);
    wb.listSessions(5);
    await wb.decryptSession({ id });
  } catch (error) {
    throw new Error(`session ${id}, imported from these bytes, cannot be shown: ${toErrorInfo(error).code} ${(error as Error).message}\n${(error as Error).stack}`);
  }
  wb.exchange.delete(id);
  return 'imported';
}

type Mutation = ByteMutation | { kind: 'word'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  // A 32-bit field (a block length, a captured length, an interface id) set to an edge value.
  fc.record({ kind: fc.constant('word' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 4, 11, 12, 13, 0xffff, 0x7fffffff, 0xfffffff0, 0xffffffff) }),
);

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  // 'word': a 32-bit field aligned to 4 bytes, as pcapng fields are, in either byte order.
  return mutateBytes(input, mutations, (data, m: Extract<Mutation, { kind: 'word' }>, at) => {
    const w = at - (at % 4);
    if (w + 4 <= data.length) new DataView(data.buffer).setUint32(w, m.value, (m.at & 1) === 0);
    return data;
  });
}

/** A bundle's parts, to rewrite them and seal them again with a good checksum. */
function openBundle(bytes: Uint8Array): { format: number; manifest: Record<string, unknown>; chunks: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = 'TLSLAB-BUNDLE\n'.length;
  const length = view.getUint32(magic + 2);
  return {
    format: view.getUint16(magic),
    manifest: JSON.parse(new TextDecoder().decode(bytes.subarray(magic + 6, magic + 6 + length))),
    chunks: bytes.slice(magic + 6 + length, bytes.length - 32),
  };
}

function sealBundle(format: number, manifest: unknown, chunks: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(manifest));
  const head = Buffer.alloc(6);
  head.writeUInt16BE(format, 0);
  head.writeUInt32BE(json.length, 2);
  const body = Buffer.concat([Buffer.from('TLSLAB-BUNDLE\n'), head, json, chunks]);
  return new Uint8Array(Buffer.concat([body, createHash('sha256').update(body).digest()]));
}

describe('session imports of damaged and lying files', () => {
  it('the real files import as they are (the fixtures are sound)', async () => {
    for (const name of ['bundle', 'pcapng', 'pcap', 'pcapngNoSecrets']) expect(await importChecked(files[name])).toBe('imported');
    expect(await importChecked(gzipSync(files.pcapng))).toBe('imported');
    expect(await importChecked(files.pcapngNoSecrets, { keylogText: keylog })).toBe('imported');
  });

  it('mutated captures (pcapng, pcap, gzip): imported and showable, or refused cleanly with nothing left behind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('pcapng', 'pcap', 'pcapngNoSecrets', 'gzip'), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (kind, mutations) => {
        const bytes = kind === 'gzip' ? mutate(gzipSync(files.pcapng), mutations) : mutate(files[kind], mutations);
        await importChecked(bytes, kind === 'pcapngNoSecrets' ? { keylogText: keylog } : {});
      }),
      { seed: SEED, numRuns: 250 },
    );
  });

  it('a key log that is junk, given with a capture: imported without its keys, or refused cleanly', async () => {
    const line = fc.oneof(
      fc.constantFrom(...keylog.split('\n')),
      fc.string({ maxLength: 120 }),
      fc.constantFrom('CLIENT_RANDOM', 'CLIENT_RANDOM  ', `CLIENT_RANDOM ${'0'.repeat(64)}`, `CLIENT_RANDOM ${'0'.repeat(64)} `, `SERVER_HANDSHAKE_TRAFFIC_SECRET ${'ab'.repeat(32)} ${'cd'.repeat(48)}`, `CLIENT_RANDOM ${'f'.repeat(20000)} 00`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n', '\r'), async (lines, end) => {
        await importChecked(files.pcapngNoSecrets, { keylogText: lines.join(end) });
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('mutated bundles (the checksum catches them): refused cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        await importChecked(mutate(files.bundle, mutations));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('bundles with a good checksum whose chunk table is damaged: imported and showable, or refused cleanly', async () => {
    const { format, manifest, chunks } = openBundle(files.bundle);
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        await importChecked(sealBundle(format, manifest, mutate(chunks, mutations)));
      }),
      { seed: SEED, numRuns: 120 },
    );
  });

  it('bundles with a good checksum whose manifest lies: imported and showable, or refused cleanly', async () => {
    const { format, manifest, chunks } = openBundle(files.bundle);
    const lie = fc.oneof(
      fc.constantFrom<unknown>(null, 0, -1, 1e308, -1e308, 2 ** 53, 0.5, '', 'x'.repeat(2000), '\u0000\ud800', [], {}, true, 'running', 'ok', 'failed', 'client', 'proxy', 'server', 'proxy-upstream'),
      fc.integer(),
      fc.double(),
      fc.string({ maxLength: 40 }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    /** Every path to a value in the manifest (objects and arrays), to point a lie at one. */
    const paths: (string | number)[][] = [];
    const collect = (value: unknown, at: (string | number)[]) => {
      paths.push(at);
      if (Array.isArray(value)) value.slice(0, 4).forEach((v, i) => collect(v, [...at, i]));
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, [...at, k]);
    };
    collect(manifest, []);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...paths.filter((p) => p.length > 0)), lie), { minLength: 1, maxLength: 3 }), async (lies) => {
        const copy = structuredClone(manifest) as Record<string | number, unknown>;
        for (const [where, value] of lies) {
          let node = copy;
          for (const step of where.slice(0, -1)) node = (node?.[step] ?? {}) as Record<string | number, unknown>;
          if (node && typeof node === 'object') node[where[where.length - 1]] = value;
        }
        await importChecked(sealBundle(format, copy, chunks));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

/** A pcapng block (little-endian, as the workbench writes them) of `type` around `body`. */
function block(type: number, body: Uint8Array, length = 12 + body.length): Uint8Array {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(length, 4);
  out.set(body, 8);
  out.writeUInt32LE(length, 8 + body.length);
  return new Uint8Array(out);
}

const joined = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** An Ethernet frame of one TCP segment from 127.0.0.1:50000 (or `client`) to 127.0.0.2:443, or back. */
function frame(seq: number, flags: number, payload: Uint8Array, fromClient = true, client: [number, number] = [1, 50000]) {
  const ip = Buffer.alloc(20 + 20 + payload.length);
  ip[0] = 0x45;
  ip.writeUInt16BE(ip.length, 2);
  ip[8] = 64;
  ip[9] = 6;
  const clientIp = [127, 0, (client[0] >> 8) & 0xff, client[0] & 0xff];
  ip.set(fromClient ? clientIp : [127, 0, 0, 2], 12);
  ip.set(fromClient ? [127, 0, 0, 2] : clientIp, 16);
  ip.writeUInt16BE(fromClient ? client[1] : 443, 20);
  ip.writeUInt16BE(fromClient ? 443 : client[1], 22);
  ip.writeUInt32BE(seq >>> 0, 24);
  ip[32] = 0x50;
  ip[33] = flags;
  ip.set(payload, 40);
  return { time: 1, data: new Uint8Array(Buffer.concat([Buffer.from('000000000002000000000001', 'hex'), Buffer.from([0x08, 0x00]), ip])) };
}

describe('hand-made nasty captures', () => {
  it.each([
    ['an Enhanced Packet Block', 6, 20],
    ['an obsolete Packet Block', 2, 20],
    ['a Simple Packet Block', 3, 4],
    ['a Decryption Secrets Block', 10, 8],
    ['an Interface Description Block', 1, 8],
  ])('a pcapng that ends with %s too short for its fields: refused in plain words', async (_name, type, fields) => {
    for (let size = 0; size < fields; size += 4) {
      const outcome = await importChecked(joined(files.pcapng, block(type, new Uint8Array(size))));
      expect(outcome).not.toBe('imported');
      expect((outcome as { message: string }).message).toMatch(/^handout\.pcapng: this pcapng file has a damaged block at byte \d+ \(length \d+, too short for the \d+ bytes of fields its type has\)/);
    }
  });

  it('packet times far past the year 275,760 (the last a JavaScript date holds): imported and showable, or refused in plain words', async () => {
    for (const high of [0xffffffff, 0x00ffffff, 0x80000000]) {
      const copy = Buffer.from(files.pcapng);
      for (let at = 0; at + 12 <= copy.length; at += copy.readUInt32LE(at + 4)) {
        if (copy.readUInt32LE(at) === 6) copy.writeUInt32LE(high, at + 12);
      }
      await importChecked(new Uint8Array(copy));
      await importChecked(gzipSync(copy));
    }
  });

  it('a gzip bomb (a small file that uncompresses past a gibibyte) is refused without filling memory', async () => {
    const member = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const bomb = new Uint8Array(Buffer.concat(Array.from({ length: 17 }, () => member)));
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const outcome = await importChecked(bomb);
    expect(outcome).not.toBe('imported');
    expect((outcome as { message: string }).message).toMatch(/uncompresses to more than 1 GiB/);
  });

  it('a capture whose segments arrive last-first is put back in order, each held segment taken once', () => {
    // Reversed TCP segments of one stream: each is held until the one before it arrives. All the
    // held segments were scanned again for each one delivered (quadratic: 40,000 took 5.5 s of
    // this test, 80,000 four times that); they are now taken lowest offset first, each once.
    const count = 40_000;
    const list = [frame(999, 0x02, new Uint8Array(0))];
    for (let i = count - 1; i >= 0; i--) list.push(frame(1000 + i * 4, 0x18, Uint8Array.of(i & 0xff, 1, 2, 3)));
    const capture = readCapture(new Uint8Array(pcap(list, 1)));
    expect(capture.streams).toHaveLength(1);
    const bytes = Buffer.concat(capture.streams[0].chunks.map((c) => c.data));
    expect(bytes.length).toBe(count * 4);
    expect([bytes[0], bytes[4], bytes[(count - 1) * 4]]).toEqual([0, 1, (count - 1) & 0xff]);
    expect(capture.streams[0].missingBytes).toBe(0);
  }, 120_000);

  it('a capture of 130,000 TLS connections becomes a session (the last time was taken by spreading them all into one call, which overflows the stack)', () => {
    const hello = Uint8Array.of(0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00);
    const list = Array.from({ length: 130_000 }, (_, i) => frame(1, 0x18, hello, true, [2 + (i >> 14), 1024 + (i & 0x3fff)]));
    const capture = readCapture(new Uint8Array(pcap(list, 1)));
    expect(capture.streams).toHaveLength(130_000);
    const session = captureSession(capture, { source: 'load.pcap', keylog: [`CLIENT_RANDOM ${'ab'.repeat(32)} ${'cd'.repeat(48)}`] });
    expect(session.connections).toHaveLength(130_000);
    expect(session.endedAt).toBe(1);
  }, 120_000);

  it('10,000 connections and 20,000 key log lines: each connection gets its own line (the lines were filtered once per connection: 50 s; now 0.3 s)', () => {
    // A ClientHello cut after its random: record header, handshake header, version, random.
    const random = (i: number) => Buffer.from(i.toString(16).padStart(64, '0'), 'hex');
    const list = Array.from({ length: 10_000 }, (_, i) =>
      frame(1, 0x18, Uint8Array.from([0x16, 0x03, 0x01, 0x00, 0x26, 0x01, 0x00, 0x00, 0x22, 0x03, 0x03, ...random(i)]), true, [2 + (i >> 14), 1024 + (i & 0x3fff)]),
    );
    const keylog = Array.from({ length: 20_000 }, (_, i) => `CLIENT_RANDOM ${random(i).toString('hex')} ${'cd'.repeat(48)}`);
    const session = captureSession(readCapture(new Uint8Array(pcap(list, 1))), { source: 'load.pcap', keylog });
    expect(session.connections).toHaveLength(10_000);
    session.connections.forEach((c, i) => expect(c.keylog.map((k) => k.line)).toEqual([keylog[i]]));
  }, 120_000);
});

describe('hand-made lying bundles (good checksum)', () => {
  it('a certificate that is no certificate: refused as damaged, where the session view would have failed after the import', async () => {
    const { format, manifest, chunks } = openBundle(files.bundle);
    const session = manifest.session as { connections: { certificates: { der: string }[] }[] };
    expect(session.connections[0].certificates.length).toBeGreaterThan(0);
    for (const der of ['', 'MAA=', Buffer.from('not a certificate').toString('base64')]) {
      session.connections[0].certificates[0].der = der;
      const outcome = await importChecked(sealBundle(format, manifest, chunks));
      expect(outcome).toEqual({
        code: 'BUNDLE_DAMAGED',
        message: 'handout.pcapng: the session bundle is damaged or incomplete (certificate 1 of connection 1 is not an X.509 certificate); copy the file again from where it came from',
      });
    }
  });

  it('chunk times that are not numbers (NaN, infinities): refused as damaged', async () => {
    const { format, manifest, chunks } = openBundle(files.bundle);
    const width = format >= 2 ? 4 : 2;
    for (const t of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const copy = Buffer.from(chunks);
      copy.writeDoubleBE(t, width + 1); // the first chunk's time
      const outcome = await importChecked(sealBundle(format, manifest, copy));
      expect(outcome).toEqual({
        code: 'BUNDLE_DAMAGED',
        message: 'handout.pcapng: the session bundle is damaged or incomplete (the time of chunk 1 is not a number); copy the file again from where it came from',
      });
    }
  });

  it('a manifest field missing or of the wrong kind: the field is named, in plain words', async () => {
    const { format, manifest, chunks } = openBundle(files.bundle);
    const session = manifest.session as { connections: { events: { t?: unknown }[] }[] };
    delete session.connections[0].events[0].t;
    const outcome = await importChecked(sealBundle(format, manifest, chunks));
    expect(outcome).toEqual({
      code: 'BUNDLE_DAMAGED',
      message:
        'handout.pcapng: the session bundle is damaged or incomplete (its manifest does not read: the field session.connections.0.events.0.t ' +
        'is missing or holds a value no workbench writes there); copy the file again from where it came from',
    });
  });
});

/** Imports certificates and keys as the window and `tlslab import` do; the same property as for sessions. */
function importPkiChecked(bytes: Uint8Array, passphrase?: string): 'imported' | { code: string; message: string } {
  const before = footprint();
  let result;
  try {
    result = importInto(wb.workshop, { bytes, fileName: 'handout.p12', passphrase });
  } catch (error) {
    return cleanRefusal(error, before);
  }
  try {
    for (const c of result.certificates) wb.workshop.inspect({ certificateId: c.id });
    for (const c of result.csrs) wb.workshop.inspect({ csrId: c.id });
  } catch (error) {
    throw new Error(`what was imported from these bytes cannot be inspected: ${toErrorInfo(error).code} ${(error as Error).message}\n${(error as Error).stack}`);
  }
  return 'imported';
}

describe('certificate and key imports of damaged files, through the workshop', () => {
  it('the real files import as they are', () => {
    expect(importPkiChecked(files.p12, 'secret')).toBe('imported');
    expect(importPkiChecked(files.p7b)).toBe('imported');
    expect(importPkiChecked(files.pemChain)).toBe('imported');
    expect(importPkiChecked(files.csr)).toBe('imported');
    expect(importPkiChecked(files.encryptedKey, 'secret')).toBe('imported');
  });

  it('mutated files pasted into the inspector (PEM text, or base64 of the bytes): an inspection, or one readable error', () => {
    fc.assert(
      fc.property(fc.constantFrom('p7b', 'pemChain', 'csr', 'p12'), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (kind, mutations, asBase64) => {
        const bytes = mutate(files[kind], mutations);
        const text = asBase64 ? Buffer.from(bytes).toString('base64') : Buffer.from(bytes).toString('latin1');
        try {
          wb.workshop.inspect({ text });
        } catch (error) {
          const info = toErrorInfo(error);
          if (info.code === 'INTERNAL' || INTERNAL_WORDING.test(info.message)) throw new Error(`the inspector failed untidily (${info.code}): ${info.message}\n${(error as Error).stack}`);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('mutated PKCS#12, PKCS#7 and PEM: imported and inspectable, or refused cleanly with nothing stored', () => {
    fc.assert(
      fc.property(fc.constantFrom('p12', 'p7b', 'pemChain', 'csr', 'encryptedKey'), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.constantFrom(undefined, 'secret'), (kind, mutations, passphrase) => {
        importPkiChecked(mutate(files[kind], mutations), passphrase);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('a PKCS#7 whose certificate holds together as ASN.1 but not for OpenSSL: refused with the file, nothing stored', () => {
    const spki = new X509Certificate(fs.readFileSync(pki.serverCert)).publicKey.export({ type: 'spki', format: 'der' });
    const at = Buffer.from(files.p7b).indexOf(spki);
    expect(at).toBeGreaterThan(0);
    const damaged = Uint8Array.from(files.p7b);
    damaged.fill(0, at + 8, at + 12); // inside the key's algorithm OID: no algorithm OpenSSL knows
    const outcome = importPkiChecked(damaged);
    expect(outcome).not.toBe('imported');
    expect(outcome).toMatchObject({ code: 'BAD_DER' });
    expect((outcome as { message: string }).message).toMatch(
      /^Certificate \d of 2 in "handout\.p12" cannot be read by OpenSSL \(OpenSSL says "[^"]+"\): it is damaged, or its key is of a kind OpenSSL does not know\. Nothing was imported/,
    );
  });

  it('a CSR whose name is not valid UTF-8: imported and inspectable, its subject hash "(none)" with the reason', () => {
    const at = Buffer.from(files.csr).indexOf('fuzz.bank32.com');
    expect(at).toBeGreaterThan(0);
    const bad = Uint8Array.from(files.csr);
    bad[at] = 0x80; // a continuation byte where a character should start
    const before = wb.workshop.store.allCsrs().length;
    expect(importPkiChecked(bad)).toBe('imported');
    const stored = wb.workshop.store.allCsrs();
    expect(stored.length).toBe(before + 1);
    const shown = wb.workshop.inspect({ csrId: stored[stored.length - 1].id });
    expect(shown.subjectHash).toBe('(none)');
    expect(shown.cautions.join(' ')).toMatch(/^No subject hash: The name contains a UTF8String that is not valid UTF-8/);
  });
});
