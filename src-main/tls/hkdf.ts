// HKDF (RFC 5869) and TLS 1.3's labelled forms of it (RFC 8446, Section 7.1).

import { createHash } from 'node:crypto';
import type { DerivationStep } from '../api/decryptTypes';
import { concat, hmac, keyValue } from './prf';
import { HASH_LENGTH, type HashName } from './suites';

const ascii = new TextEncoder();

export function hashOf(hash: HashName, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash).update(data).digest());
}

/** HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM); an absent salt is HashLen zero bytes. */
export function hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmac(hash, salt.length > 0 ? salt : new Uint8Array(HASH_LENGTH[hash]), ikm);
}

/** HKDF-Expand(PRK, info, L): T(i) = HMAC-Hash(PRK, T(i-1) | info | i), concatenated. */
export function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hashLength = HASH_LENGTH[hash];
  if (length > 255 * hashLength) throw new RangeError(`HKDF-Expand: ${length} bytes is more than 255 * ${hashLength}`);
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1, filled = 0; filled < length; i++) {
    t = hmac(hash, prk, t, info, Uint8Array.of(i));
    const take = Math.min(t.length, length - filled);
    out.set(t.subarray(0, take), filled);
    filled += take;
  }
  return out;
}

/**
 * The HkdfLabel structure (RFC 8446, Section 7.1):
 *   uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>.
 */
export function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const full = ascii.encode(`tls13 ${label}`);
  if (full.length > 255 || context.length > 255) throw new RangeError('HkdfLabel: label or context longer than 255 bytes');
  return concat(Uint8Array.of(length >> 8, length & 0xff, full.length), full, Uint8Array.of(context.length), context);
}

/** HKDF-Expand-Label(Secret, Label, Context, Length), recorded as one step when `steps` is given. */
export function hkdfExpandLabel(
  hash: HashName,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
  steps?: DerivationStep[],
  names?: { secret: string; output: string; context?: string },
): Uint8Array {
  const info = hkdfLabel(label, context, length);
  const out = hkdfExpand(hash, secret, info, length);
  steps?.push({
    title: `${names?.output ?? label} = HKDF-Expand-Label(${names?.secret ?? 'secret'}, "${label}", ${context.length === 0 ? '""' : (names?.context ?? 'context')}, ${length})`,
    operation: 'HKDF-Expand-Label',
    rfc: 'RFC 8446, Section 7.1',
    inputs: [
      keyValue(names?.secret ?? 'secret', secret),
      keyValue('label', ascii.encode(`tls13 ${label}`), `tls13 ${label}`),
      keyValue(names?.context ?? 'context', context),
      keyValue('HkdfLabel (info)', info),
    ],
    outputs: [keyValue(names?.output ?? label, out)],
  });
  return out;
}

/** Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length). */
export function deriveSecret(
  hash: HashName,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
  steps?: DerivationStep[],
  names?: { secret: string; output: string; context?: string },
): Uint8Array {
  return hkdfExpandLabel(hash, secret, label, transcriptHash, HASH_LENGTH[hash], steps, names);
}
