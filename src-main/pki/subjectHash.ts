// The subject hash OpenSSL uses to name files in a hash-link trust folder (`c_rehash`, capath):
// `openssl x509 -subject_hash` (since 1.0.0) and `-subject_hash_old` (0.9.8).
//
// New hash: SHA-1 over OpenSSL's canonical encoding of the name (crypto/x509/x_name.c,
// x509_name_canon): every RDN re-encoded as a DER SET whose string values are converted to
// UTF8String, ASCII-lowercased, trimmed and with inner whitespace runs collapsed to one space;
// the RDN SETs are concatenated without the outer SEQUENCE header. Old hash: MD5 over the
// name's DER as it appears in the certificate. Both read the first four digest bytes as a
// little-endian number printed as 8 lowercase hex digits.
import { createHash } from 'node:crypto';
import { type Asn1Node, compareDerEncodings, concatBytes, encodeTlv, parseDer } from './der.js';
import { PkiError } from './errors.js';

/** `openssl x509 -subject_hash` of a DER certificate. */
export function subjectHash(certificateDer: Uint8Array): string {
  return hashOfCanonicalName(certificateNameNode(certificateDer, 'subject'));
}

/** `openssl x509 -subject_hash_old` of a DER certificate. */
export function subjectHashOld(certificateDer: Uint8Array): string {
  return hashOfEncodedName(certificateNameNode(certificateDer, 'subject'));
}

/** `openssl x509 -issuer_hash` of a DER certificate (the subject hash of its issuer). */
export function issuerHash(certificateDer: Uint8Array): string {
  return hashOfCanonicalName(certificateNameNode(certificateDer, 'issuer'));
}

/** `openssl x509 -issuer_hash_old` of a DER certificate. */
export function issuerHashOld(certificateDer: Uint8Array): string {
  return hashOfEncodedName(certificateNameNode(certificateDer, 'issuer'));
}

/** The new-style hash of a raw DER Name (SEQUENCE OF RDN). */
export function nameHash(nameDer: Uint8Array): string {
  return hashOfCanonicalName(nameNode(nameDer));
}

/** The old-style (MD5) hash of a raw DER Name. */
export function nameHashOld(nameDer: Uint8Array): string {
  return hashOfEncodedName(nameNode(nameDer));
}

/** OpenSSL's canonical encoding of a DER Name: the bytes the new hash is taken over. */
export function canonicalNameEncoding(nameDer: Uint8Array): Uint8Array {
  return canonicalEncoding(nameNode(nameDer));
}

function hashOfCanonicalName(name: Asn1Node): string {
  return littleEndianPrefix(createHash('sha1').update(canonicalEncoding(name)).digest());
}

function hashOfEncodedName(name: Asn1Node): string {
  return littleEndianPrefix(createHash('md5').update(name.encoded).digest());
}

function littleEndianPrefix(digest: Uint8Array): string {
  const value = (digest[0] | (digest[1] << 8) | (digest[2] << 16) | (digest[3] << 24)) >>> 0;
  return value.toString(16).padStart(8, '0');
}

function nameNode(nameDer: Uint8Array): Asn1Node {
  const node = parseDer(nameDer, 'the name');
  assertName(node, 'the name');
  return node;
}

/** The issuer or subject Name node of a DER certificate. */
export function certificateNameNode(certificateDer: Uint8Array, which: 'subject' | 'issuer'): Asn1Node {
  const certificate = parseDer(certificateDer, 'the certificate');
  const tbs = certificate.children[0];
  if (!isUniversal(certificate, 16) || certificate.children.length !== 3 || !tbs || !isUniversal(tbs, 16)) {
    throw notACertificate();
  }
  const hasVersion = tbs.children[0]?.tagClass === 'context' && tbs.children[0]?.tagNumber === 0;
  const first = hasVersion ? 1 : 0;
  // serialNumber, signature, issuer, validity, subject
  const node = tbs.children[first + (which === 'issuer' ? 2 : 4)];
  if (!node) throw notACertificate();
  assertName(node, `the certificate's ${which}`);
  return node;
}

function notACertificate(): PkiError {
  return new PkiError(
    'NOT_A_CERTIFICATE',
    'This DER data is not an X.509 certificate: its structure is not SEQUENCE { tbsCertificate, algorithm, signature }. ' +
      'It may be a key, a CSR or a PKCS#12 file; open it in the inspector to see what it is.',
  );
}

function assertName(node: Asn1Node, what: string): void {
  const ok =
    isUniversal(node, 16) &&
    node.children.every((rdn) => isUniversal(rdn, 17) && rdn.children.every((atv) => isAttributeTypeAndValue(atv)));
  if (!ok) {
    throw new PkiError(
      'BAD_DER',
      `${what} is not a valid X.501 Name (a SEQUENCE of SETs of {type, value} pairs), so it has no subject hash.`,
    );
  }
}

function isAttributeTypeAndValue(node: Asn1Node): boolean {
  return isUniversal(node, 16) && node.children.length === 2 && isUniversal(node.children[0], 6);
}

function isUniversal(node: Asn1Node | undefined, tagNumber: number): boolean {
  return node !== undefined && node.tagClass === 'universal' && node.tagNumber === tagNumber;
}

function canonicalEncoding(name: Asn1Node): Uint8Array {
  const rdns: Uint8Array[] = [];
  for (const rdn of name.children) {
    if (rdn.children.length === 0) continue;
    const entries = rdn.children.map((atv) => {
      const [type, value] = atv.children;
      return encodeTlv(0x30, concatBytes([type.encoded, canonicalValue(value)]));
    });
    entries.sort(compareDerEncodings);
    rdns.push(encodeTlv(0x31, concatBytes(entries)));
  }
  return concatBytes(rdns);
}

const UTF8_STRING = 12;
const PRINTABLE_STRING = 19;
const T61_STRING = 20;
const IA5_STRING = 22;
const VISIBLE_STRING = 26;
const UNIVERSAL_STRING = 28;
const BMP_STRING = 30;

/** Types OpenSSL canonicalises (ASN1_MASK_CANON); anything else is copied as it is. */
const CANONICAL_TYPES = new Set([
  UTF8_STRING,
  PRINTABLE_STRING,
  T61_STRING,
  IA5_STRING,
  VISIBLE_STRING,
  UNIVERSAL_STRING,
  BMP_STRING,
]);

function canonicalValue(value: Asn1Node): Uint8Array {
  if (value.tagClass !== 'universal' || value.constructed || !CANONICAL_TYPES.has(value.tagNumber)) {
    return value.encoded;
  }
  return encodeTlv(UTF8_STRING, canonicalText(toUtf8(value)));
}

function toUtf8(value: Asn1Node): Uint8Array {
  const bytes = value.contents;
  switch (value.tagNumber) {
    case UTF8_STRING:
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw badNameEncoding('a UTF8String that is not valid UTF-8');
      }
      return bytes;
    case BMP_STRING:
      return codePointsToUtf8(readCodeUnits(bytes, 2));
    case UNIVERSAL_STRING:
      return codePointsToUtf8(readCodeUnits(bytes, 4));
    default:
      // PrintableString, IA5String, VisibleString, T61String: one byte per character (Latin-1).
      return codePointsToUtf8(Array.from(bytes));
  }
}

function readCodeUnits(bytes: Uint8Array, width: 2 | 4): number[] {
  if (bytes.length % width !== 0) {
    throw badNameEncoding(`a ${width === 2 ? 'BMPString' : 'UniversalString'} whose length is not a multiple of ${width}`);
  }
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += width) {
    let unit = 0;
    for (let j = 0; j < width; j++) unit = unit * 256 + bytes[i + j];
    out.push(unit);
  }
  return out;
}

function codePointsToUtf8(codePoints: number[]): Uint8Array {
  const out: number[] = [];
  for (const cp of codePoints) {
    if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      throw badNameEncoding(`a character U+${cp.toString(16).toUpperCase()} that is not a Unicode scalar value`);
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

function badNameEncoding(what: string): PkiError {
  return new PkiError(
    'BAD_NAME_ENCODING',
    `The name contains ${what}, so OpenSSL cannot compute its hash either (it rejects such a certificate). ` +
      'Re-issue the certificate with a correctly encoded name.',
  );
}

/** ASCII whitespace as OpenSSL's ossl_isspace sees it: space, \t, \n, \v, \f, \r. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** Trim, collapse inner whitespace runs to one space, lowercase ASCII; other bytes untouched. */
function canonicalText(utf8: Uint8Array): Uint8Array {
  let start = 0;
  let end = utf8.length;
  while (start < end && isSpace(utf8[start])) start++;
  while (end > start && isSpace(utf8[end - 1])) end--;
  const out: number[] = [];
  let i = start;
  while (i < end) {
    const byte = utf8[i];
    if (byte >= 0x80) {
      out.push(byte);
      i++;
    } else if (isSpace(byte)) {
      out.push(0x20);
      while (i < end && isSpace(utf8[i])) i++;
    } else {
      out.push(byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte);
      i++;
    }
  }
  return Uint8Array.from(out);
}
