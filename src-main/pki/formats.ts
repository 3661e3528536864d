// Files in and out: PKCS#12 written and read here (RFC 7292) with der.ts and Node's crypto, and
// "anything a student may bring" sorted into certificates, keys and CSRs.
//
// node-forge is not used for PKCS#12: it reads and writes RSA keys only (no EC, no Ed25519 in
// bags). Its RC2 is used for one thing Node (OpenSSL 3 without the legacy provider) cannot do:
// decrypting the RC2-40 certificate bags of `openssl pkcs12 -export -legacy` and old Windows files.
import { type KeyObject, createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';
import { plural } from '../api/words.js';
import { parseCertificateDer } from './certificateDer.js';
import { describeCertificate } from './certificateInfo.js';
import { parseCsr } from './csr.js';
import { type Asn1Node, UNIVERSAL_TYPE_NAMES, concatBytes, decodeOid, encodeTlv, parseDer } from './der.js';
import { PkiError, isPkiError, libraryReason } from './errors.js';
import { MAX_FILE_PASSWORD_ITERATIONS, checkEncryptedKeyIterations, checkedIterations } from './iterations.js';
import { assertKeyMatchesCertificate, describeKey, importPrivateKey, publicKeyDer } from './keys.js';
import { encodeOid } from './names.js';
import { type PemBlock, labelList, looksLikePem, shortLabel, splitPem } from './pem.js';

export interface Pkcs12Options {
  certificate: Uint8Array;
  privateKey?: KeyObject;
  chain?: Uint8Array[];
  password: string;
  friendlyName?: string;
  /** A name for each certificate of `chain`, as `openssl pkcs12 -export -caname` gives them, so the CAs keep their names too. */
  chainFriendlyNames?: Array<string | undefined>;
  /** 3DES/RC2 + SHA-1 MAC for old tools; default modern AES-256-CBC + PBKDF2 + SHA-256 MAC */
  legacy?: boolean;
}

export interface ImportedItems {
  certificates: { der: Uint8Array; friendlyName?: string }[];
  privateKeys: KeyObject[];
  csrs: Uint8Array[];
  /** which key belongs to which certificate (by public key) */
  pairs: { certificateIndex: number; keyIndex: number }[];
  /** what was in the input, e.g. "PKCS#12 (AES-256-CBC, PBKDF2)" or "PEM: 3 certificates, 1 encrypted key" */
  description: string;
}

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  pbeSha1TripleDes: '1.2.840.113549.1.12.1.3',
} as const;

const HASHES: Record<string, { name: string; label: string }> = {
  '1.3.14.3.2.26': { name: 'sha1', label: 'SHA-1' },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224', label: 'SHA-224' },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', label: 'SHA-256' },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', label: 'SHA-384' },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', label: 'SHA-512' },
};

const HMAC_PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

/** PBES2 encryption schemes (RFC 8018, Appendix B.2). */
const PBES2_CIPHERS: Record<string, { cipher: string; keyLength: number; label: string }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyLength: 16, label: 'AES-128-CBC' },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyLength: 24, label: 'AES-192-CBC' },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyLength: 32, label: 'AES-256-CBC' },
  '1.2.840.113549.3.7': { cipher: 'des-ede3-cbc', keyLength: 24, label: '3DES' },
  // What `openssl pkcs12 -export -certpbe/-keypbe` also offers and Node's OpenSSL decrypts.
  '1.2.392.200011.61.1.1.1.2': { cipher: 'camellia-128-cbc', keyLength: 16, label: 'Camellia-128-CBC' },
  '1.2.392.200011.61.1.1.1.3': { cipher: 'camellia-192-cbc', keyLength: 24, label: 'Camellia-192-CBC' },
  '1.2.392.200011.61.1.1.1.4': { cipher: 'camellia-256-cbc', keyLength: 32, label: 'Camellia-256-CBC' },
  '1.2.410.200046.1.1.2': { cipher: 'aria-128-cbc', keyLength: 16, label: 'ARIA-128-CBC' },
  '1.2.410.200046.1.1.7': { cipher: 'aria-192-cbc', keyLength: 24, label: 'ARIA-192-CBC' },
  '1.2.410.200046.1.1.12': { cipher: 'aria-256-cbc', keyLength: 32, label: 'ARIA-256-CBC' },
  '1.2.156.10197.1.104.2': { cipher: 'sm4-cbc', keyLength: 16, label: 'SM4-CBC' },
};

/** Schemes the workbench does not decrypt, by name, for the error that says so. */
const UNREAD_SCHEMES: Record<string, string> = {
  '1.2.840.113549.1.12.1.1': 'RC4-128 (pbeWithSHAAnd128BitRC4)',
  '1.2.840.113549.1.12.1.2': 'RC4-40 (pbeWithSHAAnd40BitRC4)',
  '1.2.840.113549.1.5.3': 'DES (pbeWithMD5AndDES-CBC)',
  '1.2.840.113549.1.5.10': 'DES (pbeWithSHA1AndDES-CBC)',
  '1.3.14.3.2.7': 'single DES',
  '1.3.6.1.4.1.11591.4.11': 'scrypt',
};

/** PKCS#12 password-based encryption (RFC 7292, Appendix C), keys from the PKCS#12 KDF with SHA-1. */
const PKCS12_PBE: Record<string, { cipher: string; keyLength: number; ivLength: number; label: string; rc2Bits?: number }> = {
  '1.2.840.113549.1.12.1.3': { cipher: 'des-ede3-cbc', keyLength: 24, ivLength: 8, label: '3DES' },
  '1.2.840.113549.1.12.1.4': { cipher: 'des-ede-cbc', keyLength: 16, ivLength: 8, label: '2-key 3DES' },
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2-cbc', keyLength: 16, ivLength: 8, label: 'RC2-128', rc2Bits: 128 },
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2-cbc', keyLength: 5, ivLength: 8, label: 'RC2-40', rc2Bits: 40 },
};

const ITERATIONS = 2048;

// --- export ---------------------------------------------------------------------------------

/**
 * A PKCS#12 file as `openssl pkcs12 -export` (OpenSSL 3) makes it: the certificates in an
 * encrypted bag, the key in a shrouded key bag, both tied by localKeyID; modern encryption
 * is AES-256-CBC with PBKDF2-HMAC-SHA256 and a SHA-256 MAC. `legacy` uses 3DES for both bags
 * and a SHA-1 MAC, which Windows 7, Java 8 and macOS's older keychain read (OpenSSL's -legacy
 * would use RC2-40 for the certificates, which OpenSSL 3 itself only reads with its legacy provider).
 */
export function exportPkcs12(options: Pkcs12Options): Uint8Array {
  const { password } = options;
  if (password === '') {
    throw new PkiError('BAD_OPTION', 'A PKCS#12 file needs a password: tools disagree on what an empty one means. Give a password.');
  }
  parseCertificateDer(options.certificate);
  for (const der of options.chain ?? []) parseCertificateDer(der);
  const localKeyId = createHash('sha1').update(options.certificate).digest();
  const leafAttributes = [
    ...(options.friendlyName ? [attribute(OIDS.friendlyName, bmpString(options.friendlyName))] : []),
    ...(options.privateKey ? [attribute(OIDS.localKeyId, encodeTlv(0x04, localKeyId))] : []),
  ];
  const certificateBags = [
    safeBag(OIDS.certBag, certBag(options.certificate), leafAttributes),
    ...(options.chain ?? []).map((der, index) => {
      const name = options.chainFriendlyNames?.[index];
      return safeBag(OIDS.certBag, certBag(der), name ? [attribute(OIDS.friendlyName, bmpString(name))] : []);
    }),
  ];
  const encrypt = (plain: Uint8Array) => (options.legacy ? encryptPkcs12Pbe(plain, password) : encryptPbes2(plain, password));

  const contents: Uint8Array[] = [encryptedDataContentInfo(sequence(...certificateBags), encrypt)];
  if (options.privateKey) {
    describeKey(options.privateKey);
    assertKeyMatchesCertificate(options.privateKey, options.certificate);
    const pkcs8 = new Uint8Array(options.privateKey.export({ type: 'pkcs8', format: 'der' }));
    const encrypted = encrypt(pkcs8);
    const shrouded = sequence(encrypted.algorithm, encodeTlv(0x04, encrypted.data));
    contents.push(dataContentInfo(sequence(safeBag(OIDS.shroudedKeyBag, shrouded, leafAttributes))));
  }
  const authenticatedSafe = sequence(...contents);
  const macHash = options.legacy ? 'sha1' : 'sha256';
  const macSalt = randomBytes(8);
  const mac = pkcs12Mac(macHash, password, macSalt, ITERATIONS, authenticatedSafe, 'bmp');
  const macData = sequence(
    sequence(sequence(encodeOid(options.legacy ? OIDS.sha1 : OIDS.sha256), NULL), encodeTlv(0x04, mac)),
    encodeTlv(0x04, macSalt),
    integer(ITERATIONS),
  );
  return sequence(integer(3), dataContentInfo(authenticatedSafe), macData);
}

const NULL = Uint8Array.of(0x05, 0x00);

function sequence(...parts: Uint8Array[]): Uint8Array {
  return encodeTlv(0x30, concatBytes(parts));
}

function integer(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return encodeTlv(0x02, Uint8Array.from(bytes));
}

function bmpString(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    bytes[i * 2] = text.charCodeAt(i) >> 8;
    bytes[i * 2 + 1] = text.charCodeAt(i) & 0xff;
  }
  return encodeTlv(0x1e, bytes);
}

function attribute(oid: string, value: Uint8Array): Uint8Array {
  return sequence(encodeOid(oid), encodeTlv(0x31, value));
}

function safeBag(bagId: string, value: Uint8Array, attributes: Uint8Array[]): Uint8Array {
  return sequence(encodeOid(bagId), encodeTlv(0xa0, value), ...(attributes.length > 0 ? [encodeTlv(0x31, concatBytes(attributes))] : []));
}

function certBag(der: Uint8Array): Uint8Array {
  return sequence(encodeOid(OIDS.x509Certificate), encodeTlv(0xa0, encodeTlv(0x04, der)));
}

function dataContentInfo(content: Uint8Array): Uint8Array {
  return sequence(encodeOid(OIDS.data), encodeTlv(0xa0, encodeTlv(0x04, content)));
}

function encryptedDataContentInfo(plain: Uint8Array, encrypt: (plain: Uint8Array) => Encrypted): Uint8Array {
  const { algorithm, data } = encrypt(plain);
  const encryptedContentInfo = sequence(encodeOid(OIDS.data), algorithm, encodeTlv(0x80, data));
  return sequence(encodeOid(OIDS.encryptedData), encodeTlv(0xa0, sequence(integer(0), encryptedContentInfo)));
}

interface Encrypted {
  /** The AlgorithmIdentifier DER. */
  algorithm: Uint8Array;
  data: Uint8Array;
}

/** PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, as OpenSSL 3 writes it; the password as UTF-8 bytes. */
function encryptPbes2(plain: Uint8Array, password: string): Encrypted {
  const salt = randomBytes(8);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const data = concatBytes([cipher.update(plain), cipher.final()]);
  const kdf = sequence(encodeOid(OIDS.pbkdf2), sequence(encodeTlv(0x04, salt), integer(ITERATIONS), sequence(encodeOid(OIDS.hmacWithSha256), NULL)));
  const scheme = sequence(encodeOid(OIDS.aes256Cbc), encodeTlv(0x04, iv));
  return { algorithm: sequence(encodeOid(OIDS.pbes2), sequence(kdf, scheme)), data };
}

/** pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292, Appendix C). */
function encryptPkcs12Pbe(plain: Uint8Array, password: string): Encrypted {
  const salt = randomBytes(8);
  const bmp = passwordBytes(password, 'bmp');
  const key = pkcs12Kdf('sha1', bmp, salt, 1, ITERATIONS, 24);
  const iv = pkcs12Kdf('sha1', bmp, salt, 2, ITERATIONS, 8);
  const cipher = createCipheriv('des-ede3-cbc', key, iv);
  const data = concatBytes([cipher.update(plain), cipher.final()]);
  return { algorithm: sequence(encodeOid(OIDS.pbeSha1TripleDes), sequence(encodeTlv(0x04, salt), integer(ITERATIONS))), data };
}

/** How a password becomes bytes: BMPString with a 0x0000 terminator (PKCS#12 KDF), UTF-8 (PBKDF2), or nothing at all (OpenSSL's "no password"). */
type PasswordForm = 'bmp' | 'none';

function passwordBytes(password: string, form: PasswordForm): Uint8Array {
  if (form === 'none') return new Uint8Array();
  const out = new Uint8Array(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) {
    out[i * 2] = password.charCodeAt(i) >> 8;
    out[i * 2 + 1] = password.charCodeAt(i) & 0xff;
  }
  return out;
}

/** The PKCS#12 key derivation function (RFC 7292, Appendix B.2); id 1 = key, 2 = IV, 3 = MAC key. */
function pkcs12Kdf(hash: string, password: Uint8Array, salt: Uint8Array, id: 1 | 2 | 3, iterations: number, length: number): Uint8Array {
  const u = createHash(hash).digest().length;
  const v = hash === 'sha384' || hash === 'sha512' ? 128 : 64;
  const fill = (source: Uint8Array, size: number): Buffer => {
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i++) out[i] = source[i % source.length];
    return out;
  };
  const diversifier = Buffer.alloc(v, id);
  const saltPart = salt.length > 0 ? fill(salt, v * Math.ceil(salt.length / v)) : Buffer.alloc(0);
  const passwordPart = password.length > 0 ? fill(password, v * Math.ceil(password.length / v)) : Buffer.alloc(0);
  const input = Buffer.concat([saltPart, passwordPart]);
  const output: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let block = createHash(hash).update(diversifier).update(input).digest();
    for (let round = 1; round < iterations; round++) block = createHash(hash).update(block).digest();
    output.push(block);
    if (produced + u >= length) break;
    const b = fill(block, v);
    for (let offset = 0; offset < input.length; offset += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = input[offset + k] + b[k] + carry;
        input[offset + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return new Uint8Array(Buffer.concat(output).subarray(0, length));
}

function pkcs12Mac(hash: string, password: string, salt: Uint8Array, iterations: number, data: Uint8Array, form: PasswordForm): Uint8Array {
  const length = createHash(hash).digest().length;
  const key = pkcs12Kdf(hash, passwordBytes(password, form), salt, 3, iterations, length);
  return new Uint8Array(createHmac(hash, key).update(data).digest());
}

// --- import ---------------------------------------------------------------------------------

const NOT_PKI = 'this file is not a certificate, key, CSR or PKCS#12';

/** Anything a student may bring: PEM with many blocks (certs, CSRs, keys: PKCS#1, SEC1, PKCS#8,
 * encrypted PKCS#8, legacy "Proc-Type: 4,ENCRYPTED" PEM), DER certificate/CSR/key, PKCS#12. */
export function importPkiData(input: Uint8Array, options: { passphrase?: string; fileName?: string } = {}): ImportedItems {
  const name = options.fileName ? `"${options.fileName}"` : 'this file';
  if (input.length === 0) throw new PkiError('NOT_PEM', `${capitalise(name)} is empty: ${NOT_PKI}. Check that you chose the right file.`);
  try {
    const collected = looksLikePem(input) ? importPem(input, options.passphrase, name) : importDer(input, options.passphrase, name);
    readableByOpenssl(collected.certificates, name);
    return withPairs(collected);
  } catch (error) {
    throw asPkiError(error, name);
  }
}

/**
 * What `tlslab cert show` inspects in a file made by another tool: the bytes as they are for a
 * certificate or CSR, the certificate alone out of a TRUSTED CERTIFICATE (openssl x509 -trustout),
 * the first certificate of a PKCS#7 bundle (as `openssl pkcs7 -print_certs` lists it first); an
 * empty file or a PKCS#12 file is one error that says what it is and what to do.
 */
export function certificateToShow(input: Uint8Array, fileName?: string): Uint8Array {
  const name = fileName ? `"${fileName}"` : 'this file';
  if (input.length === 0) throw new PkiError('NOT_PEM', `${capitalise(name)} is empty: there is no certificate or CSR to show. Check that you chose the right file.`);
  try {
    if (looksLikePem(input)) {
      const blocks = splitPem(input);
      const first = blocks.find((block) => CERTIFICATE_LABELS.includes(block.label) || CSR_LABELS.includes(block.label));
      if (first?.label === 'TRUSTED CERTIFICATE') return firstElement(first.der).slice();
      if (first) return input;
      const pkcs7 = blocks.find((block) => block.label === 'PKCS7' || block.label === 'CMS');
      if (pkcs7) return firstPkcs7Certificate(parseDer(pkcs7.der, name), name) ?? input;
      return input;
    }
    if (input[0] !== 0x30) return input;
    const root = parseDer(input, name);
    const kind = classify(root);
    if (kind === 'pkcs7') return firstPkcs7Certificate(root, name) ?? input;
    if (kind === 'pkcs12') {
      throw new PkiError(
        'NOT_A_CERTIFICATE',
        `${capitalise(name)} is a PKCS#12 file (certificates and a key under a password), not one certificate: import it ` +
          `(tlslab import ${fileName ?? 'FILE'} --passphrase-file PASSFILE) and show it as lab:NAME, or take the certificate out with ` +
          `\`openssl pkcs12 -in ${fileName ?? 'FILE'} -clcerts -nokeys\`.`,
      );
    }
    return input;
  } catch (error) {
    if (isPkiError(error)) throw error;
    return input;
  }
}

function firstPkcs7Certificate(root: Asn1Node, name: string): Uint8Array | undefined {
  const certificates = pkcs7Certificates(withoutEndOfContents(root));
  if (certificates.length === 0) {
    throw new PkiError('NOT_A_CERTIFICATE', `${capitalise(name)} is a PKCS#7 bundle with no certificates in it: there is nothing to show.`);
  }
  return certificates[0];
}

interface Collected {
  certificates: { der: Uint8Array; friendlyName?: string }[];
  privateKeys: KeyObject[];
  csrs: Uint8Array[];
  description: string;
}

/**
 * Every certificate is stored, linked to its issuer and shown through OpenSSL: one that holds
 * together as ASN.1 but that OpenSSL cannot read (a field zeroed or cut in a PKCS#7 or PEM) is
 * refused here, with the file, rather than failing the store halfway.
 */
function readableByOpenssl(certificates: Collected['certificates'], name: string): void {
  certificates.forEach((certificate, index) => {
    try {
      describeCertificate(certificate.der);
    } catch (error) {
      const reason = libraryReason(error);
      const which = certificates.length === 1 ? 'The certificate' : `Certificate ${index + 1} of ${certificates.length}`;
      throw new PkiError(
        'BAD_DER',
        `${which} in ${name} cannot be read by OpenSSL${reason ? ` (${reason})` : ''}: it is damaged, or its key is of a kind OpenSSL does not know. ` +
          'Nothing was imported from the file; get an undamaged copy.',
        { cause: error },
      );
    }
  });
}

function withPairs(collected: Collected): ImportedItems {
  const keySpkis = collected.privateKeys.map((key) => Buffer.from(publicKeyDer(key)));
  const pairs: ImportedItems['pairs'] = [];
  collected.certificates.forEach((certificate, certificateIndex) => {
    const spki = certificateSpki(certificate.der);
    if (!spki) return;
    keySpkis.forEach((keySpki, keyIndex) => {
      if (keySpki.equals(spki)) pairs.push({ certificateIndex, keyIndex });
    });
  });
  return { ...collected, pairs };
}

/** The certificate's public key re-exported by Node, so that encodings compare equal. */
function certificateSpki(der: Uint8Array): Buffer | undefined {
  try {
    const spki = parseCertificateDer(der).subjectPublicKeyInfo.encoded;
    return Buffer.from(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' }));
  } catch {
    return undefined;
  }
}

// --- PEM ---

const CERTIFICATE_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'];
const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'];
const KEY_LABELS = ['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];
const IGNORED_LABELS: Record<string, string> = {
  'PUBLIC KEY': 'public key',
  'RSA PUBLIC KEY': 'public key',
  'X509 CRL': 'CRL',
  'EC PARAMETERS': 'EC parameters block',
  'DH PARAMETERS': 'DH parameters block',
};

/**
 * The friendlyName OpenSSL writes above a block it takes out of a PKCS#12 file (`openssl pkcs12
 * -in F.p12 -nodes`: "Bag Attributes / friendlyName: NAME / subject=... / issuer=..."), so that a
 * certificate converted that way keeps its name. Only the text between the previous block and
 * this one (1-based `beginLine`) is read.
 */
function bagFriendlyName(lines: string[], beginLine: number): string | undefined {
  for (let i = beginLine - 2; i >= 0; i--) {
    if (/-----(END|BEGIN) /.test(lines[i])) return undefined;
    const found = /^\s+friendlyName:\s*(.*?)\s*$/.exec(lines[i]);
    if (found) return found[1] !== '' && found[1] !== '<No Values>' ? found[1] : undefined;
  }
  return undefined;
}

function importPem(input: Uint8Array, passphrase: string | undefined, name: string): Collected {
  const blocks = splitPem(input);
  const lines = Buffer.from(input).toString('utf8').split(/\r?\n/);
  const out: Collected = { certificates: [], privateKeys: [], csrs: [], description: '' };
  let plainKeys = 0;
  let encryptedKeys = 0;
  let rounds = 0;
  const ignored: string[] = [];
  for (const block of blocks) {
    const where = `the "${block.label}" block on line ${block.line}`;
    if (CERTIFICATE_LABELS.includes(block.label)) {
      // A TRUSTED CERTIFICATE is the certificate followed by OpenSSL's trust settings and alias (-setalias).
      const der = block.label === 'TRUSTED CERTIFICATE' ? firstElement(block.der) : block.der;
      const alias = block.label === 'TRUSTED CERTIFICATE' ? trustedCertificateAlias(block.der.subarray(der.length)) : bagFriendlyName(lines, block.line);
      out.certificates.push({ der: within(where, () => (parseCertificateDer(der), der)), ...(alias ? { friendlyName: alias } : {}) });
    } else if (CSR_LABELS.includes(block.label)) {
      out.csrs.push(within(where, () => parseCsr(block.der).der));
    } else if (KEY_LABELS.includes(block.label)) {
      const encrypted = isEncryptedKeyBlock(block);
      // Each key's rounds are bounded where it is read; a file of many such keys is bounded here.
      if (block.label === 'ENCRYPTED PRIVATE KEY' && passphrase) rounds += checkEncryptedKeyIterations(block.der, `The key in ${where} of ${name}`);
      if (rounds > MAX_FILE_PASSWORD_ITERATIONS) {
        throw new PkiError(
          'BAD_DER',
          `${capitalise(name)} asks for more than ${MAX_FILE_PASSWORD_ITERATIONS.toLocaleString('en-US')} password rounds (iterations) in all, over its ` +
            'many encrypted keys: no tool writes that; the file is damaged or made to stall whoever opens it. Export it again.',
        );
      }
      out.privateKeys.push(within(where, () => importPrivateKey(block.text, passphrase, { source: name })));
      if (encrypted) encryptedKeys++;
      else plainKeys++;
    } else if (block.label === 'PKCS7' || block.label === 'CMS') {
      out.certificates.push(...within(where, () => pkcs7Certificates(parseDer(block.der, where))).map((der) => ({ der })));
    } else if (block.label === 'DSA PRIVATE KEY') {
      throw unsupportedKey(`${where} is a DSA key`);
    } else if (block.label === 'OPENSSH PRIVATE KEY') {
      throw unsupportedKey(`${where} is an OpenSSH key`, ' Convert it first with `ssh-keygen -p -m PKCS8 -f FILE`.');
    } else {
      ignored.push(IGNORED_LABELS[block.label] ?? `"${shortLabel(block.label)}" block`);
    }
  }
  const found = out.certificates.length + out.privateKeys.length + out.csrs.length;
  if (found === 0 && blocks.length > 0 && blocks.every((block) => block.label === 'PUBLIC KEY' || block.label === 'RSA PUBLIC KEY')) {
    throw publicKeyOnly(name, `PEM "${shortLabel(blocks[0].label)}"`);
  }
  if (found === 0) {
    throw new PkiError(
      'NOT_PEM',
      `${capitalise(NOT_PKI)}: ${name} holds PEM text, but only ${blocks.length > 0 ? `"${labelList(blocks)}` : 'broken'} blocks, ` +
        'none a certificate ("BEGIN CERTIFICATE"), a key ("BEGIN PRIVATE KEY") or a CSR ("BEGIN CERTIFICATE REQUEST").',
    );
  }
  const parts = [
    count(out.certificates.length, 'certificate'),
    count(out.csrs.length, 'CSR'),
    count(plainKeys, 'key'),
    count(encryptedKeys, 'encrypted key'),
    ...summarise(ignored).map((text) => `${text} (ignored)`),
  ].filter(Boolean);
  out.description = `PEM: ${parts.join(', ')}`;
  return out;
}

function isEncryptedKeyBlock(block: PemBlock): boolean {
  return block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/.test(block.headers['Proc-Type'] ?? '');
}

/** Runs `read`, naming the block in a PkiError's message so the student knows which one is bad. */
function within<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (isPkiError(error) && !/^The passphrase|^This private key is encrypted/.test(error.message)) {
      throw new PkiError(error.code, `In ${where}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function count(n: number, noun: string): string {
  return n === 0 ? '' : plural(n, noun);
}

function summarise(items: string[]): string[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([item, n]) => (n === 1 ? `1 ${item}` : `${n} ${item}s`));
}

/** The alias (`openssl x509 -setalias`) in OpenSSL's X509_CERT_AUX: SEQUENCE { trust, [0] reject, alias UTF8String, ... }. */
function trustedCertificateAlias(aux: Uint8Array): string | undefined {
  if (aux.length === 0) return undefined;
  try {
    const alias = parseDer(aux, 'the trust settings').children.find((child) => isUniversal(child, 12));
    return alias ? Buffer.from(alias.contents).toString('utf8') : undefined;
  } catch {
    return undefined;
  }
}

function firstElement(der: Uint8Array): Uint8Array {
  if (der.length < 2) return der;
  const first = der[1];
  if (first < 0x80) return der.subarray(0, 2 + first);
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (der[2 + i] ?? 0);
  return der.subarray(0, Math.min(der.length, 2 + count + length));
}

// --- DER ---

type DerKind = 'pkcs12' | 'certificate' | 'csr' | 'pkcs8' | 'encrypted-pkcs8' | 'pkcs1' | 'sec1' | 'public-key' | 'pkcs7';

function importDer(input: Uint8Array, passphrase: string | undefined, name: string): Collected {
  if (looksLikeText(input)) {
    const start = Buffer.from(input.subarray(0, 40)).toString('utf8').replace(/\s+/g, ' ').trim();
    throw new PkiError(
      'NOT_PEM',
      `${capitalise(NOT_PKI)}: ${name} is text ("${start}${input.length > 40 ? '…' : ''}") without a "-----BEGIN ...-----" line, ` +
        'so it is not PEM, and text is never DER. Open it and check what it holds.',
    );
  }
  if (input[0] !== 0x30) {
    throw new PkiError(
      'BAD_DER',
      `${capitalise(NOT_PKI)}: ${name} is neither PEM text (no "-----BEGIN" line) nor DER: every DER certificate, key, CSR ` +
        `and PKCS#12 file starts with the byte 0x30 (a SEQUENCE), and this one starts with 0x${input[0].toString(16).padStart(2, '0')}.`,
    );
  }
  let root: Asn1Node;
  try {
    root = parseDer(input, name);
  } catch (error) {
    if (isPkiError(error) && error.code === 'TRUNCATED_DER') throw truncated(input, name, error);
    if (isPkiError(error)) {
      throw new PkiError(
        'BAD_DER',
        `${capitalise(NOT_PKI)}: ${name} is neither PEM text (no "-----BEGIN" line) nor DER (${error.message.replace(/^[^:]*: /, '')}).`,
        { cause: error },
      );
    }
    throw error;
  }
  const kind = classify(root);
  switch (kind) {
    case 'pkcs12':
      return importPkcs12(root, passphrase, name);
    case 'certificate':
      parseCertificateDer(input);
      return { certificates: [{ der: input }], privateKeys: [], csrs: [], description: 'DER: 1 certificate' };
    case 'csr':
      return { certificates: [], privateKeys: [], csrs: [parseCsr(input).der], description: 'DER: 1 CSR' };
    case 'pkcs7': {
      const certificates = pkcs7Certificates(root).map((der) => ({ der }));
      return { certificates, privateKeys: [], csrs: [], description: `PKCS#7: ${count(certificates.length, 'certificate') || 'no certificates'}` };
    }
    case 'public-key':
      throw publicKeyOnly(name, 'DER SubjectPublicKeyInfo');
    case 'pkcs8':
    case 'encrypted-pkcs8':
    case 'pkcs1':
    case 'sec1': {
      const key = importPrivateKey(input, passphrase, { source: name });
      const labels = { pkcs8: 'PKCS#8 key', 'encrypted-pkcs8': 'encrypted PKCS#8 key', pkcs1: 'PKCS#1 RSA key', sec1: 'SEC1 EC key' };
      return { certificates: [], privateKeys: [key], csrs: [], description: `DER: 1 ${labels[kind]}` };
    }
    default:
      throw new PkiError(
        'BAD_DER',
        `${capitalise(NOT_PKI)}: ${name} is DER, but of no kind the workbench knows (its top level is ${shape(root)}).`,
      );
  }
}

function classify(root: Asn1Node): DerKind | undefined {
  if (!isUniversal(root, 16)) return undefined;
  const [a, b, c] = root.children;
  const n = root.children.length;
  if (isUniversal(a, 2) && isUniversal(b, 16) && isUniversal(b.children[0], 6) && decodeOid(b.children[0].contents).startsWith('1.2.840.113549.1.7.')) {
    return readInteger(a) === 3 ? 'pkcs12' : undefined;
  }
  if (isUniversal(a, 6) && decodeOid(a.contents) === OIDS.signedData) return 'pkcs7';
  if (n === 3 && isUniversal(a, 16) && isUniversal(b, 16) && isUniversal(c, 3)) return a.children.length >= 6 ? 'certificate' : 'csr';
  if (n === 2 && isUniversal(a, 16) && isUniversal(b, 3)) return 'public-key';
  if (n === 2 && isUniversal(a, 16) && isUniversal(b, 4)) return 'encrypted-pkcs8';
  if (n >= 3 && isUniversal(a, 2) && isUniversal(b, 16) && isUniversal(c, 4)) return 'pkcs8';
  if (n >= 9 && root.children.slice(0, 9).every((child) => isUniversal(child, 2))) return 'pkcs1';
  if (n >= 2 && isUniversal(a, 2) && readInteger(a) === 1 && isUniversal(b, 4)) return 'sec1';
  return undefined;
}

function shape(node: Asn1Node): string {
  const inner = node.children.slice(0, 4).map((child) => child.typeName).join(', ');
  return node.children.length > 0 ? `${node.typeName} { ${inner}${node.children.length > 4 ? ', …' : ''} }` : node.typeName;
}

/** Text has no control bytes; DER always has some (tags and lengths) in its first bytes. */
function looksLikeText(bytes: Uint8Array): boolean {
  return !bytes.subarray(0, 512).some((byte) => byte < 9 || (byte > 13 && byte < 32) || byte === 127);
}

/** Where DER data stops short: the outermost element that runs past the end, and the innermost. */
function truncated(input: Uint8Array, name: string, cause: PkiError): PkiError {
  const chain: Array<{ offset: number; end: number; tag: number }> = [];
  let pos = 0;
  let end = input.length;
  while (pos < end) {
    const header = readHeader(input, pos);
    if (!header) {
      chain.push({ offset: pos, end: Number.POSITIVE_INFINITY, tag: input[pos] });
      break;
    }
    const elementEnd = pos + header.headerLength + header.length;
    if (elementEnd > input.length) {
      chain.push({ offset: pos, end: elementEnd, tag: input[pos] });
      if ((input[pos] & 0x20) === 0) break;
      pos += header.headerLength;
      end = input.length;
      continue;
    }
    pos = elementEnd;
  }
  const outer = chain[0];
  const inner = chain[chain.length - 1];
  if (!outer) return cause;
  const missing = Number.isFinite(outer.end) ? `${outer.end - input.length} bytes short` : 'in the middle of a header';
  const innerText =
    inner && inner !== outer
      ? ` The cut falls inside the ${tagName(inner.tag)} that starts at offset ${inner.offset}.`
      : '';
  return new PkiError(
    'TRUNCATED_DER',
    `${capitalise(name)} is truncated: the ${tagName(outer.tag)} at offset ${outer.offset} announces ` +
      `${Number.isFinite(outer.end) ? `${outer.end - outer.offset} bytes` : 'more bytes'}, but the data ends at offset ${input.length}, ${missing}.` +
      `${innerText} The file was cut while copying or downloading; get a complete copy.`,
    { cause },
  );
}

function readHeader(bytes: Uint8Array, pos: number): { headerLength: number; length: number } | undefined {
  let at = pos + 1;
  if ((bytes[pos] & 0x1f) === 0x1f) {
    while (at < bytes.length && bytes[at] & 0x80) at++;
    at++;
  }
  if (at >= bytes.length) return undefined;
  const first = bytes[at++];
  if (first < 0x80) return { headerLength: at - pos, length: first };
  const count = first & 0x7f;
  if (count === 0 || at + count > bytes.length) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[at + i];
  return { headerLength: at + count - pos, length };
}

function tagName(tag: number): string {
  if ((tag & 0xc0) === 0x80) return `[${tag & 0x1f}] element`;
  return UNIVERSAL_TYPE_NAMES[tag & 0x1f] ?? `element with tag 0x${tag.toString(16)}`;
}

/** The certificates of a PKCS#7 / CMS SignedData ("certs-only" .p7b files). */
function pkcs7Certificates(root: Asn1Node): Uint8Array[] {
  const signedData = root.children[1]?.children[0];
  const certificates = signedData?.children.find((child) => child.tagClass === 'context' && child.tagNumber === 0);
  const out: Uint8Array[] = [];
  for (const node of certificates?.children ?? []) {
    if (!isUniversal(node, 16)) continue;
    const der = node.encoded.slice();
    parseCertificateDer(der);
    out.push(der);
  }
  return out;
}

// --- PKCS#12 ---

interface Pkcs12Reading {
  password: string;
  /** How the MAC took the password; the same form opens the PKCS#12 PBE bags. */
  form: PasswordForm;
  /** False when no passphrase (or an empty one) was given and the empty one is being tried. */
  given: boolean;
  ciphers: Set<string>;
  kdfs: Set<string>;
  /** Password rounds run so far for this file, against MAX_FILE_PASSWORD_ITERATIONS. */
  rounds: number;
}

/** Counts the rounds a step of reading the file will run, refusing the file past the budget. */
function spendRounds(reading: Pkcs12Reading, rounds: number, name: string): void {
  reading.rounds += rounds;
  if (reading.rounds > MAX_FILE_PASSWORD_ITERATIONS) {
    throw new PkiError(
      'BAD_DER',
      `${capitalise(name)} asks for more than ${MAX_FILE_PASSWORD_ITERATIONS.toLocaleString('en-US')} password rounds (iterations) in all, over its ` +
        'many encrypted parts: no tool writes that; the file is damaged or made to stall whoever opens it. Export it again.',
    );
  }
}

function importPkcs12(pfx: Asn1Node, passphrase: string | undefined, name: string): Collected {
  withoutEndOfContents(pfx);
  const [, authSafe, macData] = pfx.children;
  const contentType = decodeOid(authSafe.children[0].contents);
  if (contentType !== OIDS.data) {
    throw new PkiError(
      'BAD_PKCS12',
      `${capitalise(name)} is a PKCS#12 file in public-key integrity mode (${contentType === OIDS.signedData ? 'signed' : contentType}), ` +
        'which the workbench does not read. Re-export it with a password (openssl pkcs12 -export).',
    );
  }
  const authenticatedSafe = octetsOf(authSafe.children[1]?.children[0]);
  const reading: Pkcs12Reading = { password: passphrase ?? '', form: 'bmp', given: passphrase !== undefined && passphrase !== '', ciphers: new Set(), kdfs: new Set(), rounds: 0 };
  let macLabel = 'no MAC';
  if (macData) {
    const digestAlgorithm = macData.children[0].children[0];
    const macOid = decodeOid(digestAlgorithm.children[0].contents);
    if (macOid === OIDS.pbmac1) {
      throw new PkiError('BAD_PKCS12', `${capitalise(name)} is protected by a PBMAC1 integrity check (OpenSSL 3.4+ -pbmac1_pbkdf2), which the workbench does not read yet. Re-export it without -pbmac1_pbkdf2.`);
    }
    const hash = HASHES[macOid];
    if (!hash) throw new PkiError('BAD_PKCS12', `${capitalise(name)} uses the MAC algorithm ${macOid}, which the workbench does not know.`);
    macLabel = `${hash.label} MAC`;
    const expected = macData.children[0].children[1].contents;
    const salt = macData.children[1].contents;
    const iterations = macData.children[2] ? checkedIterations(macData.children[2].contents, `The integrity check (MAC) of ${name}`) : 1;
    const opens = (password: string, form: PasswordForm) => {
      spendRounds(reading, iterations, name);
      const mac = pkcs12Mac(hash.name, password, salt, iterations, authenticatedSafe, form);
      return mac.length === expected.length && timingSafeEqual(mac, expected);
    };
    if (passphrase === undefined || passphrase === '') {
      // A file exported with an empty password: OpenSSL tries both "" and no password at all.
      if (opens('', 'bmp')) reading.form = 'bmp';
      else if (opens('', 'none')) reading.form = 'none';
      else throw pkcs12PasswordRequired(name);
    } else if (!opens(passphrase, 'bmp')) {
      throw new PkiError(
        'WRONG_PASSPHRASE',
        `The passphrase does not open ${name}: the PKCS#12 integrity check (${hash.label} MAC) fails with it. ` +
          'Check the password (it is case-sensitive); if it is right, the file was damaged.',
      );
    }
  }
  const out: Collected = { certificates: [], privateKeys: [], csrs: [], description: '' };
  const keyIds: Array<{ keyId?: string; friendlyName?: string }> = [];
  const certificateIds: Array<string | undefined> = [];
  for (const contentInfo of withoutEndOfContents(parseDer(authenticatedSafe, `the contents of ${name}`)).children) {
    const type = decodeOid(contentInfo.children[0].contents);
    let safeContents: Uint8Array;
    if (type === OIDS.data) safeContents = octetsOf(contentInfo.children[1]?.children[0]);
    else if (type === OIDS.encryptedData) {
      const encryptedContentInfo = contentInfo.children[1].children[0].children[1];
      const algorithm = encryptedContentInfo.children[1];
      safeContents = decrypt(algorithm, octetsOf(encryptedContentInfo.children[2]), reading, name);
    } else {
      throw new PkiError('BAD_PKCS12', `${capitalise(name)} holds ${type === OIDS.envelopedData ? 'public-key encrypted (enveloped)' : type} contents, which the workbench does not read.`);
    }
    readSafeContents(withoutEndOfContents(parseDer(safeContents, `the bags of ${name}`)), reading, name, out, keyIds, certificateIds);
  }
  // Keys and certificates are paired by public key in withPairs; friendly names travel with certificates.
  out.certificates.forEach((certificate, index) => {
    if (certificate.friendlyName) return;
    const match = keyIds.find((key) => key.keyId !== undefined && key.keyId === certificateIds[index]);
    if (match?.friendlyName) certificate.friendlyName = match.friendlyName;
  });
  const parts = [count(out.privateKeys.length, 'key'), count(out.certificates.length, 'certificate')].filter(Boolean);
  const encryption = reading.ciphers.size > 0 ? `${[...reading.ciphers].join(' + ')}, ${[...reading.kdfs].join(' + ')}` : 'not encrypted';
  out.description = `PKCS#12 (${encryption}, ${macLabel}): ${parts.join(', ') || 'empty'}`;
  return out;
}

function readSafeContents(
  contents: Asn1Node,
  reading: Pkcs12Reading,
  name: string,
  out: Collected,
  keyIds: Array<{ keyId?: string; friendlyName?: string }>,
  certificateIds: Array<string | undefined>,
): void {
  for (const bag of contents.children) {
    const bagId = decodeOid(bag.children[0].contents);
    const value = bag.children[1]?.children[0];
    const attributes = readBagAttributes(bag.children[2]);
    if (!value) continue;
    if (bagId === OIDS.certBag) {
      if (decodeOid(value.children[0].contents) !== OIDS.x509Certificate) continue;
      const der = octetsOf(value.children[1]?.children[0]).slice();
      parseCertificateDer(der);
      out.certificates.push({ der, ...(attributes.friendlyName ? { friendlyName: attributes.friendlyName } : {}) });
      certificateIds.push(attributes.keyId);
    } else if (bagId === OIDS.keyBag || bagId === OIDS.shroudedKeyBag) {
      const pkcs8 = bagId === OIDS.keyBag ? value.encoded : decrypt(value.children[0], octetsOf(value.children[1]), reading, name);
      let key: KeyObject;
      try {
        key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
      } catch (error) {
        const reason = libraryReason(error);
        throw new PkiError('NOT_A_KEY', `The private key inside ${name} cannot be read${reason ? ` (${reason})` : ''}: the file is damaged. Export it again.`, { cause: error });
      }
      describeKey(key);
      out.privateKeys.push(key);
      keyIds.push(attributes);
    } else if (bagId === OIDS.safeContentsBag) {
      readSafeContents(value, reading, name, out, keyIds, certificateIds);
    }
  }
}

function readBagAttributes(set: Asn1Node | undefined): { keyId?: string; friendlyName?: string } {
  const out: { keyId?: string; friendlyName?: string } = {};
  for (const attr of set?.children ?? []) {
    const oid = decodeOid(attr.children[0]?.contents ?? new Uint8Array());
    const value = attr.children[1]?.children[0];
    if (!value) continue;
    if (oid === OIDS.localKeyId) out.keyId = Buffer.from(value.contents).toString('hex');
    if (oid === OIDS.friendlyName && value.tagNumber === 30) {
      let text = '';
      for (let i = 0; i + 1 < value.contents.length; i += 2) text += String.fromCharCode((value.contents[i] << 8) | value.contents[i + 1]);
      out.friendlyName = text;
    }
  }
  return out;
}

/** Decrypts with a PBES2 or PKCS#12 PBE AlgorithmIdentifier; a padding failure means a wrong password. */
function decrypt(algorithm: Asn1Node, data: Uint8Array, reading: Pkcs12Reading, name: string): Uint8Array {
  const oid = decodeOid(algorithm.children[0].contents);
  const params = algorithm.children[1];
  try {
    if (oid === OIDS.pbes2) {
      const [kdf, scheme] = params.children;
      const kdfOid = decodeOid(kdf.children[0].contents);
      if (kdfOid !== OIDS.pbkdf2) throw unsupportedEncryption(name, `the key derivation ${UNREAD_SCHEMES[kdfOid] ?? kdfOid}`);
      const kdfParams = kdf.children[1].children;
      const salt = kdfParams[0].contents;
      const iterations = checkedIterations(kdfParams[1].contents, `The encryption of ${name}`);
      spendRounds(reading, iterations, name);
      const prfNode = kdfParams.slice(2).find((node) => isUniversal(node, 16));
      const prf = prfNode ? HMAC_PRFS[decodeOid(prfNode.children[0].contents)] : 'sha1';
      const schemeOid = decodeOid(scheme.children[0].contents);
      const cipher = PBES2_CIPHERS[schemeOid];
      if (!cipher || !prf) throw unsupportedEncryption(name, `the cipher ${UNREAD_SCHEMES[schemeOid] ?? schemeOid}`);
      reading.ciphers.add(cipher.label);
      reading.kdfs.add('PBKDF2');
      const key = pbkdf2Sync(Buffer.from(reading.password, 'utf8'), salt, iterations, cipher.keyLength, prf);
      const decipher = createDecipheriv(cipher.cipher, key, scheme.children[1].contents);
      return wholeDerSequence(concatBytes([decipher.update(data), decipher.final()]));
    }
    const pbe = PKCS12_PBE[oid];
    if (!pbe) throw unsupportedEncryption(name, `${UNREAD_SCHEMES[oid] ?? `the encryption ${oid}`}`);
    reading.ciphers.add(pbe.label);
    reading.kdfs.add('PKCS#12 KDF');
    const salt = params.children[0].contents;
    const iterations = checkedIterations(params.children[1].contents, `The encryption of ${name}`);
    spendRounds(reading, 2 * iterations, name);
    const password = passwordBytes(reading.password, reading.form);
    const key = pkcs12Kdf('sha1', password, salt, 1, iterations, pbe.keyLength);
    const iv = pkcs12Kdf('sha1', password, salt, 2, iterations, pbe.ivLength);
    if (pbe.rc2Bits) return wholeDerSequence(rc2Decrypt(key, iv, data, pbe.rc2Bits));
    const decipher = createDecipheriv(pbe.cipher, key, iv);
    return wholeDerSequence(concatBytes([decipher.update(data), decipher.final()]));
  } catch (error) {
    if (isPkiError(error)) throw error;
    // No MAC (openssl pkcs12 -nomac) and no password given: the empty one did not open it.
    if (!reading.given) throw pkcs12PasswordRequired(name);
    throw new PkiError(
      'WRONG_PASSPHRASE',
      `The passphrase does not open ${name}: decrypting its contents fails (OpenSSL says "bad decrypt"). Check the password.`,
      { cause: error },
    );
  }
}

/**
 * The plaintext, when it is one DER SEQUENCE that fills it exactly, as every encrypted part of a
 * PKCS#12 file is (a key, or a bag of certificates). A wrong password passes the padding check of
 * CBC now and then (about one time in 256) and yields noise: without a MAC (openssl pkcs12 -nomac)
 * nothing else catches it, and the noise was reported as an unreadable key.
 */
function wholeDerSequence(plain: Uint8Array): Uint8Array {
  let at = 2;
  let length = plain[1] ?? 0;
  if (length > 0x80) {
    const bytes = length - 0x80;
    if (bytes > 4) throw new Error('bad decrypt');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (plain[2 + i] ?? 0);
    at += bytes;
  } else if (length === 0x80) {
    // Indefinite length (BER, from some older exporters): it must at least end as one ends.
    if (plain[0] !== 0x30 || plain.length < 4 || plain[plain.length - 1] !== 0 || plain[plain.length - 2] !== 0) throw new Error('bad decrypt');
    return plain;
  }
  if (plain[0] !== 0x30 || at + length !== plain.length) throw new Error('bad decrypt');
  return plain;
}

function pkcs12PasswordRequired(name: string): PkiError {
  return new PkiError(
    'PASSPHRASE_REQUIRED',
    `${capitalise(name)} is a PKCS#12 file protected by a password (the one chosen when it was exported). Give that password to open it.`,
  );
}

function rc2Decrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, bits: number): Uint8Array {
  const binary = (bytes: Uint8Array) => Buffer.from(bytes).toString('binary');
  const cipher = forge.rc2.createDecryptionCipher(forge.util.createBuffer(binary(key)), bits);
  cipher.start(forge.util.createBuffer(binary(iv)));
  cipher.update(forge.util.createBuffer(binary(data)));
  if (!cipher.finish()) throw new Error('bad decrypt');
  return new Uint8Array(Buffer.from(cipher.output.getBytes(), 'binary'));
}

function unsupportedEncryption(name: string, what: string): PkiError {
  return new PkiError(
    'BAD_PKCS12',
    `${capitalise(name)} is encrypted with ${what}, which the workbench does not read (it reads AES, Camellia, ARIA and 3DES with PBKDF2, ` +
      'and the PKCS#12 3DES and RC2 schemes). Convert it with openssl: `openssl pkcs12 -legacy -in OLD.p12 -nodes -out all.pem`, ' +
      'then `openssl pkcs12 -export -in all.pem -out NEW.p12`.',
  );
}

// --- small helpers ---

function isUniversal(node: Asn1Node | undefined, tagNumber: number): node is Asn1Node {
  return node !== undefined && node.tagClass === 'universal' && node.tagNumber === tagNumber;
}

function readInteger(node: Asn1Node): number {
  return node.contents.reduce((n, byte) => n * 256 + byte, 0);
}

/**
 * PKCS#12 files from Windows and Java may use BER indefinite lengths: drop the end-of-contents
 * markers from the tree so that every structure has only its real members.
 */
function withoutEndOfContents(node: Asn1Node): Asn1Node {
  node.children = node.children.filter((child) => !(child.tagClass === 'universal' && child.tagNumber === 0 && child.length === 0));
  node.children.forEach(withoutEndOfContents);
  return node;
}

/** The bytes of an OCTET STRING, primitive or (BER) constructed from pieces. */
function octetsOf(node: Asn1Node | undefined): Uint8Array {
  if (!node) throw new PkiError('BAD_PKCS12', 'The PKCS#12 structure is damaged: an expected OCTET STRING is missing.');
  if (!node.constructed) return node.contents;
  return concatBytes(node.children.filter((child) => !(child.tagClass === 'universal' && child.tagNumber === 0)).map(octetsOf));
}

function publicKeyOnly(name: string, form: string): PkiError {
  return new PkiError(
    'NOT_A_KEY',
    `${capitalise(name)} holds a public key only (${form}): a public key alone cannot sign or be trusted. ` +
      'Import the certificate ("BEGIN CERTIFICATE") or the private key ("BEGIN PRIVATE KEY") it was taken from.',
  );
}

function unsupportedKey(what: string, hint = ''): PkiError {
  return new PkiError(
    'UNSUPPORTED_KEY_TYPE',
    `${capitalise(what)}, which the workbench cannot use for certificates. Supported keys are RSA, EC P-256/P-384/P-521 and Ed25519.${hint}`,
  );
}

/**
 * Damaged input can make the ASN.1 reader (asn1js: "Wrong input string for conversion", RangeError)
 * or a walk over a malformed tree throw; the student still gets one PkiError saying the file is damaged.
 */
function asPkiError(error: unknown, name: string): unknown {
  if (isPkiError(error) || !(error instanceof Error)) return error;
  return new PkiError(
    'BAD_DER',
    `${capitalise(name)} is damaged: its ASN.1 structure is not laid out as a certificate, key, CSR, PKCS#7 or PKCS#12 file ` +
      'is (an element is missing or of the wrong kind). Get an undamaged copy of the file.',
    { cause: error },
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
