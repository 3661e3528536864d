// How many rounds a password-protected file may ask for. The count is written in the file, so a
// damaged or hostile file can ask for two billion rounds and stall whoever opens it (the engine
// does the work synchronously) for an hour. Tools write a few thousand (OpenSSL 2048, Windows 2000,
// Java 10000) and the strongest current advice for PBKDF2 is 600,000: more than a million is refused
// with a message, before any round is run (a million rounds of the PKCS#12 KDF take about a second).
import { decodeOid, parseDer } from './der.js';
import { PkiError } from './errors.js';

export const MAX_PASSWORD_ITERATIONS = 1_000_000;
/**
 * The rounds of all the encrypted parts of one file together: a PKCS#12 of a thousand bags of a
 * million rounds each stalls as surely as one bag of a billion.
 */
export const MAX_FILE_PASSWORD_ITERATIONS = 5_000_000;

/** The count as a whole number, or a PkiError naming the file when it is none a tool would write. */
export function checkedIterations(contents: Uint8Array, what: string): number {
  let count = 0;
  for (const byte of contents) count = count * 256 + byte;
  const negative = contents.length > 0 && (contents[0] & 0x80) !== 0;
  if (contents.length === 0 || negative || count < 1) {
    throw new PkiError(
      'BAD_DER',
      `${what} asks for ${negative ? 'a negative number of' : 'zero'} password rounds (iterations), which no tool writes: the file is damaged. Get an undamaged copy, or export it again.`,
    );
  }
  if (count > MAX_PASSWORD_ITERATIONS) {
    throw new PkiError(
      'BAD_DER',
      `${what} asks for ${count > 1e12 ? 'an absurd number of' : count.toLocaleString('en-US')} password rounds (iterations), more than the ` +
        `${MAX_PASSWORD_ITERATIONS.toLocaleString('en-US')} the workbench runs: the file is damaged or made to stall whoever opens it. ` +
        'Export it again with an ordinary count (openssl uses 2048 unless told otherwise).',
    );
  }
  return count;
}

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
/** pbeWithSHAAnd... (PKCS#12 PBE) and PBES1 (pbeWithMD5AndDES-CBC ...): params SEQUENCE { salt, iterations }. */
const SALT_AND_COUNT = /^1\.2\.840\.113549\.1\.(12\.1\.[1-6]|5\.(1|3|4|6|10|11))$/;

/**
 * Refuses an encrypted PKCS#8 key (EncryptedPrivateKeyInfo) whose password rounds are out of
 * bounds, before OpenSSL runs them, and says how many it asks for (0 when it cannot tell: anything
 * it cannot read is left to the decoder to judge).
 */
export function checkEncryptedKeyIterations(der: Uint8Array, what: string): number {
  let algorithm;
  try {
    algorithm = parseDer(der).children[0];
  } catch {
    return 0;
  }
  const oid = oidOf(algorithm?.children[0]);
  const params = algorithm?.children[1];
  let count;
  if (oid === PBES2) {
    const kdf = params?.children[0];
    if (oidOf(kdf?.children[0]) !== PBKDF2) return 0;
    count = kdf?.children[1]?.children[1];
  } else if (oid !== undefined && SALT_AND_COUNT.test(oid)) {
    count = params?.children[1];
  }
  return count && count.tagClass === 'universal' && count.tagNumber === 2 ? checkedIterations(count.contents, what) : 0;
}

function oidOf(node: { tagClass: string; tagNumber: number; contents: Uint8Array } | undefined): string | undefined {
  if (!node || node.tagClass !== 'universal' || node.tagNumber !== 6) return undefined;
  return decodeOid(node.contents);
}
