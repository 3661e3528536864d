// Property-based robustness of the readers behind every PKI file a student hands the workbench
// (import, `cert inspect`, the window's Inspect): real files made by openssl (certificate, CSR, EC
// key, encrypted PKCS#8, legacy encrypted PEM, PKCS#7, PKCS#12), flipped, cut, spliced and with
// their lengths stretched, as DER and as PEM. The property: the reader returns, or it throws one
// PkiError whose message is written for a person (no TypeError, no RangeError, no asn1js or forge
// wording, no stack). A hang fails the test by its timeout; inputs stay small so none is slow.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Asn1Node, concatBytes, decodeOid, encodeLength, parseDer } from '../../src-main/pki/der';
import { PkiError } from '../../src-main/pki/errors';
import { certificateToShow, importPkiData } from '../../src-main/pki/formats';
import { inspect } from '../../src-main/pki/inspect';
import { parseCsr } from '../../src-main/pki/csr';
import { splitPem, toPem } from '../../src-main/pki/pem';
import { verifyCertificate } from '../../src-main/pki/verify';
import { type ByteMutation, mutateBytes, rewriteDer } from '../support/fuzzBytes';

const SEED = 20261127;

/** Wording that only a program's internals use: none of it may reach a student. */
export const INTERNAL_WORDING =
  /error:[0-9A-Fa-f]{8}:|Cannot read propert|undefined|is not a function|is not iterable|out of range|Invalid array length|Maximum call stack|Unexpected token|ERR_[A-Z_]+|TypeError|RangeError|SyntaxError|\n\s+at |asn1js|forge\.|\[object /;

/** One clear line: a message that quotes a whole damaged file is no longer one. */
const MAX_MESSAGE = 600;

let dir: string;
const files: Record<string, Uint8Array> = {};

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

const der = (name: string) => {
  const blocks = splitPem(fs.readFileSync(path.join(dir, name)));
  return blocks[0].der;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-fuzz-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-subj', '/O=Fuzz/CN=Fuzz CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30']);
  openssl(['req', ...ec, '-subj', '/CN=www.fuzz.test', '-addext', 'subjectAltName=DNS:www.fuzz.test', '-keyout', 'srv.key', '-out', 'srv.csr']);
  openssl(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-copy_extensions', 'copy', '-out', 'srv.crt']);
  openssl(['pkcs12', '-export', '-in', 'srv.crt', '-inkey', 'srv.key', '-certfile', 'ca.crt', '-passout', 'pass:secret', '-out', 'srv.p12']);
  openssl(['pkcs12', '-export', '-in', 'srv.crt', '-inkey', 'srv.key', '-passout', 'pass:secret', '-nomac', '-out', 'nomac.p12']);
  openssl(['pkcs12', '-export', '-in', 'srv.crt', '-inkey', 'srv.key', '-passout', 'pass:secret', '-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1', '-out', '3des.p12']);
  openssl(['pkcs12', '-export', '-in', 'srv.crt', '-inkey', 'srv.key', '-passout', 'pass:secret', '-legacy', '-out', 'legacy.p12']);
  // A key bag of 600,000 rounds (more than anyone uses, less than the limit), certificates in clear.
  openssl(['pkcs12', '-export', '-in', 'srv.crt', '-inkey', 'srv.key', '-passout', 'pass:secret', '-certpbe', 'NONE', '-iter', '600000', '-nomac', '-out', 'slow.p12']);
  openssl(['pkcs8', '-topk8', '-in', 'srv.key', '-v2', 'aes-128-cbc', '-iter', '600000', '-passout', 'pass:secret', '-out', 'slow-enc.key']);
  openssl(['crl2pkcs7', '-nocrl', '-certfile', 'srv.crt', '-certfile', 'ca.crt', '-out', 'chain.p7b']);
  openssl(['pkcs8', '-topk8', '-in', 'srv.key', '-v2', 'aes-128-cbc', '-passout', 'pass:secret', '-out', 'srv-enc.key']);
  openssl(['ec', '-in', 'srv.key', '-aes128', '-passout', 'pass:secret', '-out', 'srv-legacy.key']);
  files.certificate = der('srv.crt');
  files.ca = der('ca.crt');
  files.csr = der('srv.csr');
  files.key = der('srv.key');
  files.encryptedKey = der('srv-enc.key');
  files.pkcs7 = der('chain.p7b');
  files.pkcs12 = new Uint8Array(fs.readFileSync(path.join(dir, 'srv.p12')));
  files.slowKeyPem = new Uint8Array(fs.readFileSync(path.join(dir, 'slow-enc.key')));
  files.pkcs12Slow = new Uint8Array(fs.readFileSync(path.join(dir, 'slow.p12')));
  files.pkcs12NoMac = new Uint8Array(fs.readFileSync(path.join(dir, 'nomac.p12')));
  files.pkcs12TripleDes = new Uint8Array(fs.readFileSync(path.join(dir, '3des.p12')));
  files.pkcs12Legacy = new Uint8Array(fs.readFileSync(path.join(dir, 'legacy.p12')));
  files.legacyPem = new Uint8Array(fs.readFileSync(path.join(dir, 'srv-legacy.key')));
  files.pemChain = new TextEncoder().encode(['srv.crt', 'ca.crt', 'srv.key'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join(''));
}, 60_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** What the reader did, in the terms the property checks. */
function outcome(run: () => unknown): 'ok' | PkiError {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof PkiError)) throw new Error(`not a PkiError: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
    if (INTERNAL_WORDING.test(error.message)) throw new Error(`internal wording reached the student (${error.code}): ${error.message}`);
    if (error.message.length > MAX_MESSAGE) throw new Error(`a message of ${error.message.length} characters: ${error.message.slice(0, 300)}…`);
    return error;
  }
}

/** Every way a student's file reaches the PKI readers. */
function throughEveryReader(bytes: Uint8Array): void {
  outcome(() => importPkiData(bytes, { fileName: 'handout.pem' }));
  outcome(() => importPkiData(bytes, { passphrase: 'secret', fileName: 'handout.pem' }));
  outcome(() => importPkiData(bytes, { passphrase: 'wrong' }));
  outcome(() => inspect(certificateToShow(bytes, 'handout.crt')));
  outcome(() => parseCsr(bytes));
  outcome(() => verifyCertificate(bytes, { trustAnchors: [files.ca], intermediates: [bytes], hostname: 'www.fuzz.test' }));
}

type Mutation = ByteMutation | { kind: 'length'; at: number; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x30, 0x31, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x88, 0xa0, 0xff) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  // A length field stretched: a long-form length whose value is huge, zero or all ones.
  fc.record({ kind: fc.constant('length' as const), at: fc.nat(), bytes: fc.constantFrom(Uint8Array.of(0x84, 0x7f, 0xff, 0xff, 0xff), Uint8Array.of(0x80), Uint8Array.of(0x81, 0x00), Uint8Array.of(0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), Uint8Array.of(0x00)) }),
);

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  // 'length': over the length byte(s) after a tag, the byte at `at` taken as the tag.
  return mutateBytes(input, mutations, (data, m: Extract<Mutation, { kind: 'length' }>, at) =>
    Uint8Array.from([...data.subarray(0, at + 1), ...m.bytes, ...data.subarray(Math.min(data.length, at + 2))]),
  );
}

const kinds = ['certificate', 'ca', 'csr', 'key', 'encryptedKey', 'pkcs7', 'pkcs12', 'pkcs12NoMac', 'pkcs12TripleDes', 'pkcs12Legacy'] as const;
const PEM_LABELS: Record<string, string> = {
  certificate: 'CERTIFICATE',
  ca: 'CERTIFICATE',
  csr: 'CERTIFICATE REQUEST',
  key: 'PRIVATE KEY',
  encryptedKey: 'ENCRYPTED PRIVATE KEY',
  pkcs7: 'PKCS7',
  pkcs12: 'PKCS12',
  pkcs12NoMac: 'PKCS12',
  pkcs12TripleDes: 'PKCS12',
  pkcs12Legacy: 'PKCS12',
};

describe('PKI files a student brings, mutated', () => {
  it('the real files read as they are (the fixtures are sound)', () => {
    for (const kind of kinds) expect(outcome(() => importPkiData(files[kind], { passphrase: 'secret' }))).toBe('ok');
    expect(outcome(() => importPkiData(files.legacyPem, { passphrase: 'secret' }))).toBe('ok');
    expect(outcome(() => importPkiData(files.pemChain))).toBe('ok');
  });

  it('mutated DER: every reader returns or throws one readable PkiError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (kind, mutations) => {
        throughEveryReader(mutate(files[kind], mutations));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('mutated DER inside PEM armour: the same', () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.array(mutation, { minLength: 1, maxLength: 3 }), (kind, mutations) => {
        throughEveryReader(new TextEncoder().encode(toPem(PEM_LABELS[kind], mutate(files[kind], mutations))));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('mutated PEM text (headers, armour lines, base64): the same', () => {
    fc.assert(
      fc.property(fc.constantFrom(files.legacyPem, files.pemChain), fc.array(mutation, { minLength: 1, maxLength: 4 }), (pem, mutations) => {
        throughEveryReader(mutate(pem, mutations));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('random bytes and random text: the same', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s))), (bytes) => {
        throughEveryReader(bytes);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});


const isInteger = (node: Asn1Node, value: number) =>
  node.tagClass === 'universal' && node.tagNumber === 2 && node.contents.reduce((n, b) => n * 256 + b, 0) === value;

/** The file with every password round count (openssl writes 2048) set to the INTEGER `encoded`. */
function withIterations(der: Uint8Array, encoded: number[]): Uint8Array {
  return rewriteDer(parseDer(der), (node) => (isInteger(node, 2048) ? Uint8Array.from(encoded) : undefined));
}

const TWO_BILLION = [0x02, 0x04, 0x7f, 0xff, 0xff, 0xff];

describe('hand-made nasty files', () => {
  it('the rewriter gives the same bytes back when it changes nothing', () => {
    for (const kind of kinds) expect(Buffer.from(rewriteDer(parseDer(files[kind]), () => undefined)).equals(Buffer.from(files[kind]))).toBe(true);
  });

  it('a PKCS#12 that asks for two billion password rounds is refused at once, not run for an hour', () => {
    // PBES2 with an HMAC-SHA256 MAC (OpenSSL 3), PKCS#12 PBE with 3DES and RC2 (-legacy), and no MAC at all.
    for (const kind of ['pkcs12', 'pkcs12TripleDes', 'pkcs12Legacy', 'pkcs12NoMac']) {
      const p12 = withIterations(files[kind], TWO_BILLION);
      for (const passphrase of [undefined, 'secret']) {
        const error = outcome(() => importPkiData(p12, { passphrase, fileName: 'stall.p12' }));
        expect(error).toBeInstanceOf(PkiError);
        expect((error as PkiError).code).toBe('BAD_DER');
        expect((error as PkiError).message).toMatch(/"stall\.p12" asks for 2,147,483,647 password rounds \(iterations\)/);
      }
    }
  });

  it('a PKCS#12 of many key bags that each ask for 600,000 rounds (allowed alone) is refused by their sum', () => {
    const shrouded = '1.2.840.113549.1.12.10.1.2';
    const isSafeContents = (node: Asn1Node) =>
      node.tagNumber === 16 && node.children.length > 0 && node.children.every((bag) => bag.tagNumber === 16 && bag.children[0]?.tagNumber === 6 && decodeOid(bag.children[0].contents) === shrouded);
    const manyBags = rewriteDer(parseDer(files.pkcs12Slow), (node) =>
      isSafeContents(node) ? concatBytes([Uint8Array.of(0x30), encodeLength(node.contents.length * 20), ...Array.from({ length: 20 }, () => node.contents)]) : undefined,
    );
    expect(manyBags.length).toBeGreaterThan(files.pkcs12Slow.length + 19 * 100);
    const error = outcome(() => importPkiData(manyBags, { passphrase: 'secret', fileName: 'many.p12' }));
    expect((error as PkiError).code).toBe('BAD_DER');
    expect((error as PkiError).message).toMatch(/^"many\.p12" asks for more than 5,000,000 password rounds \(iterations\) in all/);
    // One such bag is read.
    expect(outcome(() => importPkiData(files.pkcs12Slow, { passphrase: 'secret' }))).toBe('ok');
  });

  it('a PEM file of many encrypted keys that each ask for 600,000 rounds is refused by their sum, before OpenSSL runs them', () => {
    const many = new Uint8Array(Buffer.concat(Array.from({ length: 20 }, () => Buffer.from(files.slowKeyPem))));
    const error = outcome(() => importPkiData(many, { passphrase: 'secret', fileName: 'keys.pem' }));
    expect((error as PkiError).code).toBe('BAD_DER');
    expect((error as PkiError).message).toMatch(/^"keys\.pem" asks for more than 5,000,000 password rounds \(iterations\) in all, over its many encrypted keys/);
    expect(outcome(() => importPkiData(files.slowKeyPem, { passphrase: 'secret' }))).toBe('ok');
  });

  it('a PKCS#12 whose round count is zero or negative is called damaged, not a wrong password', () => {
    for (const encoded of [[0x02, 0x01, 0x00], [0x02, 0x01, 0xff], [0x02, 0x00]]) {
      const error = outcome(() => importPkiData(withIterations(files.pkcs12, encoded), { passphrase: 'secret', fileName: 'odd.p12' }));
      expect((error as PkiError).code).toBe('BAD_DER');
      expect((error as PkiError).message).toMatch(/password rounds \(iterations\), which no tool writes/);
    }
  });

  it('an encrypted PKCS#8 key (PEM or DER) that asks for two billion rounds is refused before OpenSSL runs them', () => {
    const der = withIterations(files.encryptedKey, TWO_BILLION);
    for (const bytes of [der, new TextEncoder().encode(toPem('ENCRYPTED PRIVATE KEY', der))]) {
      const error = outcome(() => importPkiData(bytes, { passphrase: 'secret', fileName: 'stall.key' }));
      expect((error as PkiError).code).toBe('BAD_DER');
      expect((error as PkiError).message).toMatch(
        /^(The private key in "stall\.key"|The key in the "ENCRYPTED PRIVATE KEY" block on line 1 of "stall\.key") asks for 2,147,483,647 password rounds/,
      );
    }
  });

  it('a name written as a constructed (BER) UTF8String: read, or refused in plain words', () => {
    const cn = new TextEncoder().encode('www.fuzz.test');
    const ber = rewriteDer(parseDer(files.certificate), (node) => {
      if (node.tagClass !== 'universal' || node.tagNumber !== 12 || Buffer.compare(Buffer.from(node.contents), Buffer.from(cn)) !== 0) return undefined;
      const parts = concatBytes([Uint8Array.of(0x0c, 4), cn.subarray(0, 4), Uint8Array.of(0x0c, cn.length - 4), cn.subarray(4)]);
      return concatBytes([Uint8Array.of(0x2c), encodeLength(parts.length), parts]);
    });
    expect(ber.length).toBeGreaterThan(files.certificate.length);
    expect(parseDer(ber).children[0].children.length).toBeGreaterThan(0);
    throughEveryReader(ber);
    throughEveryReader(new TextEncoder().encode(toPem('CERTIFICATE', ber)));
    const tree = inspect(ber).asn1;
    expect(JSON.stringify(tree)).toContain('UTF8String');
  });

  it('a CSR whose subject has an empty attribute: a PkiError that says the request is damaged, not a TypeError', () => {
    const csr = rewriteDer(parseDer(files.csr), (node) =>
      node.tagNumber === 16 && node.children[0]?.tagNumber === 6 && decodeOid(node.children[0].contents) === '2.5.4.3' ? Uint8Array.of(0x30, 0) : undefined,
    );
    for (const bytes of [csr, new TextEncoder().encode(toPem('CERTIFICATE REQUEST', csr))]) {
      const error = outcome(() => parseCsr(bytes));
      expect((error as PkiError).message).toMatch(/^This certificate signing request is damaged/);
      throughEveryReader(bytes);
    }
  });

  it("a key OpenSSL cannot decode: its reason in words, without OpenSSL's coded error line", () => {
    // Legacy PEM whose Proc-Type header was lost in copying: OpenSSL answers "not proc type".
    const text = new TextDecoder().decode(files.legacyPem).replace(/^Proc-Type:.*\n/m, '');
    const error = outcome(() => importPkiData(new TextEncoder().encode(text), { passphrase: 'secret', fileName: 'lost-header.key' }));
    expect((error as PkiError).code).toBe('NOT_A_KEY');
    expect((error as PkiError).message).toContain('(OpenSSL says "not proc type")');
  });

  it('a BEGIN line with a label of 100,000 characters: the message quotes the start of it, not all of it', () => {
    for (const text of ['-----BEGIN ' + '-'.repeat(100_000), `-----BEGIN ${'A'.repeat(100_000)}-----\nAAAA\n`, `-----BEGIN ${'B'.repeat(100_000)}-----\n!!\n-----END ${'B'.repeat(100_000)}-----\n`, `-----BEGIN ${'C'.repeat(100_000)}-----\nAAAA\n-----END ${'C'.repeat(100_000)}-----\n`, `-----BEGIN CERTIFICATE-----\nAAAA\n-----END ${'D'.repeat(100_000)}-----\n`, Array.from({ length: 3000 }, (_, i) => `-----BEGIN LABEL ${i}${'E'.repeat(50)}-----\nAAAA\n-----END LABEL ${i}${'E'.repeat(50)}-----\n`).join('')]) {
      throughEveryReader(new TextEncoder().encode(text));
    }
  });

  it('names in every string type with junk in them (odd BMPString, short UniversalString, bad UTF-8, NUL, bidi controls): read, or refused in plain words', () => {
    const cn = new TextEncoder().encode('www.fuzz.test');
    const junk: Array<[number, number[]]> = [
      [0x1e, [0x00, 0x41, 0x00]], // BMPString of odd length
      [0x1e, [0xd8, 0x00, 0x00, 0x41]], // BMPString with a lone surrogate
      [0x1c, [0x00, 0x00, 0x00, 0x41, 0x00]], // UniversalString not a multiple of 4
      [0x1c, [0x7f, 0xff, 0xff, 0xff]], // UniversalString beyond Unicode
      [0x0c, [0xc3, 0x28, 0xff, 0xfe]], // UTF8String that is not UTF-8
      [0x0c, [0x61, 0x00, 0x62, 0xe2, 0x80, 0xae, 0x63]], // NUL and RIGHT-TO-LEFT OVERRIDE
      [0x13, [0x80, 0x00, 0x0a, 0x0d]], // PrintableString with bytes it may not hold
      [0x14, [0xff, 0xfe, 0x1b]], // T61String
      [0x16, []], // empty IA5String
      [0x05, []], // NULL where a string belongs
      [0x30, [0x30, 0x00]], // a SEQUENCE where a string belongs
    ];
    for (const [tag, bytes] of junk) {
      const changed = rewriteDer(parseDer(files.certificate), (node) =>
        node.tagClass === 'universal' && node.tagNumber === 12 && Buffer.from(node.contents).equals(Buffer.from(cn)) ? Uint8Array.of(tag, bytes.length, ...bytes) : undefined,
      );
      expect(changed.length).not.toBe(files.certificate.length);
      throughEveryReader(changed);
      outcome(() => verifyCertificate(files.certificate, { trustAnchors: [changed], hostname: 'www.fuzz.test' }));
    }
  });

  it('a PKCS#7 of 250 certificates (more than 10,000 ASN.1 elements, as a bundle of the system roots is) is read, not called "not DER"', () => {
    openssl(['crl2pkcs7', '-nocrl', ...Array.from({ length: 250 }, () => ['-certfile', 'srv.crt']).flat(), '-outform', 'DER', '-out', 'many.p7b']);
    const bundle = new Uint8Array(fs.readFileSync(path.join(dir, 'many.p7b')));
    expect(importPkiData(bundle, { fileName: 'roots.p7b' }).certificates).toHaveLength(250);
    expect(inspect(certificateToShow(bundle, 'roots.p7b')).subject).toBe('CN=www.fuzz.test');
  });

});
