// Protecting one record with known keys, the reverse of recordCrypto's openRecord: what a TLS
// stack does to send a record. The workbench's client, proxy and servers use it for the one record
// Node cannot send for them: the alert that says why a certificate was refused
// (sessions/refusalAlert.ts). Tests check that openRecord, OpenSSL and tshark read back what it seals.
// RFC 5246, Section 6.2.3; RFC 5288; RFC 7366; RFC 7905; RFC 8446, Sections 5.2-5.4.

import { createCipheriv, randomBytes } from 'node:crypto';
import type { RecordKeys } from './recordCrypto';
import { sequenceNumberBytes } from './recordCrypto';
import { concat, hmac } from './prf';
import { nodeCipherName } from './suites';

/** TLS 1.3: records go out as application_data; the real type is inside (RFC 8446, Section 5.2). */
const APPLICATION_DATA = 23;
const LEGACY_RECORD_VERSION = 0x0303;

export interface RecordToSeal {
  keys: RecordKeys;
  sequenceNumber: number;
  /** The real content type (an alert is 21). */
  contentType: number;
  /** The record version (TLS 1.3 writes 0x0303 whatever this says). */
  version: number;
  plaintext: Uint8Array;
}

function header(contentType: number, version: number, length: number): Uint8Array {
  return Uint8Array.of(contentType, (version >> 8) & 0xff, version & 0xff, (length >> 8) & 0xff, length & 0xff);
}

/** seq_num + type + version + length, what a TLS 1.0-1.2 MAC and TLS 1.2 AEAD additional data cover. */
function macHeader(sequenceNumber: number, contentType: number, version: number, length: number): Uint8Array {
  return concat(sequenceNumberBytes(sequenceNumber), header(contentType, version, length));
}

function aeadSeal(record: RecordToSeal): Uint8Array {
  const { keys, sequenceNumber, plaintext } = record;
  const { suite } = keys;
  const name = nodeCipherName(suite);
  const tls13 = keys.tls13;
  const inner = tls13 ? concat(plaintext, Uint8Array.of(record.contentType)) : plaintext;
  const outerType = tls13 ? APPLICATION_DATA : record.contentType;
  const version = tls13 ? LEGACY_RECORD_VERSION : record.version;
  let nonce: Uint8Array;
  let explicit: Uint8Array = new Uint8Array(0);
  if (suite.protection === 'aead-explicit-nonce') {
    // The explicit part is the sequence number, as OpenSSL writes it (RFC 5288 allows any unique value).
    explicit = sequenceNumberBytes(sequenceNumber);
    nonce = concat(keys.iv, explicit);
  } else {
    nonce = Uint8Array.from(keys.iv);
    const seq = sequenceNumberBytes(sequenceNumber);
    for (let i = 0; i < 8; i++) nonce[nonce.length - 8 + i] ^= seq[i];
  }
  const bodyLength = explicit.length + inner.length + suite.tagLength;
  const additionalData = tls13 ? header(outerType, version, bodyLength) : macHeader(sequenceNumber, outerType, version, inner.length);
  const cipher = createCipheriv(name as 'aes-128-gcm', keys.key, nonce, { authTagLength: suite.tagLength });
  if (name.endsWith('-ccm')) (cipher as unknown as { setAAD(a: Uint8Array, o: { plaintextLength: number }): void }).setAAD(additionalData, { plaintextLength: inner.length });
  else cipher.setAAD(additionalData);
  const ciphertext = Buffer.concat([cipher.update(inner), cipher.final()]);
  return concat(header(outerType, version, bodyLength), explicit, ciphertext, cipher.getAuthTag());
}

function cbcEncrypt(cipherName: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const cipher = createCipheriv(cipherName, key, iv);
  cipher.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(data), cipher.final()]));
}

/** TLS padding: padding_length + 1 bytes, each holding padding_length, to a whole block. */
function padded(data: Uint8Array): Uint8Array {
  const padLength = 15 - (data.length % 16);
  return concat(data, new Uint8Array(padLength + 1).fill(padLength));
}

function cbcSeal(record: RecordToSeal): Uint8Array {
  const { keys, sequenceNumber, contentType, version, plaintext } = record;
  const { suite } = keys;
  if (keys.implicitIv) throw new Error('TLS 1.0 CBC chains each record to the one before; sealing one record alone is not supported');
  const macHash = suite.macHash ?? 'sha1';
  const macKey = keys.macKey ?? new Uint8Array(0);
  const iv = new Uint8Array(randomBytes(16));
  if (keys.encryptThenMac) {
    // RFC 7366: IV + E(content + padding), then the MAC over the header and all of that.
    const encrypted = concat(iv, cbcEncrypt(suite.cipher, keys.key, iv, padded(plaintext)));
    const mac = hmac(macHash, macKey, macHeader(sequenceNumber, contentType, version, encrypted.length), encrypted);
    const body = concat(encrypted, mac);
    return concat(header(contentType, version, body.length), body);
  }
  const mac = hmac(macHash, macKey, macHeader(sequenceNumber, contentType, version, plaintext.length), plaintext);
  const body = concat(iv, cbcEncrypt(suite.cipher, keys.key, iv, padded(concat(plaintext, mac))));
  return concat(header(contentType, version, body.length), body);
}

function nullSeal(record: RecordToSeal): Uint8Array {
  const { keys, sequenceNumber, contentType, version, plaintext } = record;
  const macHash = keys.suite.macHash ?? 'sha1';
  const mac = hmac(macHash, keys.macKey ?? new Uint8Array(0), macHeader(sequenceNumber, contentType, version, plaintext.length), plaintext);
  const body = concat(plaintext, mac);
  return concat(header(contentType, version, body.length), body);
}

/** The whole protected record, header included, ready for the wire. Throws only for TLS 1.0 CBC. */
export function sealRecord(record: RecordToSeal): Uint8Array {
  const protection = record.keys.suite.protection;
  return protection === 'null' ? nullSeal(record) : protection === 'cbc' ? cbcSeal(record) : aeadSeal(record);
}
