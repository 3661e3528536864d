// Errors a person can meet while handling keys and certificates. Each one carries a stable code
// (for the API, the CLI's exit line and tests) and a message for a student: what happened, why,
// and what to try.

export type PkiErrorCode =
  | 'NOT_PEM'
  | 'BAD_DER'
  | 'TRUNCATED_DER'
  | 'NOT_A_CERTIFICATE'
  | 'NOT_A_CSR'
  | 'NOT_A_KEY'
  | 'BAD_KEY_SPEC'
  | 'UNSUPPORTED_KEY_TYPE'
  | 'PASSPHRASE_REQUIRED'
  | 'WRONG_PASSPHRASE'
  | 'KEY_MISMATCH'
  | 'BAD_SUBJECT'
  | 'BAD_SAN'
  | 'BAD_VALIDITY'
  | 'BAD_NAME_ENCODING'
  | 'NOT_A_CA'
  | 'BAD_CSR_SIGNATURE'
  | 'BAD_PKCS12'
  | 'BAD_OPTION';

export class PkiError extends Error {
  override readonly name = 'PkiError';
  readonly code: PkiErrorCode;

  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isPkiError(value: unknown): value is PkiError {
  return value instanceof PkiError;
}

/**
 * What a library's error says, in words fit for a student, or undefined when it is a program's
 * own failure (a TypeError and the like) whose text would only confuse. OpenSSL's coded lines
 * ("error:1E08010C:DECODER routines::unsupported") are cut to their reason.
 */
export function libraryReason(error: unknown): string | undefined {
  if (!(error instanceof Error) || error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError || error instanceof ReferenceError) {
    return undefined;
  }
  const openssl = /^error:[0-9A-Fa-f]{8}:[^:]*:[^:]*:(.+)$/.exec(error.message);
  if (openssl) return `OpenSSL says "${openssl[1].trim()}"`;
  if (/Cannot read propert|undefined|is not a function|\bERR_[A-Z_]+/.test(error.message)) return undefined;
  return error.message;
}
