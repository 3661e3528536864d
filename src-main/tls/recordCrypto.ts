// Opening one protected record with known keys: AEAD (AES-GCM, ChaCha20-Poly1305, AES-CCM) and
// AES-CBC with HMAC in both orders. The result shows how the nonce was built, the additional data,
// and whether the tag or MAC verified; a record that does not verify is a result, never a throw.
// RFC 5246, Section 6.2.3; RFC 5288; RFC 7366; RFC 7905; RFC 8446, Section 5.2-5.3.

import { createDecipheriv, timingSafeEqual } from 'node:crypto';
import type { MacCheck, NonceInfo, RecordDecryptionStatus } from '../api/decryptTypes';
import { concat, hmac, toHex } from './prf';
import { type SuiteParameters, HASH_LENGTH, nodeCipherName } from './suites';

/** What opens one direction's records in one key epoch. */
export interface RecordKeys {
  suite: SuiteParameters;
  key: Uint8Array;
  /** TLS 1.2 GCM: the 4-byte salt; ChaCha20 and TLS 1.3: the 12-byte IV; CBC: unused. */
  iv: Uint8Array;
  macKey?: Uint8Array;
  /** RFC 7366, negotiated in the hellos. */
  encryptThenMac?: boolean;
  /** TLS 1.3: the record carries TLSInnerPlaintext, and the additional data is the header. */
  tls13: boolean;
  /** How the IV is named in the nonce construction ("client_write_iv"). */
  ivName: string;
  /**
   * TLS 1.0 CBC: the record carries no IV; this one (the key block's, then the last ciphertext
   * block of the record before) is used instead.
   */
  implicitIv?: Uint8Array;
}

export interface ProtectedRecordInput {
  keys: RecordKeys;
  sequenceNumber: number;
  /** The outer record header's content type and version. */
  contentType: number;
  version: number;
  body: Uint8Array;
}

export interface OpenedRecord {
  status: RecordDecryptionStatus;
  /** The real content type (inner type in TLS 1.3). */
  contentType?: number;
  plaintext?: Uint8Array;
  nonce?: NonceInfo;
  additionalData?: Uint8Array;
  tag?: Uint8Array;
  tagCheck?: 'ok' | 'failed';
  mac?: MacCheck;
  recordIv?: Uint8Array;
  paddingLength?: number;
  problem?: string;
}

function sequenceBytes(sequenceNumber: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(sequenceNumber));
  return out;
}

function u16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

/** What a TLS 1.0-1.2 record MAC (or TLS 1.2 AEAD additional data) covers before the content: seq_num, type, version, length (RFC 5246, 6.2.3). */
function macHeader(input: ProtectedRecordInput, length: number): Uint8Array {
  return concat(sequenceBytes(input.sequenceNumber), Uint8Array.of(input.contentType), u16(input.version), u16(length));
}

/** RFC 8446, Section 5.3 and RFC 7905, Section 2: the sequence number, left-padded, XOR the IV. */
function xorNonce(iv: Uint8Array, sequenceNumber: number): Uint8Array {
  const nonce = Uint8Array.from(iv);
  const seq = sequenceBytes(sequenceNumber);
  for (let i = 0; i < 8; i++) nonce[nonce.length - 8 + i] ^= seq[i];
  return nonce;
}

/** Runs the AEAD; null when the tag does not verify. */
function aeadOpen(
  suite: SuiteParameters,
  key: Uint8Array,
  nonce: Uint8Array,
  additionalData: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Uint8Array | null {
  const name = nodeCipherName(suite);
  try {
    if (name.endsWith('-ccm')) {
      const decipher = createDecipheriv(name as 'aes-128-ccm', key, nonce, { authTagLength: suite.tagLength });
      decipher.setAuthTag(tag);
      decipher.setAAD(additionalData, { plaintextLength: ciphertext.length });
      const out = decipher.update(ciphertext);
      decipher.final();
      return new Uint8Array(out);
    }
    const decipher = createDecipheriv(name as 'aes-128-gcm', key, nonce, { authTagLength: suite.tagLength });
    decipher.setAAD(additionalData);
    decipher.setAuthTag(tag);
    const out = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    return new Uint8Array(out);
  } catch {
    return null;
  }
}

/** RFC 8446, Section 5.4: strip zero padding; the last non-zero byte is the real content type. */
function innerPlaintext(opened: OpenedRecord, plaintext: Uint8Array): OpenedRecord {
  let end = plaintext.length;
  while (end > 0 && plaintext[end - 1] === 0) end--;
  if (end === 0) {
    return {
      ...opened,
      status: 'malformed',
      problem: 'the tag verified but the plaintext is all zeros: TLSInnerPlaintext has no content type (RFC 8446, Section 5.4)',
    };
  }
  return {
    ...opened,
    contentType: plaintext[end - 1],
    plaintext: plaintext.subarray(0, end - 1),
    paddingLength: plaintext.length - end,
  };
}

function openAead(input: ProtectedRecordInput): OpenedRecord {
  const { keys, sequenceNumber, body } = input;
  const { suite } = keys;
  const minimum = suite.recordIvLength + suite.tagLength + (keys.tls13 ? 1 : 0);
  if (body.length < minimum) {
    return {
      status: 'malformed',
      problem: `${body.length} bytes is too short for ${suite.name}: at least ${minimum} (${suite.recordIvLength ? `${suite.recordIvLength}-byte explicit nonce, ` : ''}${suite.tagLength}-byte tag)`,
    };
  }
  const seqName = `sequence number ${sequenceNumber}`;
  let nonce: Uint8Array;
  let nonceInfo: NonceInfo;
  let ciphertext: Uint8Array;
  if (suite.protection === 'aead-explicit-nonce') {
    const explicit = body.subarray(0, suite.recordIvLength);
    nonce = concat(keys.iv, explicit);
    nonceInfo = {
      hex: toHex(nonce),
      construction: `${keys.ivName} (4-byte salt from the key block) + 8-byte explicit nonce from the record (RFC 5288, Section 3)`,
      fixedIv: toHex(keys.iv),
      explicit: toHex(explicit),
    };
    ciphertext = body.subarray(suite.recordIvLength, body.length - suite.tagLength);
  } else {
    nonce = xorNonce(keys.iv, sequenceNumber);
    nonceInfo = {
      hex: toHex(nonce),
      construction: `${keys.ivName} XOR ${seqName} (64-bit, left-padded with zeros) (${keys.tls13 ? 'RFC 8446, Section 5.3' : 'RFC 7905, Section 2'})`,
      fixedIv: toHex(keys.iv),
    };
    ciphertext = body.subarray(0, body.length - suite.tagLength);
  }
  const tag = body.subarray(body.length - suite.tagLength);
  // TLS 1.3: the additional data is the record header itself. TLS 1.2: seq_num + type + version + length
  // of the plaintext (RFC 5246, Section 6.2.3.3).
  const additionalData = keys.tls13
    ? concat(Uint8Array.of(input.contentType), u16(input.version), u16(body.length))
    : macHeader(input, ciphertext.length);
  const base: OpenedRecord = { status: 'tag-failed', nonce: nonceInfo, additionalData, tag };
  const plaintext = aeadOpen(suite, keys.key, nonce, additionalData, ciphertext, tag);
  if (plaintext === null) {
    return {
      ...base,
      tagCheck: 'failed',
      problem: 'the authentication tag does not verify: a byte of this record was changed, or these are not its keys',
    };
  }
  const opened: OpenedRecord = { ...base, status: 'decrypted', tagCheck: 'ok' };
  if (keys.tls13) return innerPlaintext(opened, plaintext);
  return { ...opened, contentType: input.contentType, plaintext };
}

function macEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function cbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, cipher: string): Uint8Array {
  const decipher = createDecipheriv(cipher, key, iv);
  decipher.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
}

function openCbc(input: ProtectedRecordInput): OpenedRecord {
  const { keys, body } = input;
  const { suite } = keys;
  const macHash = suite.macHash ?? 'sha1';
  const macLength = HASH_LENGTH[macHash];
  const macKey = keys.macKey ?? new Uint8Array(0);
  const blockSize = 16;
  const macName = `HMAC-${macHash.toUpperCase()}`;
  const implicit = keys.implicitIv;
  const header = (length: number): Uint8Array => macHeader(input, length);

  if (keys.encryptThenMac) {
    // RFC 7366, Section 3: IV + ciphertext, then the MAC over the header and all of it.
    const encrypted = body.length - macLength;
    const ivBytes = implicit ? 0 : blockSize;
    if (encrypted < ivBytes + blockSize || (encrypted - ivBytes) % blockSize !== 0) {
      return {
        status: 'malformed',
        problem: `${body.length} bytes cannot be ${implicit ? '' : 'IV + '}whole ${blockSize}-byte blocks + a ${macLength}-byte MAC (encrypt-then-MAC)`,
      };
    }
    const ivAndCiphertext = body.subarray(0, encrypted);
    const received = body.subarray(encrypted);
    const additionalData = header(encrypted);
    const computed = hmac(macHash, macKey, additionalData, ivAndCiphertext);
    const ok = macEqual(received, computed);
    const mac: MacCheck = { hash: macName, received: toHex(received), computed: toHex(computed), ok, order: 'encrypt-then-mac' };
    const recordIv = implicit ?? body.subarray(0, blockSize);
    if (!ok) {
      return {
        status: 'mac-failed',
        additionalData,
        mac,
        recordIv,
        problem: 'the MAC does not verify: a byte of this record was changed, or these are not its keys (nothing is decrypted before the MAC checks out)',
      };
    }
    const padded = cbcDecrypt(keys.key, recordIv, body.subarray(ivBytes, encrypted), suite.cipher);
    const padLength = padded[padded.length - 1];
    const paddingOk = padLength + 1 <= padded.length && padded.subarray(padded.length - padLength - 1).every((b) => b === padLength);
    mac.paddingOk = paddingOk;
    if (!paddingOk) return { status: 'malformed', additionalData, mac, recordIv, problem: 'the MAC verified but the CBC padding is not well formed' };
    return {
      status: 'decrypted',
      contentType: input.contentType,
      plaintext: padded.subarray(0, padded.length - padLength - 1),
      additionalData,
      mac,
      recordIv,
      paddingLength: padLength + 1,
    };
  }

  // MAC-then-encrypt (RFC 5246, Section 6.2.3.2): IV + E(content + MAC + padding); TLS 1.0 sends no IV.
  const ivBytes = implicit ? 0 : blockSize;
  if (body.length < ivBytes + blockSize || body.length % blockSize !== 0) {
    return { status: 'malformed', problem: `${body.length} bytes cannot be ${implicit ? '' : 'an IV + '}whole ${blockSize}-byte blocks (CBC)` };
  }
  const recordIv = implicit ?? body.subarray(0, blockSize);
  const padded = cbcDecrypt(keys.key, recordIv, body.subarray(ivBytes), suite.cipher);
  const padLength = padded[padded.length - 1];
  let paddingOk = padLength + 1 + macLength <= padded.length;
  if (paddingOk) paddingOk = padded.subarray(padded.length - padLength - 1).every((b) => b === padLength);
  // With bad padding, check the MAC as if there were none (as TLS stacks do against Lucky Thirteen).
  const contentEnd = paddingOk ? padded.length - padLength - 1 - macLength : Math.max(0, padded.length - macLength);
  const content = padded.subarray(0, contentEnd);
  const received = padded.subarray(contentEnd, contentEnd + macLength);
  const additionalData = header(content.length);
  const computed = hmac(macHash, macKey, additionalData, content);
  const ok = paddingOk && macEqual(received, computed);
  const mac: MacCheck = {
    hash: macName,
    received: toHex(received),
    computed: toHex(computed),
    ok,
    order: 'mac-then-encrypt',
    paddingOk,
  };
  if (!ok) {
    return {
      status: 'mac-failed',
      additionalData,
      mac,
      recordIv,
      problem: paddingOk
        ? 'the MAC does not verify: a byte of this record was changed, or these are not its keys'
        : 'the CBC padding is wrong after decryption: a byte of this record was changed, or these are not its keys',
    };
  }
  return { status: 'decrypted', contentType: input.contentType, plaintext: content, additionalData, mac, recordIv, paddingLength: padLength + 1 };
}

/** RFC 5246, Section 6.2.3.1 with the NULL cipher: the content, then HMAC(seq + header + content). Nothing to decrypt. */
function openNull(input: ProtectedRecordInput): OpenedRecord {
  const { keys, body } = input;
  const macHash = keys.suite.macHash ?? 'sha1';
  const macLength = HASH_LENGTH[macHash];
  if (body.length < macLength) return { status: 'malformed', problem: `${body.length} bytes cannot hold a ${macLength}-byte MAC (NULL cipher)` };
  const content = body.subarray(0, body.length - macLength);
  const received = body.subarray(body.length - macLength);
  const additionalData = macHeader(input, content.length);
  const computed = hmac(macHash, keys.macKey ?? new Uint8Array(0), additionalData, content);
  const ok = macEqual(received, computed);
  const mac: MacCheck = { hash: `HMAC-${macHash.toUpperCase()}`, received: toHex(received), computed: toHex(computed), ok, order: 'mac-then-encrypt' };
  if (!ok) {
    return { status: 'mac-failed', additionalData, mac, problem: 'the MAC does not verify: a byte of this record was changed, or these are not its keys (with a NULL cipher the content itself was never hidden)' };
  }
  return { status: 'decrypted', contentType: input.contentType, plaintext: content, additionalData, mac };
}

/** Opens one record. Never throws: every failure is a status with a reason. */
export function openRecord(input: ProtectedRecordInput): OpenedRecord {
  try {
    const protection = input.keys.suite.protection;
    return protection === 'null' ? openNull(input) : protection === 'cbc' ? openCbc(input) : openAead(input);
  } catch (error) {
    return { status: 'malformed', problem: `cannot open this record: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function sequenceNumberBytes(sequenceNumber: number): Uint8Array {
  return sequenceBytes(sequenceNumber);
}
