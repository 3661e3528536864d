// A trust folder of hash links, as `openssl rehash` (c_rehash) makes it: every CA certificate
// stored as HASH.N, where HASH is `openssl x509 -subject_hash` and N counts certificates whose
// subjects share the hash (".0", then ".1" on a collision). OpenSSL's capath lookup (and so
// Python's load_verify_locations(capath=...) and curl --capath) opens HASH.0, HASH.1, ... in turn.
import { createHash } from 'node:crypto';
import { parseCertificateDer } from './certificateDer.js';
import { certificatePem } from './certificates.js';
import { decodeName, formatDistinguishedName } from './names.js';
import { subjectHash } from './subjectHash.js';

export interface TrustFolderEntry {
  fileName: string;
  pem: string;
  subject: string;
}

/** File names for an OpenSSL capath folder: HASH.0, HASH.1 on collisions (same order as openssl rehash). */
export function planTrustFolder(certificates: Uint8Array[]): TrustFolderEntry[] {
  const seen = new Set<string>();
  const perHash = new Map<string, number>();
  const entries: TrustFolderEntry[] = [];
  for (const der of certificates) {
    // openssl rehash skips a certificate it has already linked ("skipping duplicate certificate").
    const fingerprint = createHash('sha256').update(der).digest('hex');
    if (seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    const parts = parseCertificateDer(der);
    const hash = subjectHash(der);
    const index = perHash.get(hash) ?? 0;
    perHash.set(hash, index + 1);
    entries.push({
      fileName: `${hash}.${index}`,
      pem: certificatePem(der),
      subject: formatDistinguishedName(decodeName(parts.subject)) || '(empty subject)',
    });
  }
  return entries;
}
