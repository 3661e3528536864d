// Checking an X.509 / PKCS#10 signature with Node's crypto: the AlgorithmIdentifier names the
// hash and the scheme (RFC 4055 for RSA-PSS, RFC 5758 for ECDSA and DSA with SHA-2, RFC 8410 for
// Ed25519 and Ed448, NIST's CSOR arcs for the SHA-3 variants). Every algorithm OpenSSL 3 checks
// in a certificate is here, so that the workbench never calls "unverifiable" what openssl verifies.
import { type KeyObject, constants, createHash, createPublicKey, publicEncrypt, verify } from 'node:crypto';
import { type Asn1Node, decodeOid, parseDer } from './der.js';

export interface SignatureAlgorithmInfo {
  oid: string;
  /** "sha256WithRSAEncryption", "ecdsa-with-SHA256", "ED25519", "RSASSA-PSS", ... (OpenSSL's names). */
  name: string;
  /** Node's hash name, null for Ed25519/Ed448. */
  hash: string | null;
  scheme: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'dsa' | 'eddsa' | 'unknown';
}

const ALGORITHMS: Record<string, Omit<SignatureAlgorithmInfo, 'oid'>> = {
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5', scheme: 'rsa-pkcs1' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1', scheme: 'rsa-pkcs1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224', scheme: 'rsa-pkcs1' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256', scheme: 'rsa-pkcs1' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384', scheme: 'rsa-pkcs1' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512', scheme: 'rsa-pkcs1' },
  '1.2.840.113549.1.1.15': { name: 'sha512-224WithRSAEncryption', hash: 'sha512-224', scheme: 'rsa-pkcs1' },
  '1.2.840.113549.1.1.16': { name: 'sha512-256WithRSAEncryption', hash: 'sha512-256', scheme: 'rsa-pkcs1' },
  '2.16.840.1.101.3.4.3.13': { name: 'RSA-SHA3-224', hash: 'sha3-224', scheme: 'rsa-pkcs1' },
  '2.16.840.1.101.3.4.3.14': { name: 'RSA-SHA3-256', hash: 'sha3-256', scheme: 'rsa-pkcs1' },
  '2.16.840.1.101.3.4.3.15': { name: 'RSA-SHA3-384', hash: 'sha3-384', scheme: 'rsa-pkcs1' },
  '2.16.840.1.101.3.4.3.16': { name: 'RSA-SHA3-512', hash: 'sha3-512', scheme: 'rsa-pkcs1' },
  '1.2.840.113549.1.1.10': { name: 'RSASSA-PSS', hash: 'sha1', scheme: 'rsa-pss' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1', scheme: 'ecdsa' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224', scheme: 'ecdsa' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256', scheme: 'ecdsa' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384', scheme: 'ecdsa' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512', scheme: 'ecdsa' },
  '2.16.840.1.101.3.4.3.9': { name: 'ecdsa_with_SHA3-224', hash: 'sha3-224', scheme: 'ecdsa' },
  '2.16.840.1.101.3.4.3.10': { name: 'ecdsa_with_SHA3-256', hash: 'sha3-256', scheme: 'ecdsa' },
  '2.16.840.1.101.3.4.3.11': { name: 'ecdsa_with_SHA3-384', hash: 'sha3-384', scheme: 'ecdsa' },
  '2.16.840.1.101.3.4.3.12': { name: 'ecdsa_with_SHA3-512', hash: 'sha3-512', scheme: 'ecdsa' },
  '1.2.840.10040.4.3': { name: 'dsaWithSHA1', hash: 'sha1', scheme: 'dsa' },
  '2.16.840.1.101.3.4.3.1': { name: 'dsa_with_SHA224', hash: 'sha224', scheme: 'dsa' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa_with_SHA256', hash: 'sha256', scheme: 'dsa' },
  '2.16.840.1.101.3.4.3.3': { name: 'dsa_with_SHA384', hash: 'sha384', scheme: 'dsa' },
  '2.16.840.1.101.3.4.3.4': { name: 'dsa_with_SHA512', hash: 'sha512', scheme: 'dsa' },
  '1.3.101.112': { name: 'ED25519', hash: null, scheme: 'eddsa' },
  '1.3.101.113': { name: 'ED448', hash: null, scheme: 'eddsa' },
};

const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.7': 'sha3-224',
  '2.16.840.1.101.3.4.2.8': 'sha3-256',
  '2.16.840.1.101.3.4.2.9': 'sha3-384',
  '2.16.840.1.101.3.4.2.10': 'sha3-512',
};

/** Name, hash and scheme of an AlgorithmIdentifier node. */
export function signatureAlgorithmInfo(algorithmIdentifier: Asn1Node): SignatureAlgorithmInfo {
  const oid = decodeOid(algorithmIdentifier.children[0]?.contents ?? new Uint8Array());
  const known = ALGORITHMS[oid];
  if (!known) return { oid, name: oid, hash: null, scheme: 'unknown' };
  if (known.scheme !== 'rsa-pss') return { oid, ...known };
  // PSS carries its hashes and salt length in the parameters: name them, as openssl x509 -text does.
  const { hash, mgf1Hash, saltLength } = pssParameters(algorithmIdentifier);
  return { oid, ...known, name: `${known.name} (${hash.toUpperCase()}, MGF1 with ${mgf1Hash.toUpperCase()}, salt ${saltLength} bytes)`, hash };
}

/**
 * RSASSA-PSS-params (RFC 4055, Section 3.1): hashAlgorithm [0], maskGenAlgorithm [1] (MGF1 and
 * its own hash), saltLength [2]; the defaults are SHA-1, MGF1 with SHA-1, 20.
 */
function pssParameters(algorithmIdentifier: Asn1Node): { hash: string; mgf1Hash: string; saltLength: number } {
  let hash = 'sha1';
  let mgf1Hash = 'sha1';
  let saltLength = 20;
  for (const field of algorithmIdentifier.children[1]?.children ?? []) {
    if (field.tagClass !== 'context') continue;
    const inner = field.children[0];
    if (field.tagNumber === 0 && inner) hash = HASH_OIDS[decodeOid(inner.children[0]?.contents ?? new Uint8Array())] ?? hash;
    if (field.tagNumber === 1 && inner) {
      const mgfHash = inner.children[1]?.children[0];
      if (mgfHash) mgf1Hash = HASH_OIDS[decodeOid(mgfHash.contents)] ?? mgf1Hash;
    }
    if (field.tagNumber === 2 && inner) saltLength = inner.contents.reduce((n, byte) => n * 256 + byte, 0);
  }
  return { hash, mgf1Hash, saltLength };
}

/**
 * Node's verify always pairs PSS with MGF1 over the message hash. A signature whose MGF1 uses
 * another hash (openssl -sigopt rsa_mgf1_md:sha1, say) is checked here as RFC 8017, Section
 * 9.1.2 (EMSA-PSS-VERIFY) describes, on the RSA public operation done by OpenSSL.
 */
function verifyPss(hash: string, mgf1Hash: string, saltLength: number, signedBytes: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (mgf1Hash === hash) {
    return verify(hash, signedBytes, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
  }
  const spki = parseDer(publicKey.export({ type: 'spki', format: 'der' }));
  const [modulus, exponent] = parseDer(spki.children[1].contents.subarray(1)).children.map((integer) => withoutLeadingZeros(integer.contents));
  const rsa = createPublicKey({ key: { kty: 'RSA', n: base64url(modulus), e: base64url(exponent) }, format: 'jwk' });
  const modBits = modulus.length * 8 - Math.clz32(modulus[0]) + 24;
  if (signature.length !== modulus.length) return false;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const decrypted = publicEncrypt({ key: rsa, padding: constants.RSA_NO_PADDING }, signature);
  if (decrypted.length > emLen && decrypted.subarray(0, decrypted.length - emLen).some((byte) => byte !== 0)) return false;
  const em = decrypted.subarray(decrypted.length - emLen);
  const hLen = createHash(hash).digest().length;
  if (emLen < hLen + saltLength + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topBits = 8 * emLen - emBits;
  const topMask = 0xff >> topBits;
  if ((maskedDb[0] & ~topMask & 0xff) !== 0) return false;
  const mask = mgf1(mgf1Hash, h, maskedDb.length);
  const db = maskedDb.map((byte, i) => byte ^ mask[i]);
  db[0] &= topMask;
  const padding = emLen - hLen - saltLength - 2;
  if (db.subarray(0, padding).some((byte) => byte !== 0) || db[padding] !== 0x01) return false;
  const salt = db.subarray(db.length - saltLength);
  const mHash = createHash(hash).update(signedBytes).digest();
  const expected = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  return expected.equals(Buffer.from(h));
}

function mgf1(hash: string, seed: Uint8Array, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0, total = 0; total < length; counter++) {
    const block = createHash(hash).update(seed).update(Buffer.from([counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff])).digest();
    blocks.push(block);
    total += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function withoutLeadingZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * True when `signature` (BIT STRING contents without the unused-bits byte) is a valid signature
 * of `signedBytes` by `publicKey` under the algorithm; null when the algorithm is unknown.
 */
export function verifySignature(
  algorithmIdentifier: Asn1Node,
  signedBytes: Uint8Array,
  signature: Uint8Array,
  publicKey: KeyObject,
): boolean | null {
  const info = signatureAlgorithmInfo(algorithmIdentifier);
  try {
    switch (info.scheme) {
      case 'rsa-pkcs1':
      case 'ecdsa':
      case 'dsa':
        return verify(info.hash, signedBytes, publicKey, signature);
      case 'eddsa':
        return verify(null, signedBytes, publicKey, signature);
      case 'rsa-pss': {
        const { hash, mgf1Hash, saltLength } = pssParameters(algorithmIdentifier);
        return verifyPss(hash, mgf1Hash, saltLength, signedBytes, signature, publicKey);
      }
      default:
        return null;
    }
  } catch {
    // A key of the wrong type for the algorithm, or a malformed signature: not a valid signature.
    return false;
  }
}
