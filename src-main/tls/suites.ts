// What each cipher suite asks of the record layer and the key schedule: the bulk cipher and its
// mode, key/IV/MAC lengths and the hash of the PRF or HKDF. Only suites that Node's OpenSSL
// negotiates are listed; anything else is reported as "not supported" by name, never guessed.

import { cipherSuiteName } from './registry';

export type HashName = 'md5' | 'sha1' | 'sha256' | 'sha384';

export const HASH_LENGTH: Record<HashName, number> = { md5: 16, sha1: 20, sha256: 32, sha384: 48 };

/** How a record is protected. */
export type RecordProtection =
  /** AEAD with a 4-byte implicit salt and an 8-byte explicit nonce (RFC 5288). */
  | 'aead-explicit-nonce'
  /** AEAD with a 12-byte IV XORed with the sequence number (RFC 7905, RFC 8446 Section 5.3). */
  | 'aead-xor-nonce'
  /** CBC with an explicit per-record IV and an HMAC (RFC 5246, Section 6.2.3.2). */
  | 'cbc'
  /** No encryption: the content and its HMAC, in the clear (RFC 5246, Section 6.2.3.1, the NULL stream cipher). */
  | 'null';

export interface SuiteParameters {
  code: number;
  name: string;
  /** 'tls12' suites carry the key exchange in their name; 'tls13' suites do not. */
  family: 'tls12' | 'tls13';
  /** The *_psk kinds mix a pre-shared key into the pre-master secret (RFC 4279, RFC 5489). */
  keyExchange: 'ecdhe' | 'rsa' | 'dhe' | 'tls13' | 'psk' | 'dhe_psk' | 'ecdhe_psk' | 'rsa_psk';
  /** Node crypto's cipher name: aes-128-gcm, aes-256-cbc, chacha20-poly1305, aes-128-ccm. */
  cipher: string;
  protection: RecordProtection;
  keyLength: number;
  /** The write IV taken from the key block (TLS 1.2) or expanded from the secret (TLS 1.3). */
  fixedIvLength: number;
  /** Bytes of nonce (AEAD) or IV (CBC) carried in each record. */
  recordIvLength: number;
  /** AEAD tag length; 0 for CBC. */
  tagLength: number;
  /** HMAC hash and key length for CBC suites. */
  macHash?: HashName;
  macKeyLength: number;
  /** Hash of the TLS 1.2 PRF or of TLS 1.3's HKDF and transcript. */
  prfHash: HashName;
}

type Row = [code: number, kx: SuiteParameters['keyExchange'], cipher: string, prfHash: HashName, macHash?: HashName];

// TLS 1.2 suites: RFC 5246 Appendix C, RFC 5288 (GCM), RFC 5289 (ECDHE with SHA-256/384), RFC 7905.
const TLS12: Row[] = [
  // ECDHE with AES-GCM
  [0xc02b, 'ecdhe', 'aes-128-gcm', 'sha256'],
  [0xc02c, 'ecdhe', 'aes-256-gcm', 'sha384'],
  [0xc02f, 'ecdhe', 'aes-128-gcm', 'sha256'],
  [0xc030, 'ecdhe', 'aes-256-gcm', 'sha384'],
  // ECDHE with AES-CBC
  [0xc009, 'ecdhe', 'aes-128-cbc', 'sha256', 'sha1'],
  [0xc00a, 'ecdhe', 'aes-256-cbc', 'sha256', 'sha1'],
  [0xc013, 'ecdhe', 'aes-128-cbc', 'sha256', 'sha1'],
  [0xc014, 'ecdhe', 'aes-256-cbc', 'sha256', 'sha1'],
  [0xc023, 'ecdhe', 'aes-128-cbc', 'sha256', 'sha256'],
  [0xc024, 'ecdhe', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc027, 'ecdhe', 'aes-128-cbc', 'sha256', 'sha256'],
  [0xc028, 'ecdhe', 'aes-256-cbc', 'sha384', 'sha384'],
  // ChaCha20-Poly1305 (RFC 7905)
  [0xcca8, 'ecdhe', 'chacha20-poly1305', 'sha256'],
  [0xcca9, 'ecdhe', 'chacha20-poly1305', 'sha256'],
  [0xccaa, 'dhe', 'chacha20-poly1305', 'sha256'],
  // DHE
  [0x009e, 'dhe', 'aes-128-gcm', 'sha256'],
  [0x009f, 'dhe', 'aes-256-gcm', 'sha384'],
  [0x0033, 'dhe', 'aes-128-cbc', 'sha256', 'sha1'],
  [0x0039, 'dhe', 'aes-256-cbc', 'sha256', 'sha1'],
  [0x0067, 'dhe', 'aes-128-cbc', 'sha256', 'sha256'],
  [0x006b, 'dhe', 'aes-256-cbc', 'sha256', 'sha256'],
  // RSA key transport
  [0x009c, 'rsa', 'aes-128-gcm', 'sha256'],
  [0x009d, 'rsa', 'aes-256-gcm', 'sha384'],
  [0x002f, 'rsa', 'aes-128-cbc', 'sha256', 'sha1'],
  [0x0035, 'rsa', 'aes-256-cbc', 'sha256', 'sha1'],
  [0x003c, 'rsa', 'aes-128-cbc', 'sha256', 'sha256'],
  [0x003d, 'rsa', 'aes-256-cbc', 'sha256', 'sha256'],
  // DHE with a DSA certificate: the records are protected as DHE-RSA's are
  [0x00a2, 'dhe', 'aes-128-gcm', 'sha256'],
  [0x00a3, 'dhe', 'aes-256-gcm', 'sha384'],
  [0x0032, 'dhe', 'aes-128-cbc', 'sha256', 'sha1'],
  [0x0038, 'dhe', 'aes-256-cbc', 'sha256', 'sha1'],
  [0x0040, 'dhe', 'aes-128-cbc', 'sha256', 'sha256'],
  [0x006a, 'dhe', 'aes-256-cbc', 'sha256', 'sha256'],
  // Anonymous (EC)DH: no certificate at all, the lesson in why a key exchange needs authenticating
  [0x00a6, 'dhe', 'aes-128-gcm', 'sha256'],
  [0x00a7, 'dhe', 'aes-256-gcm', 'sha384'],
  [0x0034, 'dhe', 'aes-128-cbc', 'sha256', 'sha1'],
  [0x003a, 'dhe', 'aes-256-cbc', 'sha256', 'sha1'],
  [0x006c, 'dhe', 'aes-128-cbc', 'sha256', 'sha256'],
  [0x006d, 'dhe', 'aes-256-cbc', 'sha256', 'sha256'],
  [0xc018, 'ecdhe', 'aes-128-cbc', 'sha256', 'sha1'],
  [0xc019, 'ecdhe', 'aes-256-cbc', 'sha256', 'sha1'],
  // Camellia-CBC (RFC 5932) and ARIA-GCM (RFC 6209): built as AES-CBC and AES-GCM suites are
  [0x0041, 'rsa', 'camellia-128-cbc', 'sha256', 'sha1'],
  [0x0084, 'rsa', 'camellia-256-cbc', 'sha256', 'sha1'],
  [0x00ba, 'rsa', 'camellia-128-cbc', 'sha256', 'sha256'],
  [0x00c0, 'rsa', 'camellia-256-cbc', 'sha256', 'sha256'],
  [0x0045, 'dhe', 'camellia-128-cbc', 'sha256', 'sha1'],
  [0x0088, 'dhe', 'camellia-256-cbc', 'sha256', 'sha1'],
  [0x00be, 'dhe', 'camellia-128-cbc', 'sha256', 'sha256'],
  [0x00c4, 'dhe', 'camellia-256-cbc', 'sha256', 'sha256'],
  [0xc072, 'ecdhe', 'camellia-128-cbc', 'sha256', 'sha256'],
  [0xc073, 'ecdhe', 'camellia-256-cbc', 'sha384', 'sha384'],
  [0xc076, 'ecdhe', 'camellia-128-cbc', 'sha256', 'sha256'],
  [0xc077, 'ecdhe', 'camellia-256-cbc', 'sha384', 'sha384'],
  [0xc050, 'rsa', 'aria-128-gcm', 'sha256'],
  [0xc051, 'rsa', 'aria-256-gcm', 'sha384'],
  [0xc052, 'dhe', 'aria-128-gcm', 'sha256'],
  [0xc053, 'dhe', 'aria-256-gcm', 'sha384'],
  [0xc05c, 'ecdhe', 'aria-128-gcm', 'sha256'],
  [0xc05d, 'ecdhe', 'aria-256-gcm', 'sha384'],
  [0xc060, 'ecdhe', 'aria-128-gcm', 'sha256'],
  [0xc061, 'ecdhe', 'aria-256-gcm', 'sha384'],
  [0xc056, 'dhe', 'aria-128-gcm', 'sha256'],
  [0xc057, 'dhe', 'aria-256-gcm', 'sha384'],
  // NULL encryption: authenticated (an HMAC), not encrypted; the lesson in what a cipher is for
  [0x0002, 'rsa', 'null', 'sha256', 'sha1'],
  [0x003b, 'rsa', 'null', 'sha256', 'sha256'],
  [0xc006, 'ecdhe', 'null', 'sha256', 'sha1'],
  [0xc010, 'ecdhe', 'null', 'sha256', 'sha1'],
  [0xc015, 'ecdhe', 'null', 'sha256', 'sha1'],
  // AES-CCM (RFC 6655, RFC 7251): a 4-byte salt and an 8-byte explicit nonce, as GCM's
  [0xc09c, 'rsa', 'aes-128-ccm', 'sha256'],
  [0xc09d, 'rsa', 'aes-256-ccm', 'sha256'],
  [0xc09e, 'dhe', 'aes-128-ccm', 'sha256'],
  [0xc09f, 'dhe', 'aes-256-ccm', 'sha256'],
  [0xc0a0, 'rsa', 'aes-128-ccm-8', 'sha256'],
  [0xc0a1, 'rsa', 'aes-256-ccm-8', 'sha256'],
  [0xc0a2, 'dhe', 'aes-128-ccm-8', 'sha256'],
  [0xc0a3, 'dhe', 'aes-256-ccm-8', 'sha256'],
  [0xc0ac, 'ecdhe', 'aes-128-ccm', 'sha256'],
  [0xc0ad, 'ecdhe', 'aes-256-ccm', 'sha256'],
  [0xc0ae, 'ecdhe', 'aes-128-ccm-8', 'sha256'],
  [0xc0af, 'ecdhe', 'aes-256-ccm-8', 'sha256'],
  // Pre-shared keys (RFC 4279, RFC 5487, RFC 5489, RFC 6655, RFC 6209, RFC 6367, RFC 7905): the PSK
  // only enters the pre-master secret; with the master secret from the key log the records open
  // as any other suite's with the same cipher do.
  [0x008c, 'psk', 'aes-128-cbc', 'sha256', 'sha1'],
  [0x008d, 'psk', 'aes-256-cbc', 'sha256', 'sha1'],
  [0x0090, 'dhe_psk', 'aes-128-cbc', 'sha256', 'sha1'],
  [0x0091, 'dhe_psk', 'aes-256-cbc', 'sha256', 'sha1'],
  [0x0094, 'rsa_psk', 'aes-128-cbc', 'sha256', 'sha1'],
  [0x0095, 'rsa_psk', 'aes-256-cbc', 'sha256', 'sha1'],
  [0x00a8, 'psk', 'aes-128-gcm', 'sha256'],
  [0x00a9, 'psk', 'aes-256-gcm', 'sha384'],
  [0x00aa, 'dhe_psk', 'aes-128-gcm', 'sha256'],
  [0x00ab, 'dhe_psk', 'aes-256-gcm', 'sha384'],
  [0x00ac, 'rsa_psk', 'aes-128-gcm', 'sha256'],
  [0x00ad, 'rsa_psk', 'aes-256-gcm', 'sha384'],
  [0x00ae, 'psk', 'aes-128-cbc', 'sha256', 'sha256'],
  [0x00af, 'psk', 'aes-256-cbc', 'sha384', 'sha384'],
  [0x00b2, 'dhe_psk', 'aes-128-cbc', 'sha256', 'sha256'],
  [0x00b3, 'dhe_psk', 'aes-256-cbc', 'sha384', 'sha384'],
  [0x00b6, 'rsa_psk', 'aes-128-cbc', 'sha256', 'sha256'],
  [0x00b7, 'rsa_psk', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc035, 'ecdhe_psk', 'aes-128-cbc', 'sha256', 'sha1'],
  [0xc036, 'ecdhe_psk', 'aes-256-cbc', 'sha256', 'sha1'],
  [0xc037, 'ecdhe_psk', 'aes-128-cbc', 'sha256', 'sha256'],
  [0xc038, 'ecdhe_psk', 'aes-256-cbc', 'sha384', 'sha384'],
  [0xc06a, 'psk', 'aria-128-gcm', 'sha256'],
  [0xc06b, 'psk', 'aria-256-gcm', 'sha384'],
  [0xc06c, 'dhe_psk', 'aria-128-gcm', 'sha256'],
  [0xc06d, 'dhe_psk', 'aria-256-gcm', 'sha384'],
  [0xc06e, 'rsa_psk', 'aria-128-gcm', 'sha256'],
  [0xc06f, 'rsa_psk', 'aria-256-gcm', 'sha384'],
  [0xc094, 'psk', 'camellia-128-cbc', 'sha256', 'sha256'],
  [0xc095, 'psk', 'camellia-256-cbc', 'sha384', 'sha384'],
  [0xc096, 'dhe_psk', 'camellia-128-cbc', 'sha256', 'sha256'],
  [0xc097, 'dhe_psk', 'camellia-256-cbc', 'sha384', 'sha384'],
  [0xc098, 'rsa_psk', 'camellia-128-cbc', 'sha256', 'sha256'],
  [0xc099, 'rsa_psk', 'camellia-256-cbc', 'sha384', 'sha384'],
  [0xc09a, 'ecdhe_psk', 'camellia-128-cbc', 'sha256', 'sha256'],
  [0xc09b, 'ecdhe_psk', 'camellia-256-cbc', 'sha384', 'sha384'],
  [0xc0a4, 'psk', 'aes-128-ccm', 'sha256'],
  [0xc0a5, 'psk', 'aes-256-ccm', 'sha256'],
  [0xc0a6, 'dhe_psk', 'aes-128-ccm', 'sha256'],
  [0xc0a7, 'dhe_psk', 'aes-256-ccm', 'sha256'],
  [0xc0a8, 'psk', 'aes-128-ccm-8', 'sha256'],
  [0xc0a9, 'psk', 'aes-256-ccm-8', 'sha256'],
  [0xc0aa, 'dhe_psk', 'aes-128-ccm-8', 'sha256'],
  [0xc0ab, 'dhe_psk', 'aes-256-ccm-8', 'sha256'],
  [0xccab, 'psk', 'chacha20-poly1305', 'sha256'],
  [0xccac, 'ecdhe_psk', 'chacha20-poly1305', 'sha256'],
  [0xccad, 'dhe_psk', 'chacha20-poly1305', 'sha256'],
  [0xccae, 'rsa_psk', 'chacha20-poly1305', 'sha256'],
  [0x002c, 'psk', 'null', 'sha256', 'sha1'],
  [0x002d, 'dhe_psk', 'null', 'sha256', 'sha1'],
  [0x002e, 'rsa_psk', 'null', 'sha256', 'sha1'],
  [0x00b0, 'psk', 'null', 'sha256', 'sha256'],
  [0x00b1, 'psk', 'null', 'sha384', 'sha384'],
  [0x00b4, 'dhe_psk', 'null', 'sha256', 'sha256'],
  [0x00b5, 'dhe_psk', 'null', 'sha384', 'sha384'],
  [0x00b8, 'rsa_psk', 'null', 'sha256', 'sha256'],
  [0x00b9, 'rsa_psk', 'null', 'sha384', 'sha384'],
  [0xc039, 'ecdhe_psk', 'null', 'sha256', 'sha1'],
  [0xc03a, 'ecdhe_psk', 'null', 'sha256', 'sha256'],
  [0xc03b, 'ecdhe_psk', 'null', 'sha384', 'sha384'],
];

// TLS 1.3 suites: RFC 8446, Appendix B.4.
const TLS13: Row[] = [
  [0x1301, 'tls13', 'aes-128-gcm', 'sha256'],
  [0x1302, 'tls13', 'aes-256-gcm', 'sha384'],
  [0x1303, 'tls13', 'chacha20-poly1305', 'sha256'],
  [0x1304, 'tls13', 'aes-128-ccm', 'sha256'],
  [0x1305, 'tls13', 'aes-128-ccm-8', 'sha256'],
];

function keyLengthOf(cipher: string): number {
  return cipher.includes('-128-') ? 16 : 32;
}

function build(row: Row, family: 'tls12' | 'tls13'): SuiteParameters {
  const [code, keyExchange, cipher, prfHash, macHash] = row;
  const cbc = cipher.endsWith('-cbc');
  const none = cipher === 'null';
  const chacha = cipher === 'chacha20-poly1305';
  const suite: SuiteParameters = {
    code,
    name: cipherSuiteName(code),
    family,
    keyExchange,
    cipher,
    protection: none ? 'null' : cbc ? 'cbc' : family === 'tls13' || chacha ? 'aead-xor-nonce' : 'aead-explicit-nonce',
    keyLength: none ? 0 : keyLengthOf(cipher),
    fixedIvLength: none ? 0 : cbc ? 16 : family === 'tls13' || chacha ? 12 : 4,
    recordIvLength: none ? 0 : cbc ? 16 : family === 'tls13' || chacha ? 0 : 8,
    tagLength: cbc || none ? 0 : cipher.endsWith('-ccm-8') ? 8 : 16,
    macKeyLength: macHash ? HASH_LENGTH[macHash] : 0,
    prfHash,
  };
  if (macHash) suite.macHash = macHash;
  return suite;
}

const SUITES = new Map<number, SuiteParameters>([
  ...TLS12.map((row) => [row[0], build(row, 'tls12')] as const),
  ...TLS13.map((row) => [row[0], build(row, 'tls13')] as const),
]);

/** The suite's record and key parameters, or undefined when the workbench cannot decrypt it. */
export function suiteParameters(code: number): SuiteParameters | undefined {
  return SUITES.get(code);
}

/** Every suite the workbench decrypts. */
export function supportedSuites(): SuiteParameters[] {
  return [...SUITES.values()];
}

/** Node crypto's name for the bulk cipher ('aes-128-ccm-8' is aes-128-ccm with an 8-byte tag). */
export function nodeCipherName(suite: SuiteParameters): string {
  return suite.cipher.endsWith('-ccm-8') ? suite.cipher.slice(0, -2) : suite.cipher;
}
