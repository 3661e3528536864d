// Which chain failures mean "the root is not one the client trusts", the kind that trusting the
// right CA mends: shared by the CLI's hint and the window's "Run again trusting" offer.
import type { ChainVerification } from './types';

const UNTRUSTED_ROOT_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** True when the chain failed only because its root (or issuer) is not in the trust store. */
export function untrustedRoot(chain: Pick<ChainVerification, 'ok' | 'code'> | null | undefined): boolean {
  return !!chain && !chain.ok && !!chain.code && UNTRUSTED_ROOT_CODES.has(chain.code);
}
