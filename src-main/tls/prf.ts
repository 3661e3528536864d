// The TLS 1.2 pseudo-random function and what it derives (RFC 5246, Sections 5, 6.3 and 8.1;
// RFC 7627 for the extended master secret). Each HMAC round is recorded as a step so a student
// can follow A(i) and P_hash by hand.

import { createHmac } from 'node:crypto';
import type { DerivationStep, KeyValue } from '../api/decryptTypes';
import type { HashName, SuiteParameters } from './suites';
import { concatBytes } from '../bytes';

const ascii = new TextEncoder();

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A named value for a derivation step. */
export function keyValue(name: string, bytes: Uint8Array, text?: string): KeyValue {
  const value: KeyValue = { name, hex: toHex(bytes), length: bytes.length };
  if (text !== undefined) value.text = text;
  return value;
}

/** A value the schedule uses that nothing recorded: shown by name and length, with the reason. */
export function unknownValue(name: string, length: number, why: string): KeyValue {
  return { name, hex: '', length, unknown: why };
}

export function hmac(hash: HashName, key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const mac = createHmac(hash, key);
  for (const part of parts) mac.update(part);
  return new Uint8Array(mac.digest());
}

/** The parts joined into new bytes, given as arguments (the key schedules join a few at a time). */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

function upper(hash: HashName): string {
  return hash.toUpperCase().replace('SHA', 'SHA');
}

/** Where the steps of a derivation go, with the title prefix of the value being derived. */
export interface Trace {
  steps: DerivationStep[];
  /** e.g. "master secret" */
  what: string;
}

/**
 * P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
 * with A(0) = seed and A(i) = HMAC(secret, A(i-1)) (RFC 5246, Section 5).
 */
export function pHash(hash: HashName, secret: Uint8Array, seed: Uint8Array, length: number, trace?: Trace): Uint8Array {
  const out = new Uint8Array(length);
  let a = seed;
  let filled = 0;
  for (let i = 1; filled < length; i++) {
    const previous = a;
    a = hmac(hash, secret, previous);
    const block = hmac(hash, secret, a, seed);
    const take = Math.min(block.length, length - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
    trace?.steps.push({
      title: `${trace.what}: P_${upper(hash)} round ${i}`,
      operation: `HMAC-${upper(hash)}`,
      rfc: 'RFC 5246, Section 5',
      inputs: [keyValue(`A(${i - 1})`, previous)],
      outputs: [keyValue(`A(${i}) = HMAC(secret, A(${i - 1}))`, a), keyValue(`HMAC(secret, A(${i}) + seed)`, block)],
      note: take < block.length ? `only the first ${take} bytes of this round are used` : undefined,
    });
  }
  return out;
}

/** PRF(secret, label, seed) = P_<hash>(secret, label + seed) (RFC 5246, Section 5). */
export function prf12(
  hash: HashName,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
  trace?: Trace,
): Uint8Array {
  const labelBytes = ascii.encode(label);
  const fullSeed = concat(labelBytes, seed);
  trace?.steps.push({
    title: `${trace.what}: PRF(secret, "${label}", seed) = P_${upper(hash)}(secret, label + seed)`,
    operation: 'PRF input',
    rfc: 'RFC 5246, Section 5',
    inputs: [keyValue('secret', secret), keyValue('label', labelBytes, label), keyValue('seed', seed)],
    outputs: [keyValue('label + seed', fullSeed)],
    note: `${length} bytes wanted: ${Math.ceil(length / (hash === 'sha384' ? 48 : hash === 'sha1' ? 20 : 32))} HMAC rounds`,
  });
  const out = pHash(hash, secret, fullSeed, length, trace);
  trace?.steps.push({
    title: `${trace.what}: result`,
    operation: 'concatenate',
    inputs: [],
    outputs: [keyValue(trace.what, out)],
  });
  return out;
}

/**
 * TLS 1.0 and 1.1's PRF (RFC 2246 and RFC 4346, Section 5): the secret cut in two halves (sharing
 * the middle byte when its length is odd), P_MD5 of the first XOR P_SHA-1 of the second.
 */
export function prf10(secret: Uint8Array, label: string, seed: Uint8Array, length: number, trace?: Trace): Uint8Array {
  const labelBytes = ascii.encode(label);
  const fullSeed = concat(labelBytes, seed);
  const half = Math.ceil(secret.length / 2);
  const s1 = secret.subarray(0, half);
  const s2 = secret.subarray(secret.length - half);
  trace?.steps.push({
    title: `${trace.what}: PRF(secret, "${label}", seed) = P_MD5(S1, label + seed) XOR P_SHA1(S2, label + seed)`,
    operation: 'PRF input (TLS 1.0/1.1)',
    rfc: 'RFC 2246, Section 5',
    inputs: [keyValue('S1 (first half of the secret)', s1), keyValue('S2 (second half)', s2), keyValue('label', labelBytes, label), keyValue('seed', seed)],
    outputs: [keyValue('label + seed', fullSeed)],
    note: 'TLS 1.2 replaced this with a single hash chosen by the cipher suite',
  });
  const md5 = pHash('md5', s1, fullSeed, length);
  const sha1 = pHash('sha1', s2, fullSeed, length);
  const out = md5.map((b, i) => b ^ sha1[i]);
  trace?.steps.push({
    title: `${trace.what}: result`,
    operation: 'XOR',
    inputs: [keyValue('P_MD5(S1, label + seed)', md5), keyValue('P_SHA1(S2, label + seed)', sha1)],
    outputs: [keyValue(trace.what, out)],
  });
  return out;
}

/** The PRF a TLS version uses: TLS 1.2's single hash, or TLS 1.0/1.1's MD5 and SHA-1 together. */
export function prfFor(version: number, hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number, trace?: Trace): Uint8Array {
  return version < 0x0303 ? prf10(secret, label, seed, length, trace) : prf12(hash, secret, label, seed, length, trace);
}

/** master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47]. */
export function masterSecret(
  hash: HashName,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  steps?: DerivationStep[],
): Uint8Array {
  const trace = steps ? { steps, what: 'master secret' } : undefined;
  return prf12(hash, preMasterSecret, 'master secret', concat(clientRandom, serverRandom), 48, trace);
}

/**
 * RFC 7627, Section 4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash),
 * session_hash = Hash(handshake messages up to and including ClientKeyExchange).
 */
export function extendedMasterSecret(
  hash: HashName,
  preMasterSecret: Uint8Array,
  sessionHash: Uint8Array,
  steps?: DerivationStep[],
): Uint8Array {
  const trace = steps ? { steps, what: 'extended master secret' } : undefined;
  return prf12(hash, preMasterSecret, 'extended master secret', sessionHash, 48, trace);
}

/** The key block cut into the six values a TLS 1.2 connection uses (RFC 5246, Section 6.3). */
export interface KeyBlock {
  clientWriteMacKey: Uint8Array;
  serverWriteMacKey: Uint8Array;
  clientWriteKey: Uint8Array;
  serverWriteKey: Uint8Array;
  clientWriteIv: Uint8Array;
  serverWriteIv: Uint8Array;
}

/**
 * key_block = PRF(master_secret, "key expansion", server_random + client_random), cut in order:
 * client MAC key, server MAC key, client key, server key, client IV, server IV.
 */
export function keyBlock(
  suite: SuiteParameters,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  steps?: DerivationStep[],
  version = 0x0303,
): KeyBlock {
  const sizes = [suite.macKeyLength, suite.macKeyLength, suite.keyLength, suite.keyLength, suite.fixedIvLength, suite.fixedIvLength];
  const total = sizes.reduce((a, b) => a + b, 0);
  const trace = steps ? { steps, what: 'key block' } : undefined;
  // Note the order: server random first here, client random first for the master secret.
  const block = prfFor(version, suite.prfHash, master, 'key expansion', concat(serverRandom, clientRandom), total, trace);
  let at = 0;
  const cut = (n: number): Uint8Array => {
    const part = block.slice(at, at + n);
    at += n;
    return part;
  };
  const keys: KeyBlock = {
    clientWriteMacKey: cut(sizes[0]),
    serverWriteMacKey: cut(sizes[1]),
    clientWriteKey: cut(sizes[2]),
    serverWriteKey: cut(sizes[3]),
    clientWriteIv: cut(sizes[4]),
    serverWriteIv: cut(sizes[5]),
  };
  steps?.push({
    title: `key block (${total} bytes) cut for ${suite.name}`,
    operation: 'split',
    rfc: 'RFC 5246, Section 6.3',
    inputs: [keyValue('key block', block)],
    outputs: keyBlockValues(keys),
    note:
      version === 0x0301 && suite.protection === 'cbc'
        ? `TLS 1.0 CBC: ${suite.macKeyLength}-byte HMAC-${suite.macHash?.toUpperCase()} keys; each direction's IV starts its first record, and every later record's IV is the last ciphertext block of the record before (the predictability BEAST used)`
        : suite.protection === 'null'
        ? `NULL cipher: only ${suite.macKeyLength}-byte HMAC-${suite.macHash?.toUpperCase()} keys; no encryption keys or IVs: the records travel in the clear, each with its MAC`
        : suite.protection === 'cbc'
        ? `CBC: ${suite.macKeyLength}-byte HMAC-${suite.macHash?.toUpperCase()} keys; the IVs in the key block are not used in TLS 1.2 (each record carries its own)`
        : suite.protection === 'aead-explicit-nonce'
          ? 'AEAD: no MAC keys; the 4-byte IVs are the implicit part (salt) of each record nonce'
          : 'AEAD: no MAC keys; the 12-byte IVs are XORed with the sequence number to make each nonce',
  });
  return keys;
}

export function keyBlockValues(keys: KeyBlock): KeyValue[] {
  const out: KeyValue[] = [];
  if (keys.clientWriteMacKey.length > 0) {
    out.push(keyValue('client_write_MAC_key', keys.clientWriteMacKey), keyValue('server_write_MAC_key', keys.serverWriteMacKey));
  }
  out.push(
    keyValue('client_write_key', keys.clientWriteKey),
    keyValue('server_write_key', keys.serverWriteKey),
    keyValue('client_write_IV', keys.clientWriteIv),
    keyValue('server_write_IV', keys.serverWriteIv),
  );
  return out;
}
