// Checking an X.509 / PKCS#10 signature with Node's crypto: the AlgorithmIdentifier names the
// hash and the scheme (RFC 4055 for RSA-PSS, RFC 5758 for ECDSA and DSA with SHA-2, RFC 8410 for
// Ed25519 and Ed448, NIST's CSOR arcs for the SHA-3 variants). Every algorithm OpenSSL 3 checks
// in a certificate is here, so that the workbench never calls "unverifiable" what openssl verifies.
import { type KeyObject, constants, verify } from 'node:crypto';
import { type Asn1Node, decodeOid } from './der.js';

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
  // PSS carries its hash and salt length in the parameters: name them, as openssl x509 -text does.
  const { hash, saltLength } = pssParameters(algorithmIdentifier);
  return { oid, ...known, name: `${known.name} (${hash.toUpperCase()}, salt ${saltLength} bytes)`, hash };
}

/** RSASSA-PSS-params: hashAlgorithm [0], maskGenAlgorithm [1], saltLength [2] (defaults SHA-1, 20). */
function pssParameters(algorithmIdentifier: Asn1Node): { hash: string; saltLength: number } {
  let hash = 'sha1';
  let saltLength = 20;
  for (const field of algorithmIdentifier.children[1]?.children ?? []) {
    if (field.tagClass !== 'context') continue;
    const inner = field.children[0];
    if (field.tagNumber === 0 && inner) hash = HASH_OIDS[decodeOid(inner.children[0]?.contents ?? new Uint8Array())] ?? hash;
    if (field.tagNumber === 2 && inner) saltLength = inner.contents.reduce((n, byte) => n * 256 + byte, 0);
  }
  return { hash, saltLength };
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
        const { hash, saltLength } = pssParameters(algorithmIdentifier);
        return verify(hash, signedBytes, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
      }
      default:
        return null;
    }
  } catch {
    // A key of the wrong type for the algorithm, or a malformed signature: not a valid signature.
    return false;
  }
}
