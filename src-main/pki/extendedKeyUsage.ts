// What a certificate is for, as its extendedKeyUsage says (RFC 5280, Section 4.2.1.12), named the
// way OpenSSL names each purpose and said in a few words a student reads ("TLS server").
import type { PkiExtendedKeyUsage } from '../api/pkiTypes';
import { parseCertificateDer, readExtendedKeyUsage } from './certificateDer.js';
import { extendedKeyUsageMeaning, oidName } from './oids.js';

/** One purpose: its OpenSSL name (else the OID), the OID, and what it means. */
export function describeExtendedKeyUsage(oid: string): PkiExtendedKeyUsage {
  return { name: oidName(oid) ?? oid, oid, meaning: extendedKeyUsageMeaning(oid) };
}

/**
 * The purposes a certificate's extendedKeyUsage names, in its order; null when it has no such
 * extension, which RFC 5280 reads as "any purpose" (a TLS peer then looks at keyUsage alone).
 */
export function extendedKeyUsageOf(der: Uint8Array): PkiExtendedKeyUsage[] | null {
  const oids = readExtendedKeyUsage(parseCertificateDer(der));
  return oids === undefined ? null : oids.map(describeExtendedKeyUsage);
}
