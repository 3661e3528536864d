// Private keys: generate (off the event loop), name ("rsa:2048"), import from PEM/DER with or
// without a passphrase, export as PKCS#8 PEM (plain or AES-256-CBC), and match to certificates.
import {
  type KeyObject,
  X509Certificate,
  createPrivateKey,
  createPublicKey,
  generateKeyPair as generateKeyPairCallback,
  webcrypto,
} from 'node:crypto';
import { PkiError, libraryReason } from './errors.js';
import { checkEncryptedKeyIterations } from './iterations.js';
import { labelList, looksLikePem, readDerOrPem, splitPem } from './pem.js';

export type RsaBits = 2048 | 3072 | 4096;
export type NamedCurve = 'P-256' | 'P-384';

export type KeySpec = { kind: 'rsa'; bits: RsaBits } | { kind: 'ec'; curve: NamedCurve } | { kind: 'ed25519' };

export type KeySpecName = 'rsa:2048' | 'rsa:3072' | 'rsa:4096' | 'ec:P-256' | 'ec:P-384' | 'ed25519';

export const KEY_SPEC_NAMES: readonly KeySpecName[] = ['rsa:2048', 'rsa:3072', 'rsa:4096', 'ec:P-256', 'ec:P-384', 'ed25519'];

export const DEFAULT_KEY_SPEC: KeySpec = { kind: 'rsa', bits: 2048 };

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** What a student sees about a key. */
export interface KeyDescription {
  /** "RSA", "EC" or "Ed25519". */
  type: 'RSA' | 'EC' | 'Ed25519';
  bits: number;
  /** NIST name of the curve for EC keys ("P-256"). */
  curve?: string;
  /** The workbench's name for the key type, when it is one the workbench generates. */
  spec?: KeySpecName;
  /** "RSA 2048 bits", "EC P-256 (256 bits)", "Ed25519 (256 bits)". */
  summary: string;
}

const CURVE_ALIASES: Record<string, NamedCurve> = {
  'p-256': 'P-256',
  p256: 'P-256',
  prime256v1: 'P-256',
  secp256r1: 'P-256',
  'p-384': 'P-384',
  p384: 'P-384',
  secp384r1: 'P-384',
};

/** Node's curve names → NIST names; P-521 is accepted on import though the workbench does not generate it. */
const NODE_CURVES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/** Reads "rsa:2048", "rsa:3072", "rsa:4096", "ec:P-256", "ec:P-384" or "ed25519" (a few aliases too). */
export function parseKeySpec(text: string): KeySpec {
  const normalized = text.trim().toLowerCase();
  const rsa = /^rsa[:\-_]?(\d+)$/.exec(normalized) ?? (normalized === 'rsa' ? ['rsa', '2048'] : null);
  if (rsa) {
    const bits = Number(rsa[1]);
    if (bits === 2048 || bits === 3072 || bits === 4096) return { kind: 'rsa', bits };
    throw new PkiError(
      'BAD_KEY_SPEC',
      `RSA keys of ${bits} bits are not offered: use rsa:2048, rsa:3072 or rsa:4096. ` +
        (bits < 2048 ? 'Keys under 2048 bits are refused by current TLS libraries.' : 'Larger keys only make every handshake slower.'),
    );
  }
  const ec = /^(?:ecdsa|ec)[:\-_]?(.+)$/.exec(normalized);
  if (ec) {
    const curve = CURVE_ALIASES[ec[1]];
    if (curve) return { kind: 'ec', curve };
    throw new PkiError(
      'BAD_KEY_SPEC',
      `The curve "${ec[1]}" is not offered: use ec:P-256 or ec:P-384, the curves every TLS client accepts.`,
    );
  }
  if (normalized === 'ed25519') return { kind: 'ed25519' };
  throw new PkiError(
    'BAD_KEY_SPEC',
    `"${text}" is not a key type the workbench knows. Use one of: ${KEY_SPEC_NAMES.join(', ')}.`,
  );
}

export function formatKeySpec(spec: KeySpec): KeySpecName {
  switch (spec.kind) {
    case 'rsa':
      return `rsa:${spec.bits}`;
    case 'ec':
      return `ec:${spec.curve}`;
    case 'ed25519':
      return 'ed25519';
  }
}

/**
 * Makes a new key pair in Node's thread pool, so the engine keeps serving while an RSA 4096
 * key takes its seconds.
 */
export async function generateKeyPair(spec: KeySpec | string = DEFAULT_KEY_SPEC): Promise<KeyPair> {
  const resolved = typeof spec === 'string' ? parseKeySpec(spec) : spec;
  return new Promise<KeyPair>((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) => {
      if (error) reject(error);
      else resolve({ publicKey, privateKey });
    };
    switch (resolved.kind) {
      case 'rsa':
        generateKeyPairCallback('rsa', { modulusLength: resolved.bits, publicExponent: 0x10001 }, done);
        break;
      case 'ec':
        generateKeyPairCallback('ec', { namedCurve: resolved.curve }, done);
        break;
      case 'ed25519':
        generateKeyPairCallback('ed25519', {}, done);
        break;
    }
  });
}

/** Type, size and curve of a private or public key; throws UNSUPPORTED_KEY_TYPE for DSA, X25519, ... */
export function describeKey(key: KeyObject): KeyDescription {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    const spec = bits === 2048 || bits === 3072 || bits === 4096 ? (`rsa:${bits}` as KeySpecName) : undefined;
    return { type: 'RSA', bits, spec, summary: `RSA ${bits} bits` };
  }
  if (type === 'ec') {
    const curve = NODE_CURVES[details.namedCurve ?? ''];
    if (!curve) {
      throw unsupportedKeyType(`an EC key on the curve ${details.namedCurve ?? '(unknown)'}`);
    }
    const bits = curve === 'P-256' ? 256 : curve === 'P-384' ? 384 : 521;
    const spec = curve === 'P-521' ? undefined : (`ec:${curve}` as KeySpecName);
    return { type: 'EC', bits, curve, spec, summary: `EC ${curve} (${bits} bits)` };
  }
  if (type === 'ed25519') {
    return { type: 'Ed25519', bits: 256, spec: 'ed25519', summary: 'Ed25519 (256 bits)' };
  }
  throw unsupportedKeyType(`a ${type === 'rsa-pss' ? 'RSA-PSS' : (type ?? 'secret').toUpperCase()} key`);
}

/** What an inspector shows of any public key Node can read, including kinds the workbench never makes. */
export interface PublicKeyDisplay {
  /** "RSA", "RSA-PSS", "DSA", "EC", "Ed25519", "Ed448", "X25519", "X448", "DH". */
  type: string;
  /** Size in bits (the modulus, the prime p, the curve's field); 0 when Node does not say. */
  bits: number;
  /** The curve's usual name for EC keys ("P-256", "brainpoolP256r1", "secp256k1"). */
  curve?: string;
  /** One line: "RSA-PSS 2048 bits", "EC brainpoolP256r1 (256 bits)". */
  summary: string;
  /** Facts about this kind of key a student should know (what it can sign, restrictions it carries). */
  notes: string[];
}

/** Field sizes of the EC curves OpenSSL knows by name (those whose name does not carry it). */
const CURVE_BITS: Record<string, number> = { prime256v1: 256, prime192v1: 192, prime239v1: 239 };

/**
 * Type, size and curve of any public (or private) key, for showing it: unlike describeKey, which
 * only accepts what the workbench can use, this describes RSA-PSS, DSA, Ed448, X25519, brainpool
 * curves and the rest as they are.
 */
export function describeAnyKey(key: KeyObject): PublicKeyDisplay {
  // Node's KeyType leaves out 'dh', which asymmetricKeyType can still be.
  const type: string = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
    case 'ed25519': {
      const known = describeKey(key);
      return { type: known.type, bits: known.bits, curve: known.curve, summary: known.summary, notes: [] };
    }
    case 'ec': {
      const named = details.namedCurve ?? 'unknown curve';
      const curve = NODE_CURVES[named] ?? named;
      const bits = curve === 'P-256' ? 256 : curve === 'P-384' ? 384 : curve === 'P-521' ? 521 : (CURVE_BITS[named] ?? Number(/(\d{3})/.exec(named)?.[1] ?? 0));
      const notes = NODE_CURVES[named]
        ? []
        : [
            `${curve} is not one of the NIST curves (P-256, P-384, P-521) that browsers and most TLS clients accept for certificates.` +
              (named.startsWith('brainpool') ? ' TLS 1.3 names its signatures ecdsa_brainpoolP…r1tls13 (RFC 8734); few clients offer them.' : ''),
          ];
      return { type: 'EC', bits, curve, summary: `EC ${curve}${bits ? ` (${bits} bits)` : ''}`, notes };
    }
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      const notes = [
        'An RSA key marked for RSA-PSS signatures only (id-RSASSA-PSS): it cannot sign with PKCS#1 v1.5. In a handshake it ' +
          'signs with the rsa_pss_pss_* schemes, so a client that offers only rsa_pss_rsae_* or PKCS#1 ones cannot use it.',
      ];
      if (details.hashAlgorithm) {
        notes.push(
          `Restricted to ${details.hashAlgorithm.toUpperCase()} with MGF1-${(details.mgf1HashAlgorithm ?? details.hashAlgorithm).toUpperCase()}` +
            `${details.saltLength !== undefined ? ` and a salt of at least ${details.saltLength} bytes` : ''}.`,
        );
      } else {
        notes.push('No PSS parameter restrictions: the key may sign with any hash and salt length.');
      }
      return { type: 'RSA-PSS', bits, summary: `RSA-PSS ${bits} bits`, notes };
    }
    case 'dsa': {
      const bits = details.modulusLength ?? 0;
      const q = details.divisorLength;
      return {
        type: 'DSA',
        bits,
        summary: `DSA ${bits} bits${q ? ` (q: ${q} bits)` : ''}`,
        notes: ['DSA can only sign. TLS 1.3 dropped it; TLS 1.2 uses it only in the DHE-DSS cipher suites, which browsers no longer offer.'],
      };
    }
    case 'ed448':
      return { type: 'Ed448', bits: 456, summary: 'Ed448 (456 bits)', notes: ['EdDSA on Curve448 (RFC 8032): TLS 1.3 signs with it as the ed448 scheme.'] };
    case 'x25519':
    case 'x448': {
      const name = type === 'x25519' ? 'X25519' : 'X448';
      return {
        type: name,
        bits: type === 'x25519' ? 253 : 448,
        summary: `${name} (key agreement only)`,
        notes: [`An ${name} key can agree on secrets but cannot sign, so a certificate holding it cannot prove anything in a TLS handshake.`],
      };
    }
    case 'dh':
      return { type: 'DH', bits: 0, summary: 'DH (key agreement only)', notes: ['A Diffie-Hellman key agrees on secrets but cannot sign.'] };
    default:
      return { type: type.toUpperCase(), bits: 0, summary: type.toUpperCase(), notes: [] };
  }
}

function unsupportedKeyType(what: string): PkiError {
  return new PkiError(
    'UNSUPPORTED_KEY_TYPE',
    `This is ${what}, which the workbench cannot use for certificates. ` +
      `Supported keys are RSA, EC P-256/P-384/P-521 and Ed25519; make a new key (${KEY_SPEC_NAMES.join(', ')}).`,
  );
}

const KEY_LABELS = ['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];

/**
 * Reads a private key from PEM (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, legacy encrypted PEM)
 * or DER (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1). A passphrase is needed for encrypted keys.
 * Only the kinds the workshop makes certificates with are accepted, unless `anyKind` (a server or
 * client that just presents a certificate from files: RSA-PSS, Ed448, DSA, brainpool, ...).
 */
export function importPrivateKey(
  input: string | Uint8Array,
  passphrase?: string,
  { anyKind = false, source }: { anyKind?: boolean; source?: string } = {},
): KeyObject {
  const key = looksLikePem(input) || typeof input === 'string' ? importPemKey(input, passphrase, source) : importDerKey(input, passphrase, source);
  if (!anyKind) describeKey(key);
  return key;
}

function importPemKey(input: string | Uint8Array, passphrase: string | undefined, source?: string): KeyObject {
  const blocks = splitPem(input);
  const block = blocks.find((candidate) => KEY_LABELS.includes(candidate.label));
  if (!block) {
    if (blocks.some((candidate) => candidate.label === 'DSA PRIVATE KEY')) throw unsupportedKeyType('a DSA key');
    if (blocks.length > 0) {
      const labels = labelList(blocks);
      throw new PkiError(
        'NOT_A_KEY',
        `This file holds "${labels} but no private key. A private key file starts with ` +
          '"-----BEGIN PRIVATE KEY-----" (or RSA/EC/ENCRYPTED PRIVATE KEY); choose the key file that belongs with it.',
      );
    }
    throw new PkiError(
      'NOT_PEM',
      'This is not a private key: there is no "-----BEGIN PRIVATE KEY-----" (or RSA/EC/ENCRYPTED PRIVATE KEY) line in it. ' +
        'Choose the key file (often .key or key.pem).',
    );
  }
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/.test(block.headers['Proc-Type'] ?? '');
  if (block.label === 'ENCRYPTED PRIVATE KEY' && passphrase) checkEncryptedKeyIterations(block.der, capitalisedKey(source));
  return decodeKey(source, encrypted, passphrase, () =>
    createPrivateKey({ key: block.text, format: 'pem', passphrase: encrypted ? passphrase : undefined }),
  );
}

function importDerKey(der: Uint8Array, passphrase: string | undefined, source?: string): KeyObject {
  const buffer = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const encrypted = isEncryptedPkcs8(der);
  if (encrypted) {
    if (passphrase) checkEncryptedKeyIterations(der, capitalisedKey(source));
    return decodeKey(source, true, passphrase, () => createPrivateKey({ key: buffer, format: 'der', type: 'pkcs8', passphrase }));
  }
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: buffer, format: 'der', type });
    } catch {
      // try the next container
    }
  }
  throw new PkiError(
    'NOT_A_KEY',
    'These bytes are not a private key in any format the workbench reads (PKCS#8, PKCS#1, SEC1, as PEM or DER). ' +
      'If it is a .p12/.pfx file, import it as PKCS#12 with its password.',
  );
}

/** EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { OID ... }, OCTET STRING }, unlike PrivateKeyInfo which starts with INTEGER. */
function isEncryptedPkcs8(der: Uint8Array): boolean {
  if (der[0] !== 0x30) return false;
  let pos = 1;
  const first = der[pos++];
  if (first & 0x80) pos += first & 0x7f;
  return der[pos] === 0x30;
}

function capitalisedKey(source: string | undefined): string {
  return source ? `The private key in ${source}` : 'This private key';
}

/** `source` names where the key came from ("bank.key"), when the message should say which file. */
function decodeKey(source: string | undefined, encrypted: boolean, passphrase: string | undefined, decode: () => KeyObject): KeyObject {
  const theKey = source ? `the private key in ${source}` : 'this private key';
  if (encrypted && (passphrase === undefined || passphrase === '')) {
    throw new PkiError(
      'PASSPHRASE_REQUIRED',
      `${theKey[0].toUpperCase()}${theKey.slice(1)} is encrypted with a passphrase. Give the passphrase it was saved with to open it.`,
    );
  }
  try {
    return decode();
  } catch (error) {
    if (encrypted) {
      throw new PkiError(
        'WRONG_PASSPHRASE',
        `The passphrase does not open ${theKey}: decrypting it gave garbage (OpenSSL says "bad decrypt"). ` +
          'Check the passphrase (it is case-sensitive) and that this is the right key file.',
        { cause: error },
      );
    }
    throw new PkiError(
      'NOT_A_KEY',
      `The private key could not be read${libraryReason(error) ? ` (${libraryReason(error)})` : ''}: it is damaged, or of a kind OpenSSL does not know. Copy the key file again.`,
      { cause: error },
    );
  }
}

/** PKCS#8 PEM; with a passphrase, encrypted as "ENCRYPTED PRIVATE KEY" with AES-256-CBC (PBES2). */
export function exportPrivateKeyPem(key: KeyObject, passphrase?: string): string {
  if (passphrase === undefined) return key.export({ type: 'pkcs8', format: 'pem' }) as string;
  if (passphrase === '') {
    throw new PkiError('BAD_OPTION', 'An empty passphrase protects nothing. Give a passphrase, or export without one.');
  }
  return key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
}

/** PKCS#8 DER (unencrypted). */
export function exportPrivateKeyDer(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
}

/** SubjectPublicKeyInfo DER of a private or public key. */
export function publicKeyDer(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

/** True when the certificate (PEM or DER) carries the public half of this private key. */
export function keyMatchesCertificate(key: KeyObject, certificate: string | Uint8Array): boolean {
  const der = readDerOrPem(certificate, ['CERTIFICATE'], 'certificate');
  const certKey = new X509Certificate(der).publicKey;
  return Buffer.from(publicKeyDer(certKey)).equals(Buffer.from(publicKeyDer(key)));
}

/** Throws KEY_MISMATCH with both keys described when the key does not belong to the certificate. */
export function assertKeyMatchesCertificate(key: KeyObject, certificate: string | Uint8Array): void {
  if (keyMatchesCertificate(key, certificate)) return;
  const der = readDerOrPem(certificate, ['CERTIFICATE'], 'certificate');
  const cert = new X509Certificate(der);
  throw new PkiError(
    'KEY_MISMATCH',
    `The key does not match the certificate: the certificate for "${cert.subject.replace(/\n/g, ', ')}" ` +
      `holds a ${describeKeySafely(cert.publicKey)} public key that is not the public half of this ` +
      `${describeKeySafely(key)} private key. Pick the key file made together with this certificate.`,
  );
}

function describeKeySafely(key: KeyObject): string {
  try {
    return describeKey(key).summary;
  } catch {
    return key.asymmetricKeyType ?? 'unknown';
  }
}

// --- WebCrypto view of a key, for @peculiar/x509 -------------------------------------------

export type SigningAlgorithm = webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams | webcrypto.Algorithm;

export interface WebCryptoKeys {
  privateKey: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
  /** The signature algorithm certificates signed by this key use. */
  signingAlgorithm: SigningAlgorithm;
}

const webCryptoCache = new WeakMap<KeyObject, Promise<WebCryptoKeys>>();

/** The same key as WebCrypto keys (cached per KeyObject): RSA PKCS#1 v1.5, ECDSA, Ed25519. */
export function toWebCryptoKeys(privateKey: KeyObject): Promise<WebCryptoKeys> {
  let cached = webCryptoCache.get(privateKey);
  if (!cached) {
    cached = importWebCryptoKeys(privateKey);
    webCryptoCache.set(privateKey, cached);
    cached.catch(() => webCryptoCache.delete(privateKey));
  }
  return cached;
}

async function importWebCryptoKeys(privateKey: KeyObject): Promise<WebCryptoKeys> {
  const description = describeKey(privateKey);
  let importAlgorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm;
  let signingAlgorithm: SigningAlgorithm;
  if (description.type === 'RSA') {
    importAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    signingAlgorithm = importAlgorithm;
  } else if (description.type === 'EC') {
    const curve = description.curve ?? 'P-256';
    const hash = curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512';
    importAlgorithm = { name: 'ECDSA', namedCurve: curve } as webcrypto.EcKeyImportParams;
    signingAlgorithm = { name: 'ECDSA', hash } as webcrypto.EcdsaParams;
  } else {
    importAlgorithm = { name: 'Ed25519' };
    signingAlgorithm = importAlgorithm;
  }
  const subtle = webcrypto.subtle;
  const [privateCryptoKey, publicCryptoKey] = await Promise.all([
    subtle.importKey('pkcs8', exportPrivateKeyDer(privateKey), importAlgorithm, false, ['sign']),
    subtle.importKey('spki', publicKeyDer(privateKey), importAlgorithm, true, ['verify']),
  ]);
  return { privateKey: privateCryptoKey, publicKey: publicCryptoKey, signingAlgorithm };
}
