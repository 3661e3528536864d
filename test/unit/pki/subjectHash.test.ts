import { describe, expect, it } from 'vitest';
import { concatBytes, encodeTlv } from '../../../src-main/pki/der.js';
import { PkiError } from '../../../src-main/pki/errors.js';
import { canonicalNameEncoding, nameHash, nameHashOld, subjectHash } from '../../../src-main/pki/subjectHash.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const OID_CN = Uint8Array.of(0x06, 0x03, 0x55, 0x04, 0x03);
const OID_O = Uint8Array.of(0x06, 0x03, 0x55, 0x04, 0x0a);

function attribute(oid: Uint8Array, tag: number, value: Uint8Array): Uint8Array {
  return encodeTlv(0x30, concatBytes([oid, encodeTlv(tag, value)]));
}
function rdn(...attributes: Uint8Array[]): Uint8Array {
  return encodeTlv(0x31, concatBytes(attributes));
}
function name(...rdns: Uint8Array[]): Uint8Array {
  return encodeTlv(0x30, concatBytes(rdns));
}

describe('OpenSSL canonical name encoding', () => {
  it('turns a PrintableString into a trimmed, collapsed, lowercase UTF8String and drops the outer SEQUENCE', () => {
    const printable = name(rdn(attribute(OID_CN, 0x13, utf8('  Hello   WORLD  '))));
    const expected = rdn(attribute(OID_CN, 0x0c, utf8('hello world')));
    expect(hex(canonicalNameEncoding(printable))).toBe(hex(expected));
  });

  it('leaves non-ASCII letters as they are (only ASCII is lowercased)', () => {
    const encoded = name(rdn(attribute(OID_O, 0x0c, utf8('ÄBC Ü'))));
    expect(hex(canonicalNameEncoding(encoded))).toBe(hex(rdn(attribute(OID_O, 0x0c, utf8('Äbc Ü')))));
  });

  it('reads a BMPString as UCS-2', () => {
    const bmp = Uint8Array.of(0x00, 0x41, 0x67, 0x71); // "A東"
    const encoded = name(rdn(attribute(OID_CN, 0x1e, bmp)));
    expect(hex(canonicalNameEncoding(encoded))).toBe(hex(rdn(attribute(OID_CN, 0x0c, utf8('a東')))));
  });

  it('gives names that differ only in case and spacing the same hash', () => {
    const a = name(rdn(attribute(OID_CN, 0x0c, utf8('Model CA'))));
    const b = name(rdn(attribute(OID_CN, 0x13, utf8(' model   ca'))));
    expect(nameHash(a)).toBe(nameHash(b));
    expect(nameHashOld(a)).not.toBe(nameHashOld(b));
  });

  it('hashes the empty name as OpenSSL does (eea339da / 543b6ca4)', () => {
    const empty = Uint8Array.of(0x30, 0x00);
    expect(nameHash(empty)).toBe('eea339da');
    expect(nameHashOld(empty)).toBe('543b6ca4');
  });
});

describe('subjectHash on bad input', () => {
  it('says the data is cut short when the DER is truncated', () => {
    const whole = name(rdn(attribute(OID_CN, 0x0c, utf8('Truncated'))));
    const error = catchError(() => nameHash(whole.subarray(0, whole.length - 3)));
    expect(error).toBeInstanceOf(PkiError);
    expect((error as PkiError).code).toBe('TRUNCATED_DER');
    expect((error as PkiError).message).toMatch(/cut short/);
  });

  it('says a Name is not a certificate', () => {
    const error = catchError(() => subjectHash(name(rdn(attribute(OID_CN, 0x0c, utf8('x'))))));
    expect((error as PkiError).code).toBe('NOT_A_CERTIFICATE');
  });

  it('rejects a UTF8String that is not UTF-8, as OpenSSL does', () => {
    const error = catchError(() => nameHash(name(rdn(attribute(OID_CN, 0x0c, Uint8Array.of(0xff, 0xfe))))));
    expect((error as PkiError).code).toBe('BAD_NAME_ENCODING');
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
